"""The in-process cost of the heavy harmonization steps on a generated set, old way beside new.

usage: python -m benchmarks.bench_steps [SCALE]   (default 45; the set is made once in benchmarks/.work)

Each step is timed on the same inputs in one process, with the way it was done before beside it where
the change was a rewrite (the outputs are compared and must be equal):
- matching: match_records with one worker process and with one per core (identical result);
- merge: the per-innovation joins (`join_runs` against pandas groupby(...).agg(str.join));
- public provenance JSON (one pass over sorted rows against a dict per innovation);
- SQLite bulk load of field_provenance: Warehouse.replace_table (one DBAPI executemany of tuples)
  against SQLAlchemy insert() with a dict per row, and the floor: plain sqlite3 executemany of the
  same tuples into a bare table.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.bench_pipeline import generated  # noqa: E402
from jippnas_orchestration.harmonize.matching import match_records, match_workers  # noqa: E402
from jippnas_orchestration.harmonize.merge import join_runs  # noqa: E402
from jippnas_orchestration.harmonize.pipeline import build_staged  # noqa: E402
from jippnas_orchestration.harmonize.provenance import build_provenance, public_provenance  # noqa: E402
from jippnas_orchestration.harmonize.quality import evaluate, load_truth  # noqa: E402
from jippnas_orchestration.publication.public import PUBLIC_COLUMNS  # noqa: E402
from jippnas_orchestration.sources.iga import read_iga  # noqa: E402
from jippnas_orchestration.sources.inolan import read_inolan  # noqa: E402
from jippnas_orchestration.sources.kipp import read_kipp  # noqa: E402
from jippnas_orchestration.warehouse import Warehouse, table_for  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def timed(fn, *args, **kw):
    start = time.perf_counter()
    out = fn(*args, **kw)
    return out, round(time.perf_counter() - start, 2)


def _grouped_join(keys: pd.Series, values: pd.Series, sep: str) -> pd.Series:
    """The way merge joined before: a pandas group per innovation."""
    return (
        pd.DataFrame({"k": keys, "v": values.astype(str)})
        .groupby("k", sort=False)["v"]
        .agg(sep.join)
    )


def main() -> None:
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else 45
    data, _ = generated(scale, 7)
    out: dict = {"scale": scale, "cpus": os.cpu_count(), "load_before": os.getloadavg()[0]}
    raws = [
        read_kipp(data / "kipp").records,
        read_iga(str(data / "iga")).records,
        read_inolan(data / "inolan.csv").records,
    ]
    staged = build_staged(*raws)[0]
    records = staged[["source", "source_record_id", "agency_id", "title"]]
    out["records"] = len(records)
    workers = max(2, match_workers(len(records)))
    one, out["match_1_worker_s"] = timed(match_records, records, workers=1)
    many, out[f"match_{workers}_workers_s"] = timed(match_records, records, workers=workers)
    out["match_workers"] = workers
    out["match_identical"] = bool(
        one.clusters.equals(many.clusters)
        and one.rule.equals(many.rule)
        and one.review_pairs.equals(many.review_pairs)
    )
    source_map = pd.DataFrame(
        {
            "source": records["source"],
            "source_record_id": records["source_record_id"],
            "innovation_id": "INV-" + one.clusters.astype(str),
        }
    )
    out["matching_quality"] = {
        k: v
        for k, v in evaluate(source_map, staged, load_truth(data / "ground_truth.csv")).items()
        if k in ("precision", "recall")
    }
    keyed = source_map.sort_values(["innovation_id", "source", "source_record_id"])
    key_text = keyed["source"] + ":" + keyed["source_record_id"].astype(str)
    new, out["join_runs_s"] = timed(join_runs, keyed["innovation_id"], key_text, "; ")
    old, out["groupby_agg_join_s"] = timed(_grouped_join, keyed["innovation_id"], key_text, "; ")
    out["join_identical"] = bool(new.to_dict() == old.to_dict())
    empty_log = pd.DataFrame(
        columns=[
            "innovation_id",
            "field",
            "submission_id",
            "submitted_at",
            "change_id",
            "new_value",
        ]
    )
    provenance, out["build_provenance_s"] = timed(build_provenance, staged, source_map, empty_log)
    out["provenance_rows"] = len(provenance)
    _, out["public_provenance_s"] = timed(public_provenance, provenance, list(PUBLIC_COLUMNS))
    with tempfile.TemporaryDirectory() as tmp:
        wh = Warehouse(f"sqlite:///{tmp}/w.sqlite")
        _, out["sqlite_replace_table_s"] = timed(wh.replace_table, "field_provenance", provenance)
        engine = sa.create_engine(f"sqlite:///{tmp}/old.sqlite")
        with engine.begin() as conn:
            table_for("field_provenance", provenance).create(conn)
        rows = provenance.astype(object).where(provenance.notna(), None)

        def sqlalchemy_insert() -> None:
            with engine.begin() as conn:
                target = sa.Table("field_provenance", sa.MetaData(), autoload_with=conn)
                conn.execute(target.insert(), rows.to_dict("records"))

        _, out["sqlite_sqlalchemy_insert_s"] = timed(sqlalchemy_insert)
        tuples = list(rows.itertuples(index=False, name=None))

        def floor() -> None:
            con = sqlite3.connect(f"{tmp}/floor.sqlite")
            con.execute(
                f"CREATE TABLE t ({', '.join(f'c{i}' for i in range(provenance.shape[1]))})"
            )
            con.executemany(
                f"INSERT INTO t VALUES ({', '.join('?' * provenance.shape[1])})", tuples
            )
            con.commit()
            con.close()

        _, out["sqlite_floor_executemany_s"] = timed(floor)
    out["load_after"] = os.getloadavg()[0]
    out["measured_at"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"steps_scale{scale}.json").write_text(json.dumps(out, indent=1))
    print(json.dumps(out, indent=1))


def steps_section(r: dict | None) -> list[str]:
    if not r:
        return []
    w = r["match_workers"]
    return [
        f"## Heavy steps in process, scale {r['scale']}",
        "",
        f"`python -m benchmarks.bench_steps {r['scale']}` ({r['records']:,} staged records; {r['cpus']} cores, "
        f"load average {r['load_before']:.1f} before / {r['load_after']:.1f} after; {r['measured_at']}). "
        "Each rewrite timed beside the way it replaced, on the same inputs, outputs compared.",
        "",
        "| step | before | now | floor / note |",
        "|---|---:|---:|---|",
        f"| matching (`match_records`) | {r['match_1_worker_s']} s (1 process) | {r[f'match_{w}_workers_s']} s "
        f"({w} worker processes) | identical result: {r['match_identical']}; precision / recall "
        f"{r['matching_quality']['precision']} / {r['matching_quality']['recall']} |",
        f"| per-innovation joins (merge) | {r['groupby_agg_join_s']} s (groupby agg) | {r['join_runs_s']} s "
        f"(`join_runs`) | identical: {r['join_identical']} |",
        f"| field_provenance rows | – | {r['build_provenance_s']} s | {r['provenance_rows']:,} rows |",
        f"| public provenance JSON | – | {r['public_provenance_s']} s | |",
        f"| SQLite load of field_provenance | {r['sqlite_sqlalchemy_insert_s']} s (SQLAlchemy insert) | "
        f"{r['sqlite_replace_table_s']} s (`replace_table`) | floor: plain sqlite3 executemany "
        f"{r['sqlite_floor_executemany_s']} s |",
        "",
    ]


if __name__ == "__main__":
    main()
