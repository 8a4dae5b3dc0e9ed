"""Bounded storage: 50 publications leave the current, the previous, the newest 30 and one a day for 90 days."""

import json
import os
from datetime import datetime, timedelta, timezone

import pandas as pd
import pytest

from jippnas_orchestration.publication.gatekeeper import LINEAGE_TABLE, lineage_row
from jippnas_orchestration.publication.public import PUBLIC_COLUMNS
from jippnas_orchestration.publication.publish import FILES, content_checksum, publish, restore
from jippnas_orchestration.quality import history
from jippnas_orchestration.quality.gate import ExpectationOutcome, GateResult
from jippnas_orchestration.quality.retention import Retention, prune_quality
from jippnas_orchestration.schema import ensure_schema
from jippnas_orchestration.warehouse import Warehouse

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=timezone.utc)


def candidate(i: int) -> pd.DataFrame:
    rows = [
        {c: None for c in PUBLIC_COLUMNS}
        | {
            # four parts (JIP-00..JIP-03); only the first part's titles change from version to version
            "innovation_id": f"JIP-{k % 4:02x}{k:08d}",
            "title": f"Inovasi {k} versi {i}" if k % 4 == 0 else f"Inovasi {k}",
            "agency_id": "35.10",
            "year_first": 2019,
            "completeness": 0.5,
            "summary": 'Ringkasan; dengan "kutip"\nbaris baru',
            "sdgs": "3,10",
        }
        for k in range(40)
    ]
    df = pd.DataFrame(rows)
    df["year_first"] = df["year_first"].astype("Int64")
    return df


def passed(wh: Warehouse, suite: str, checksum: str, at: datetime) -> None:
    """What a passing gate records (the gate itself is exercised in test_quality_gate and test_gate_binding)."""
    outcome = ExpectationOutcome(
        "expect_column_values_to_not_be_null", "title", True, 0, None, dimension="completeness"
    )
    history.record(wh, GateResult(suite, True, 40, at.isoformat(), [outcome], checksum=checksum))


def schedule() -> list[datetime]:
    """10 a day apart long ago, 10 within one day 60 days ago, then 30 recent ones a few hours apart."""
    old = [NOW - timedelta(days=200 - d) for d in range(10)]
    burst = [NOW - timedelta(days=60) + timedelta(minutes=20 * h) for h in range(10)]
    recent = [NOW - timedelta(hours=5 * (30 - k)) for k in range(30)]
    return old + burst + recent


@pytest.mark.slow
def test_fifty_publications_keep_what_the_rule_says_and_each_kept_version_restores(
    sqlite_url, tmp_path
):
    wh = Warehouse(sqlite_url)
    ensure_schema(wh.engine)
    out = tmp_path / "out"
    published = []
    for i, at in enumerate(schedule()):
        df = candidate(i)
        wh.replace_table("portal_candidate", df, primary_key=["innovation_id"])
        stored = wh.read_sql("SELECT * FROM portal_candidate ORDER BY innovation_id")
        ck = content_checksum(stored)
        wh.replace_table(LINEAGE_TABLE, lineage_row(ck, f"harmonized-{i}", len(df), None))
        passed(wh, "harmonized_innovations", f"harmonized-{i}", at)
        passed(wh, "portal_candidate", ck, at)
        manifest = publish(wh, stored, out, now=at, retention=Retention())
        published.append((manifest, (out / "portal" / "innovations.csv").read_bytes()))
    versions = [m["version"] for m, _ in published]
    left = sorted(p.name for p in (out / "portal_versions").iterdir())
    # newest 30 (the last 30 published), the last of the burst day; nothing older than 90 days
    assert left == sorted(versions[19:])
    assert os.readlink(out / "portal") == f"portal_versions/{versions[-1]}"
    # current and previous keep every file; the older ones their parts, Parquet and manifest only
    for v in versions[-2:]:
        assert {p.name for p in (out / "portal_versions" / v).iterdir()} == {
            *FILES,
            "manifest.json",
            "parts",
        }
    for v in versions[19:-2]:
        assert {p.name for p in (out / "portal_versions" / v).iterdir()} == {
            "innovations.parquet",
            "manifest.json",
            "parts",
        }
    # a new version renders only the part that changed; the others are the same files, linked
    for older, newer in zip(versions[19:-1], versions[20:]):
        a, b = (
            (out / "portal_versions" / older / "parts"),
            (out / "portal_versions" / newer / "parts"),
        )
        assert sorted(p.name for p in b.iterdir()) == [
            f"JIP-0{n}.{fmt}" for n in range(4) for fmt in ("csv", "json", "parquet")
        ]
        for f in b.iterdir():
            assert (f.stat().st_ino == (a / f.name).stat().st_ino) == (
                not f.name.startswith("JIP-00")
            )
    # every kept version restores, byte for byte what was published, table included
    for manifest, csv in [p for p in published if p[0]["version"] in left]:
        restored = restore(wh, out, manifest["version"])
        assert restored["checksum"] == manifest["checksum"]
        assert (out / "portal" / "innovations.csv").read_bytes() == csv
        for name in FILES:
            assert (out / "portal" / name).exists()
        table = wh.read_sql("SELECT * FROM portal_innovations ORDER BY innovation_id")
        assert content_checksum(table) == manifest["checksum"]
        assert (
            json.loads((out / "portal" / "manifest.json").read_text())["version"]
            == manifest["version"]
        )
    # the same bound on the gates' history: per suite, the newest 30 and one a day for 90 days
    for suite in ("harmonized_innovations", "portal_candidate"):
        prune_quality(wh, out, suite, Retention(), NOW)
    kept = history.evaluations(wh)
    assert kept.groupby("suite").size().to_dict() == {
        "harmonized_innovations": 31,
        "portal_candidate": 31,
    }
    assert set(kept[kept["suite"] == "portal_candidate"]["checksum"]) == {
        m["checksum"] for m, _ in published[19:]
    }


def test_retention_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("JIPPNAS_PORTAL_KEEP_VERSIONS", "5")
    monkeypatch.setenv("JIPPNAS_PORTAL_KEEP_DAYS", "7")
    assert Retention.from_env() == Retention(5, 7)
    monkeypatch.setenv("JIPPNAS_PORTAL_KEEP_VERSIONS", "lima")
    with pytest.raises(
        ValueError, match="JIPPNAS_PORTAL_KEEP_VERSIONS='lima': expected a whole number"
    ):
        Retention.from_env()
