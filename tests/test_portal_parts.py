"""The portal by part: combined files are the parts put together, a publication renders only the
parts that changed, the table follows by part, and the candidate's recorded digests are honoured.
SQLite and PostgreSQL."""

import hashlib
import json
import os
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from jippnas_orchestration.incremental import digests
from jippnas_orchestration.publication import parts
from jippnas_orchestration.publication.gatekeeper import (
    LINEAGE_TABLE,
    PublicationRefused,
    lineage_row,
)
from jippnas_orchestration.publication.parts import (
    arrow_table,
    canonical,
    content_checksum,
    csv_header,
    csv_rows,
    digests_of,
    json_text,
    split,
    write_parts,
)
from jippnas_orchestration.publication.public import PUBLIC_COLUMNS
from jippnas_orchestration.publication.publish import (
    FILES,
    candidate_content,
    publish,
    restore,
    write_files,
)
from jippnas_orchestration.quality import history
from jippnas_orchestration.quality.gate import ExpectationOutcome, GateResult
from jippnas_orchestration.quality.retention import Retention
from jippnas_orchestration.schema import ensure_schema

T0 = datetime(2026, 6, 1, 8, 0, tzinfo=timezone.utc)


def dataset(n: int = 60, version: int = 0, changed_part: str = "JIP-0a") -> pd.DataFrame:
    """n innovations over several parts; NULLs beside numbers (a float column to pandas) in each."""
    rows = []
    for k in range(n):
        iid = f"JIP-{k % 5 + 10:02x}{k:08X}"
        rows.append(
            {c: None for c in PUBLIC_COLUMNS}
            | {
                "innovation_id": iid,
                "title": f"Inovasi {k}" + (f" v{version}" if iid.startswith(changed_part) else ""),
                "agency_id": "35.10",
                "year_first": 2019,
                "start_year": None if k % 3 == 0 else 2017,
                "replication_count": None if k % 2 else k,
                "completeness": k / n,
                "summary": 'Ringkasan, dengan "kutip"\nbaris baru' if k % 7 == 0 else None,
                "sdgs": "3,10" if k % 2 else None,
                "similar": "JIP-0b00000001,JIP-0c00000002" if k % 4 == 0 else None,
                "provenance": json.dumps({"title": ["KIPP 2021"]}) if k % 5 == 0 else None,
            }
        )
    return pd.DataFrame(rows)


def stage(wh, df: pd.DataFrame, at: datetime) -> None:
    """Store `df` as the candidate with what its asset records (digests, lineage, passing gates)."""
    wh.replace_table("portal_candidate", canonical(df), primary_key=["innovation_id"])
    with wh.transaction() as tx:
        digests.keep(tx, "portal_candidate", digests_of(canonical(df)), None)
    ck = content_checksum(df)
    wh.replace_table(LINEAGE_TABLE, lineage_row(ck, f"h-{ck}", len(df), None))
    ok = ExpectationOutcome("expect_column_values_to_not_be_null", "title", True, 0, None)
    for suite, checksum in (("harmonized_innovations", f"h-{ck}"), ("portal_candidate", ck)):
        history.record(
            wh, GateResult(suite, True, len(df), at.isoformat(), [ok], checksum=checksum)
        )


@pytest.mark.parametrize(
    "odd", [None, "carriage return", "separator", "retyped part", "several batches"]
)
def test_parts_written_together_are_each_part_rendered_alone(odd, tmp_path, monkeypatch):
    """write_parts renders all parts in one pass; each file must be the bytes of its part alone."""
    import pyarrow.parquet as pq

    df = dataset(90)
    df.loc[3, "title"] = '=HYPERLINK("http://x", "klik")'  # the formula policy, in one pass
    df.loc[5, "title"] = "Layanan “Prima” – ramah"  # JSON keeps it as written, not as \u escapes
    if odd == "carriage return":  # rendered apart by the CSV policy
        df.loc[11, "summary"] = "baris\rbaru"
    if odd == "separator":  # the one-pass rendering's separator inside a text
        df.loc[8, "summary"] = "\x1e pemisah"
    frames = split(canonical(df))
    if odd == "several batches":  # parts rendered together up to a row count, then the next ones
        monkeypatch.setattr(parts, "BATCH_ROWS", 30)
    if odd == "retyped part":  # a part whose column pandas typed otherwise
        first = next(iter(frames))
        frames[first] = frames[first].astype({"completeness": object})
    written = write_parts(frames, tmp_path / "together")
    assert list(written) == list(frames) and len(frames) == 5
    for name, part in frames.items():
        pq.write_table(arrow_table(part), tmp_path / "alone.parquet")
        alone = {
            "csv": (csv_header(part.columns) + csv_rows(part)).encode(),
            "json": json_text(part).encode(),
            "parquet": (tmp_path / "alone.parquet").read_bytes(),
        }
        for fmt, data in alone.items():
            assert (tmp_path / "together" / f"{name}.{fmt}").read_bytes() == data, (name, fmt)
            assert written[name][fmt] == hashlib.sha256(data).hexdigest()


def test_combined_files_are_the_whole_dataset_rendered_at_once(warehouse, tmp_path):
    ensure_schema(warehouse.engine)
    df = dataset()
    stage(warehouse, df, T0)
    manifest = publish(warehouse, candidate_content(warehouse), tmp_path, now=T0)
    portal = tmp_path / "portal"
    whole = canonical(df)
    assert (portal / "innovations.csv").read_text() == whole.to_csv(index=False)
    assert (portal / "innovations.json").read_text() == json_text(whole)
    pd.testing.assert_frame_equal(canonical(pd.read_parquet(portal / "innovations.parquet")), whole)
    # integers stay integers where a NULL stands beside them (never "2017.0")
    assert ",2017," in csv_rows(whole.iloc[[1]]) and ".0," not in csv_rows(whole[["start_year"]])
    # each part is a dataset of its own, listed by the manifest with its rows and digest
    assert sum(p["rows"] for p in manifest["parts"].values()) == len(df) == manifest["row_count"]
    for part, entry in manifest["parts"].items():
        alone = pd.read_csv(portal / "parts" / f"{part}.csv", dtype=str)
        assert len(alone) == entry["rows"] and alone["innovation_id"].str.startswith(part).all()
        assert len(json.loads((portal / "parts" / f"{part}.json").read_text())) == entry["rows"]
    assert manifest["checksum"] == content_checksum(
        warehouse.read_sql("SELECT * FROM portal_innovations")
    )
    # the whole table, read back with whatever types the driver gives, has the same checksum
    assert content_checksum(warehouse.read_table("portal_candidate")) == manifest["checksum"]


def test_a_new_version_renders_and_writes_only_the_changed_part(warehouse, tmp_path):
    ensure_schema(warehouse.engine)
    stage(warehouse, dataset(version=0), T0)
    first = publish(warehouse, candidate_content(warehouse), tmp_path, now=T0)
    later = T0 + timedelta(minutes=5)
    stage(warehouse, dataset(version=1), later)
    # a row of an unchanged part edited behind the candidate's back is not read, so not published
    warehouse.execute(
        "UPDATE portal_candidate SET title = 'diubah' WHERE innovation_id LIKE 'JIP-0b%'"
    )
    with pytest.raises(PublicationRefused, match="part JIP-0b changed since"):
        candidate_content(warehouse)  # outside submission runs, every part is checked
    second = publish(warehouse, candidate_content(warehouse, verify_all=False), tmp_path, now=later)
    redone = [p for p in second["parts"] if second["parts"][p] != first["parts"][p]]
    assert redone == ["JIP-0a"]
    v1, v2 = (
        tmp_path / "portal_versions" / v / "parts" for v in (first["version"], second["version"])
    )
    for f in v2.iterdir():
        assert (f.stat().st_ino == (v1 / f.name).stat().st_ino) == (not f.name.startswith("JIP-0a"))
    table = warehouse.read_sql("SELECT * FROM portal_innovations")
    assert content_checksum(table) == second["checksum"] == content_checksum(dataset(version=1))
    assert "diubah" not in set(table["title"])
    # the combined files are still exactly the whole dataset
    assert (tmp_path / "portal" / "innovations.csv").read_text() == canonical(
        dataset(version=1)
    ).to_csv(index=False)
    # restoring the first version brings its bytes and its rows back
    restore(warehouse, tmp_path, first["version"])
    assert (
        content_checksum(warehouse.read_sql("SELECT * FROM portal_innovations"))
        == first["checksum"]
    )


def test_a_changed_part_that_is_not_what_was_validated_is_refused(warehouse, tmp_path):
    ensure_schema(warehouse.engine)
    stage(warehouse, dataset(version=0), T0)
    first = publish(warehouse, candidate_content(warehouse), tmp_path, now=T0)
    stage(warehouse, dataset(version=1), T0 + timedelta(minutes=5))
    warehouse.execute(
        "UPDATE portal_candidate SET summary = 'tidak divalidasi' WHERE innovation_id LIKE 'JIP-0a%'"
    )
    with pytest.raises(
        PublicationRefused,
        match="not what the portal_candidate asset built and validated \\(part JIP-0a",
    ):
        publish(
            warehouse,
            candidate_content(warehouse, verify_all=False),
            tmp_path,
            now=T0 + timedelta(minutes=5),
        )
    assert json.loads((tmp_path / "portal" / "manifest.json").read_text()) == first
    assert (
        content_checksum(warehouse.read_sql("SELECT * FROM portal_innovations"))
        == first["checksum"]
    )


def test_a_version_published_before_parts_is_followed_in_full_and_still_restores(
    warehouse, tmp_path
):
    """The layout of earlier releases: three files and a manifest, no parts."""
    ensure_schema(warehouse.engine)
    old = dataset(version=0)
    folder = tmp_path / "portal_versions" / "20260101T000000Z-olddata0"
    files = write_files(old, folder)  # rendered as then: pandas' inferred types
    legacy = {
        "version": folder.name,
        "row_count": len(old),
        "checksum": "legacy",
        "files": files,
        "published_at": "2026-01-01T00:00:00+00:00",
        "previous_version": None,
        "gate": {},
    }
    (folder / "manifest.json").write_text(json.dumps(legacy))
    os.symlink(f"portal_versions/{folder.name}", tmp_path / "portal")
    stage(warehouse, dataset(version=1), T0)
    manifest = publish(
        warehouse, candidate_content(warehouse), tmp_path, now=T0, retention=Retention()
    )
    assert manifest["previous_version"] == folder.name and len(manifest["parts"]) == 5
    assert (
        content_checksum(warehouse.read_sql("SELECT * FROM portal_innovations"))
        == manifest["checksum"]
    )
    # retention dropped the old version's CSV and JSON (proven to render again from its Parquet);
    # restoring renders them again byte for byte
    assert not (folder / "innovations.csv").exists() and not (folder / "innovations.json").exists()
    restore(warehouse, tmp_path, folder.name)
    assert {n: (folder / n).exists() for n in FILES} == dict.fromkeys(FILES, True)
    assert write_files(pd.read_parquet(folder / "innovations.parquet"), tmp_path / "x") == files
