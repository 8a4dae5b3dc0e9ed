"""Each incremental table: after random waves of submissions, the incremental path leaves exactly
what a full rebuild leaves (rows and, for gated tables, checksum). A tiny warehouse, no Dagster."""

from __future__ import annotations

import random
import sqlite3
from datetime import date, datetime, timezone

import pandas as pd
import pytest

from jippnas_orchestration.harmonize.field_provenance import FIELD_PROVENANCE
from jippnas_orchestration.harmonize.harmonized_innovations import HARMONIZED_INNOVATIONS
from jippnas_orchestration.harmonize.merge import HARMONIZED_COLUMNS, SUBMISSION_ONLY
from jippnas_orchestration.harmonize.provenance import STAGED_COLUMNS
from jippnas_orchestration.incremental import update
from jippnas_orchestration.metrics.agency_completeness import AGENCY_COMPLETENESS
from jippnas_orchestration.metrics.campaign_history import CAMPAIGN_HISTORY
from jippnas_orchestration.metrics.national_summary import NATIONAL_SUMMARY
from jippnas_orchestration.publication.portal_candidate import PORTAL_CANDIDATE
from jippnas_orchestration.quality import history
from jippnas_orchestration.quality.gate import ExpectationOutcome, GateResult
from jippnas_orchestration.replication.affair_coverage import AFFAIR_COVERAGE
from jippnas_orchestration.replication.innovation_replications import INNOVATION_REPLICATIONS
from jippnas_orchestration.replication.replication_opportunities import (
    REPLICATION_OPPORTUNITIES,
)
from jippnas_orchestration.schema import ensure_schema
from jippnas_orchestration.similar import SIMILAR_COLUMNS
from jippnas_orchestration.submissions.apply import apply_pending
from jippnas_orchestration.submissions.intake import store_document
from jippnas_orchestration.warehouse import Warehouse

from .submission_fixtures import doc

START, DAY = date(2023, 1, 1), date(2026, 3, 2)
# in the order the assets run; each with the parameters its asset passes
TABLES = [
    (HARMONIZED_INNOVATIONS, {"campaign_start": START}),
    (FIELD_PROVENANCE, {}),
    (AGENCY_COMPLETENESS, {}),
    (NATIONAL_SUMMARY, {}),
    (CAMPAIGN_HISTORY, {"campaign_start": START, "day": DAY}),
    (PORTAL_CANDIDATE, {"similar_token": "similar-1"}),
    (INNOVATION_REPLICATIONS, {}),
    (AFFAIR_COVERAGE, {}),
    (REPLICATION_OPPORTUNITIES, {}),
]
KEYS = {
    "harmonized_innovations": ["innovation_id"],
    "field_provenance": ["innovation_id", "field", "origin", "source_record_id", "submission_id"],
    "agency_completeness": ["agency_id"],
    "national_summary": ["dimension", "value"],
    "campaign_history": ["snapshot_date", "programme", "agency_id"],
    "portal_candidate": ["innovation_id"],
    "innovation_replications": ["innovation_id", "replicating_agency_id"],
    "innovation_replication_counts": ["innovation_id"],
    "innovation_affairs": ["innovation_id"],
    "affair_coverage_links": ["agency_id", "affair", "innovation_id"],
    "affair_coverage": ["agency_id", "affair"],
    "replication_candidates": ["innovation_id"],
    "replication_opportunities": ["agency_id", "affair", "rank"],
}
# (agency_id, agency_type, province_code): regional governments of two provinces and a ministry
AGENCIES = [
    ("35", "provinsi", "35"),
    ("35.10", "kabupaten", "35"),
    ("35.15", "kabupaten", "35"),
    ("35.78", "kota", "35"),
    ("32.73", "kota", "32"),
    ("32.04", "kabupaten", "32"),
    ("33.74", "kota", "33"),
    ("51.71", "kota", "51"),
    ("KEMENKES", "kementerian", None),
]
# words the affair lexicon knows, so that titles and summaries decide affairs
TOPICS = ["puskesmas", "sekolah", "sampah", "pajak", "nelayan", "posyandu", "izin", ""]


def tiny_warehouse(path, rng: random.Random) -> Warehouse:
    """40 innovations of 6 agencies in several parts, their source records and suggestions."""
    wh = Warehouse(f"sqlite:///{path}")
    ensure_schema(wh.engine)
    agencies = pd.DataFrame(AGENCIES, columns=["agency_id", "agency_type", "province_code"])
    agencies["agency_name"] = "Instansi " + agencies["agency_id"]
    wh.replace_table("agencies", agencies, primary_key=["agency_id"])
    kinds = dict(
        zip(agencies["agency_id"], zip(agencies["agency_type"], agencies["province_code"]))
    )
    owners = ["35.10", "35.15", "32.73", "33.74", "51.71", "KEMENKES"]
    ids = sorted({f"JIP-{rng.getrandbits(40):010X}" for _ in range(40)})
    merged, staged, smap = [], [], []
    for n, iid in enumerate(ids):
        row = {c: None for c in HARMONIZED_COLUMNS if c not in SUBMISSION_ONLY}
        row.update(
            innovation_id=iid,
            title=f"Inovasi {n} {rng.choice(TOPICS)}".strip(),
            agency_id=owners[n % len(owners)],
            agency_type=kinds[owners[n % len(owners)]][0],
            province_code=kinds[owners[n % len(owners)]][1],
            awards=rng.choice(
                ["Top 45/2019", "Top 99/2018; Top 40/2017", "Top 5 OAPSI/2021", None]
            ),
            year_first=2018 + n % 5,
            category=rng.choice(["Kesehatan", "Pendidikan", None]),
            sdgs=rng.choice(["3", "4,5", None]),
            summary=rng.choice(["Ringkasan", None]),
            sources=rng.choice(["KIPP", "IGA", "INOLAN,KIPP"]),
            source_record_count=1,
        )
        merged.append(row)
        record = f"R{n:04d}"
        smap.append(("KIPP", record, iid))
        staged.append(
            {c: None for c in STAGED_COLUMNS}
            | {
                "source": "KIPP",
                "source_record_id": record,
                "year": row["year_first"],
                "title": row["title"],
                "agency_id": row["agency_id"],
                "summary": row["summary"],
            }
        )
    frame = pd.DataFrame(merged)
    frame["year_first"] = frame["year_first"].astype("Int64")
    wh.replace_table("merged_innovations", frame, primary_key=["innovation_id"])
    wh.replace_table("staged_source_records", pd.DataFrame(staged))
    wh.replace_table(
        "innovation_source_map",
        pd.DataFrame(smap, columns=["source", "source_record_id", "innovation_id"]),
    )
    similar = [
        (a, b, rank, 0.5, "judul mirip")
        for a in ids
        for rank, b in enumerate(rng.sample([i for i in ids if i != a], 2), 1)
    ]
    wh.replace_table("similar_innovations", pd.DataFrame(similar, columns=SIMILAR_COLUMNS))
    return wh


def wave(wh: Warehouse, rng: random.Random) -> None:
    """A few submissions (some stopping an innovation, some listing where it has spread, some
    naming an agency that does not exist: rejected) decided as the change log's writer decides them."""
    merged = wh.read_table("merged_innovations", ["innovation_id", "agency_id"])
    for _ in range(rng.randint(1, 5)):
        iid, agency = merged.sample(1, random_state=rng.randint(0, 10**6)).iloc[0]
        changes = {
            "status": rng.choice(
                ["berlanjut_tanpa_pengembangan", "berlanjut_dengan_pengembangan", "berhenti"]
            ),
            "outcomes": f"hasil {rng.randint(0, 99)}",
        }
        if changes["status"] == "berhenti":
            changes["status_reason"] = "anggaran"
        if rng.random() < 0.3:
            changes["summary"] = f"ringkasan baru {rng.choice(TOPICS)} {rng.randint(0, 99)}"
        if rng.random() < 0.5:  # where it has spread (the owner itself may be listed too)
            changes["replicated_by"] = rng.sample([a for a, _, _ in AGENCIES], rng.randint(1, 3))
            if rng.random() < 0.15:  # an agency that does not exist: the submission is rejected
                changes["replicated_by"].append("99.99")
        if rng.random() < 0.3:
            changes["replication_count"] = rng.randint(0, 4)
        # submitted on the day of the runs (an earlier month would rebuild the history's month end)
        sent = doc(
            {"innovation_id": iid}, agency, changes, f"{DAY}T{rng.randint(8, 16):02d}:00:00+07:00"
        )
        store_document(wh, sent, "wave")
    apply_pending(wh)


def run_all(wh: Warehouse, incremental: bool) -> dict:
    """Every table updated in asset order; a gated table's content then passes its gate (what
    the real gate records), so the next run may go incremental."""
    modes = {}
    for table, params in TABLES:
        result = update(wh, table, incremental, **params)
        modes[table.name] = result.mode
        if table.gated:
            outcome = ExpectationOutcome("expect_table_row_count_to_be_between", None, True, 0, 0)
            now = datetime.now(timezone.utc).isoformat()
            gate = GateResult(
                table.name, True, result.rows, now, [outcome], checksum=result.checksum
            )
            history.record(wh, gate)
    return modes


def snapshot(wh: Warehouse) -> dict:
    out = {}
    for name, keys in KEYS.items():
        df = wh.read_table(name).sort_values(keys).reset_index(drop=True)
        out[name] = df.astype(object).where(df.notna(), None)
    return out


def checksums(wh: Warehouse) -> dict:
    from jippnas_orchestration.incremental import state

    with wh.transaction() as tx:
        return {t.name: state.read(tx, t.name)["checksum"] for t, _ in TABLES if t.gated}


@pytest.mark.parametrize("seed", [1, 2])
def test_incremental_equals_full_rebuild_after_random_waves(tmp_path, seed):
    rng = random.Random(seed)
    wh = tiny_warehouse(tmp_path / "warehouse.sqlite", rng)
    assert set(run_all(wh, incremental=True).values()) == {"full"}  # no state yet
    for n in range(3):
        wave(wh, rng)
        modes = run_all(wh, incremental=True)
        assert set(modes.values()) == {"incremental"}, modes
        # the same warehouse rebuilt in full: the same rows, the same checksums
        copy = tmp_path / f"full-{n}.sqlite"
        with sqlite3.connect(tmp_path / "warehouse.sqlite") as src, sqlite3.connect(copy) as dst:
            src.backup(dst)  # with what the WAL holds
        full = Warehouse(f"sqlite:///{copy}")
        assert set(run_all(full, incremental=False).values()) == {"full"}
        got, want = snapshot(wh), snapshot(full)
        for name in KEYS:
            pd.testing.assert_frame_equal(got[name], want[name], check_dtype=False, obj=name)
        assert checksums(wh) == checksums(full)


@pytest.mark.parametrize(
    "text",
    ["biasa", "=HYPERLINK(1)", "baris\nbaru", 'kutip "x", koma', "cr\r\nlf", "pemisah\x1erekaman"],
)
def test_part_digests_in_one_pass_equal_the_parts_rendered_one_by_one(text):
    """digests_of renders the frame once; a part's digest must still be that of the part's CSV as
    published (cells.csv_rows per part), whatever the text holds."""
    from jippnas_orchestration import cells
    from jippnas_orchestration.incremental import digests

    rng = random.Random(7)
    ids = sorted({f"JIP-{rng.getrandbits(40):010X}" for _ in range(300)})
    frame = digests.canonical(
        pd.DataFrame(
            {
                "innovation_id": ids,
                "title": [text if i % 7 == 0 else f"judul {i}" for i in range(len(ids))],
                "year_first": [2020 if i % 3 else None for i in range(len(ids))],
                "completeness": [i / 8 for i in range(len(ids))],
            }
        )
    )
    safe = cells.safe_frame(frame)
    one_by_one = {
        p: (digests.part_digest(cells.csv_rows(f, made_safe=True)), len(f))
        for p, f in digests.split(safe).items()
    }
    assert len(one_by_one) > 100
    assert digests.digests_of(frame) == one_by_one
