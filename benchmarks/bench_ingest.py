"""Ingest the 150,000-record scaled set into PostgreSQL; compare with a plain COPY of the same rows.

usage: python benchmarks/bench_ingest.py POSTGRES_URL
"""

import io
import sys

import sqlalchemy as sa

from benchmarks.common import save, scaled_data, timed
from jippnas_orchestration.sources.iga import read_iga
from jippnas_orchestration.sources.inolan import read_inolan
from jippnas_orchestration.sources.kipp import read_kipp
from jippnas_orchestration.sources.landing import land
from jippnas_orchestration.warehouse import Warehouse, table_for


def floor_copy(wh: Warehouse, name: str, df) -> tuple[float, float]:
    """A plain COPY of the same rows into an empty table of the same shape: (COPY alone, CSV rendering + COPY)."""
    import time

    render_start = time.perf_counter()
    text = df.to_csv(index=False, header=False)
    render = time.perf_counter() - render_start
    with wh.begin() as conn:
        conn.exec_driver_sql(f'DROP TABLE IF EXISTS "{name}_floor"')
        table_for(f"{name}_floor", df).create(conn)
    raw = wh.engine.raw_connection()
    try:
        cur = raw.cursor()
        start = time.perf_counter()
        cur.copy_expert(f'COPY "{name}_floor" FROM STDIN WITH (FORMAT csv)', io.StringIO(text))
        raw.commit()
        copy = time.perf_counter() - start
        return round(copy, 2), round(copy + render, 2)
    finally:
        raw.close()


def main(url: str) -> None:
    data = scaled_data()
    wh = Warehouse(url)
    out: dict = {"source_records": 0, "sources": {}}
    for name, read in (
        ("raw_kipp", lambda: read_kipp(data / "kipp")),
        ("raw_iga", lambda: read_iga(str(data / "iga"))),
        ("raw_inolan", lambda: read_inolan(data / "inolan.csv")),
    ):
        t: dict = {}
        with timed(t, "read_s"):
            result = read()
        with timed(t, "write_s"):
            land(wh, name, result)
        t["rows_read"], t["rows_landed"], t["rows_rejected"] = (
            result.rows_read,
            len(result.records),
            len(result.rejected),
        )
        t["floor_copy_s"], t["floor_render_and_copy_s"] = floor_copy(wh, name, result.records)
        out["sources"][name] = t
        out["source_records"] += result.rows_read
    total = sum(s["read_s"] + s["write_s"] for s in out["sources"].values())
    write = sum(s["write_s"] for s in out["sources"].values())
    floor = sum(s["floor_copy_s"] for s in out["sources"].values())
    floor_rendered = sum(s["floor_render_and_copy_s"] for s in out["sources"].values())
    out.update(
        total_s=round(total, 2),
        write_s=round(write, 2),
        floor_copy_s=round(floor, 2),
        floor_render_and_copy_s=round(floor_rendered, 2),
        rows_per_s=round(out["source_records"] / total),
        landed_rows_per_s_write=round(
            sum(s["rows_landed"] for s in out["sources"].values()) / write
        ),
    )
    with wh.begin() as conn:
        for name in out["sources"]:
            conn.execute(sa.text(f'DROP TABLE IF EXISTS "{name}_floor"'))
    save("ingest", out)


if __name__ == "__main__":
    main(sys.argv[1])
