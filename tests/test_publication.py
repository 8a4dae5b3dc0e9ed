"""Publication: gated, atomic, restorable, and free of personal data (PostgreSQL warehouse)."""

import hashlib
import io
import json
import re
import shutil
import uuid
from pathlib import Path

import pandas as pd
import pytest
from dagster import DagsterInstance, build_run_status_sensor_context

from jippnas_orchestration.publication.public import PUBLIC_COLUMNS
from jippnas_orchestration.publication.publish import FILES, content_checksum, restore
from jippnas_orchestration.replication.portal import FILES as OPPORTUNITY_FILES
from jippnas_orchestration.sensors import report_after_failure_sensor
from jippnas_orchestration.settings import output_dir
from jippnas_orchestration.submissions.intake import submit_files
from jippnas_orchestration.warehouse import Warehouse

from .helpers import leaked, run_pipeline


def snapshot(wh: Warehouse, out: Path) -> dict:
    files = {name: (out / "portal" / name).read_bytes() for name in (*FILES, "manifest.json")}
    table = wh.read_sql("SELECT * FROM portal_innovations ORDER BY innovation_id")
    return {"files": files, "table": table}


def shrunken_copy(sample_dir: Path, dest: Path) -> Path:
    """The sample with IGA cut to a handful of records: the candidate collapses."""
    shutil.copytree(sample_dir, dest)
    for year_dir in (dest / "iga").iterdir():
        if year_dir.is_dir():
            for page in year_dir.glob("page-*.json"):
                if page.name != "page-1.json":
                    page.unlink()
            body = json.loads((year_dir / "page-1.json").read_text())
            body["data"], body["meta"]["last_page"] = body["data"][:5], 1
            (year_dir / "page-1.json").write_text(json.dumps(body))
    return dest


@pytest.fixture(scope="module")
def published(pg_server, sample_dir, tmp_path_factory):
    """The sample pipeline, submissions included, run once into PostgreSQL."""
    url = pg_server.create_database(f"publication_{uuid.uuid4().hex[:12]}")
    out = tmp_path_factory.mktemp("out")
    mp = pytest.MonkeyPatch()
    mp.setenv("JIPPNAS_OUTPUT_DIR", str(out))
    assert (
        submit_files(
            sorted((sample_dir / "submissions").glob("*.json")), io.StringIO(), Warehouse(url)
        )
        == 0
    )
    result = run_pipeline(url, sample_dir)
    yield url, out, result
    mp.undo()


def test_sample_publishes_the_campaign_figures(published, monkeypatch):
    url, out, result = published
    monkeypatch.setenv("JIPPNAS_OUTPUT_DIR", str(out))
    wh = Warehouse(url)
    manifest = json.loads((out / "portal" / "manifest.json").read_text())
    assert (
        manifest["row_count"]
        == wh.count("portal_innovations")
        == wh.count("harmonized_innovations")
    )
    csv = pd.read_csv(out / "portal" / "innovations.csv", dtype=str)
    assert len(csv) == manifest["row_count"]
    assert set(manifest["files"]) == set(FILES) | set(OPPORTUNITY_FILES)
    for name in OPPORTUNITY_FILES:  # published with the version, listed with their sha256
        data = (out / "portal" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == manifest["files"][name]
    assert len(json.loads((out / "portal" / "opportunities.json").read_text())) == wh.count(
        "replication_opportunities"
    )
    kipp = wh.read_sql(
        "SELECT * FROM national_summary WHERE dimension = 'programme' AND value = 'KIPP'"
    ).iloc[0]
    assert (
        kipp["innovations"],
        kipp["updated"],
        kipp["pending"],
        kipp["agencies_with_pending"],
    ) == (973, 843, 130, 30)
    per_agency = wh.read_table("agency_completeness")
    assert (per_agency["kipp_pending"] > 0).sum() == 30 and per_agency["kipp_pending"].sum() == 130
    assert (out / "data_docs" / "index.html").exists()
    states = wh.read_sql("SELECT state, COUNT(*) AS n FROM innovation_submissions GROUP BY state")
    assert set(states["state"]) == {"accepted", "rejected"}


def test_no_personal_data_in_any_published_file_or_table(published):
    url, out, _ = published
    wh = Warehouse(url)
    values = personal_values(wh)
    assert len(values) > 1000
    texts = [
        (out / "portal" / n).read_text(encoding="utf-8")
        for n in ("innovations.csv", "innovations.json", "manifest.json")
    ]
    texts.append(pd.read_parquet(out / "portal" / "innovations.parquet").to_csv())
    texts.append(wh.read_table("portal_innovations").to_csv())
    assert leaked(values, texts) == []


def test_portal_json_carries_provenance_and_similar_as_the_tables_say(published):
    url, out, _ = published
    wh = Warehouse(url)
    records = {
        r["innovation_id"]: r for r in json.loads((out / "portal" / "innovations.json").read_text())
    }
    harmonized = wh.read_table("harmonized_innovations").set_index("innovation_id")
    prov = wh.read_table("field_provenance")
    label = re.compile(r"^(KIPP|IGA|INOLAN) (19|20)\d\d$|^submission$")
    assert all(
        label.match(v) for r in records.values() for vs in r["provenance"].values() for v in vs
    )
    assert all(
        set(r["provenance"]) <= set(PUBLIC_COLUMNS) and "title" in r["provenance"]
        for r in records.values()
    )
    # updated innovations: each campaign field names the submission whose value won, as the change log says
    log = wh.read_table("innovation_change_log").sort_values(
        ["innovation_id", "field", "submitted_at", "change_id"]
    )
    winners = log.groupby(["innovation_id", "field"]).tail(1)
    winners = winners[
        winners["field"] != "contact_email"
    ]  # personal: never laid over, never published
    from_subs = prov[prov["origin"] == "submission"].set_index(["innovation_id", "field"])[
        "submission_id"
    ]
    assert len(winners) > 500
    assert (
        dict(zip(zip(winners["innovation_id"], winners["field"]), winners["submission_id"]))
        == from_subs.to_dict()
    )
    updated = harmonized[harmonized["update_status"] == "updated"].index
    assert all(records[i]["provenance"]["status"] == ["submission"] for i in updated)
    # merged innovations: a single-record field's value is that record's value in the staged sources
    staged = wh.read_table("staged_source_records").set_index(["source", "source_record_id"])
    single = prov[prov["origin"] != "submission"]
    single = single[single["field"].isin(["title", "category", "stage"])]
    multi = harmonized[harmonized["source_record_count"] > 1].index
    checked = 0
    for row in single[single["innovation_id"].isin(multi)].itertuples():
        assert (
            staged.loc[(row.origin, row.source_record_id), row.field]
            == harmonized.loc[row.innovation_id, row.field]
        )
        checked += 1
    assert checked > 1000
    # similar: up to five ids, other agencies only, not stopped, in the table's rank order
    sim = wh.read_table("similar_innovations").sort_values(["innovation_id", "rank"])
    ranked = sim.groupby("innovation_id")["similar_innovation_id"].agg(list).to_dict()
    assert {i: r["similar"] for i, r in records.items() if r["similar"]} == ranked
    assert {s for r in records.values() for s in r["similar"]} <= set(
        records
    )  # every id is published
    assert len(ranked) > 0.9 * len(records)
    assert all(1 <= len(v) <= 5 for v in ranked.values())
    agency, status = harmonized["agency_id"], harmonized["status"]
    assert all(
        agency[a] != agency[b] and status[b] != "berhenti"
        for a, b in zip(sim["innovation_id"], sim["similar_innovation_id"])
    )


def personal_values(wh: Warehouse) -> set[str]:
    """Every personal value of the sample: innovators in the sources, submitters and contacts in submissions."""
    values = set()
    for table, cols in (
        ("raw_kipp", ["nama_inovator", "email_inovator", "no_hp_inovator"]),
        ("raw_iga", ["usr_asn_nama_lengkap", "usr_asn_no_hp"]),
        ("raw_inolan", ["inovator"]),
    ):
        for c in cols:
            values |= set(wh.read_table(table, [c])[c].dropna())
    for payload in wh.read_table("innovation_submissions", ["payload"])["payload"]:
        doc = json.loads(payload)
        values |= {v for v in (doc.get("submitted_by") or {}).values() if isinstance(v, str)}
        contact = (
            (doc.get("changes") or {}).get("contact_email")
            if isinstance(doc.get("changes"), dict)
            else None
        )
        if contact:
            values.add(contact)
    return {v for v in values if len(v) >= 6}


def test_explain_tells_one_innovations_story_without_personal_data(published, capsys):
    from jippnas_orchestration.cli import main

    url, _, _ = published
    wh = Warehouse(url)
    subs = wh.read_sql(
        "SELECT innovation_id, state, submission_id, reason FROM innovation_submissions "
        "WHERE innovation_id IS NOT NULL"
    )
    multi = set(
        wh.read_sql(
            "SELECT innovation_id FROM harmonized_innovations WHERE source_record_count > 1"
        )["innovation_id"]
    )
    # one innovation with a rejected submission, one updated by an accepted one, both of several records
    chosen = [
        sorted(set(subs[subs["state"] == state]["innovation_id"]) & multi)[0]
        for state in ("rejected", "accepted")
    ]
    os_env = pytest.MonkeyPatch()
    os_env.setenv("JIPPNAS_WAREHOUSE_URL", url)
    try:
        text = ""
        for innovation in chosen:
            assert main(["explain", innovation]) == 0
            text += capsys.readouterr().out
        assert main(["explain", "JIP-TIDAKADA"]) == 1
        assert "no innovation 'JIP-TIDAKADA'" in capsys.readouterr().err
    finally:
        os_env.undo()
    records = wh.read_sql(
        "SELECT source, source_record_id, match_rule, innovation_id FROM innovation_source_map"
    )
    records = records[records["innovation_id"].isin(chosen)]
    assert len(records) > 3
    for r in records.itertuples():
        assert f"{r.source}:{r.source_record_id}" in text and r.match_rule in text
    for s in subs[subs["innovation_id"].isin(chosen)].itertuples():
        assert s.submission_id in text
        if s.state == "rejected":
            assert " ".join(str(s.reason).split())[:40] in text
    assert re.search(r"\n  title .*<- (KIPP|IGA|INOLAN) ", text)
    winner = wh.read_sql(
        "SELECT submission_id FROM field_provenance WHERE innovation_id = :i AND field = 'status'",
        {"i": chosen[1]},
    )["submission_id"].iloc[0]
    assert re.search(rf"\n  status .*<- submission {winner}", text)
    assert leaked(personal_values(wh), [text]) == []


def test_failed_gate_leaves_the_published_version_exactly_as_it_was(
    published, tmp_path, monkeypatch
):
    url, out, _ = published
    monkeypatch.setenv("JIPPNAS_OUTPUT_DIR", str(out))
    wh = Warehouse(url)
    before = snapshot(wh, out)
    instance = DagsterInstance.ephemeral()
    result = run_pipeline(
        url,
        shrunken_copy(Path(__file__).parents[1] / "data" / "sample", tmp_path / "src"),
        raise_on_error=False,
        instance=instance,
    )
    assert not result.success
    # the failed run asks for the report, and the report says the gate failed
    ctx = build_run_status_sensor_context(
        sensor_name="report_after_failure_sensor",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
    ).for_run_failure()
    request = report_after_failure_sensor(ctx)
    assert request.run_key == f"report-after-{result.run_id}"
    from dagster import AssetKey

    assert run_pipeline(
        url,
        Path(__file__).parents[1] / "data" / "sample",
        selection=[AssetKey("data_quality_report")],
    ).success
    page = (out / "reports" / "index.html").read_text()
    assert "Gerbang mutu GAGAL" in page and "Jumlah baris wajar" in page
    gate = [
        c for c in result.get_asset_check_evaluations() if c.check_name == "portal_candidate_gate"
    ][0]
    assert (
        not gate.passed
        and "expect_table_row_count_to_be_between" in gate.metadata["failures"].value
    )
    assert "portal_innovations" not in {e.step_key for e in result.get_step_success_events()}
    after = snapshot(wh, out)
    assert after["files"] == before["files"]
    pd.testing.assert_frame_equal(after["table"], before["table"])
    verdict = json.loads((out / "quality" / "portal_candidate.json").read_text())
    assert verdict["success"] is False
    ids_before = set(before["table"]["innovation_id"])
    # the sources recover: the next run publishes again, and no innovation was renamed meanwhile
    assert run_pipeline(url, Path(__file__).parents[1] / "data" / "sample").success
    assert set(wh.read_table("portal_innovations")["innovation_id"]) == ids_before


def test_unchanged_candidate_is_not_republished_and_old_versions_restore(published, monkeypatch):
    url, out, _ = published
    monkeypatch.setenv("JIPPNAS_OUTPUT_DIR", str(out))
    wh = Warehouse(url)
    first = json.loads((out / "portal" / "manifest.json").read_text())
    run_pipeline(url, Path(__file__).parents[1] / "data" / "sample")
    assert json.loads((out / "portal" / "manifest.json").read_text())["version"] == first["version"]
    # a source-side change (titles come only from the sources): the merged table, then everything after it
    wh.execute(
        "UPDATE merged_innovations SET title = 'diubah' WHERE innovation_id = "
        "(SELECT MIN(innovation_id) FROM merged_innovations)"
    )
    from dagster import AssetKey

    assert run_pipeline(
        url,
        Path(__file__).parents[1] / "data" / "sample",
        selection=[
            AssetKey("harmonized_innovations"),
            AssetKey("portal_candidate"),
            AssetKey("portal_innovations"),
        ],
    ).success
    second = json.loads((out / "portal" / "manifest.json").read_text())
    assert second["version"] != first["version"] and second["previous_version"] == first["version"]
    # one title changed: one part rendered anew, the others linked from the first version
    changed = [p for p, e in second["parts"].items() if e != first["parts"].get(p)]
    changed_id = wh.read_sql("SELECT innovation_id FROM portal_innovations WHERE title = 'diubah'")
    assert changed == [changed_id["innovation_id"][0][:6]]
    assert content_checksum(wh.read_table("portal_innovations")) == second["checksum"]
    restored = restore(wh, output_dir(), first["version"])
    assert restored["version"] == first["version"]
    assert (out / "portal" / "innovations.csv").read_bytes() == (
        out / "portal_versions" / first["version"] / "innovations.csv"
    ).read_bytes()
    assert "diubah" not in set(wh.read_table("portal_innovations")["title"].dropna())
    assert wh.read_table("portal_publications")["action"].tolist()[-2:] == ["publish", "restore"]
