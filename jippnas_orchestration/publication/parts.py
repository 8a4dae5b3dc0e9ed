"""The published dataset by part: per-part files in CSV, JSON and Parquet, and the combined files.

Every part renders on its own to CSV, JSON and Parquet with fixed column types, so a part's bytes
do not depend on which other rows are published beside it; the combined files are the parts put
together (CSV: one header, then every part's rows; JSON: one array; Parquet: the parts' tables).
A publication therefore renders only the parts whose content changed and links the others from
the version before. The parts, their digests and the dataset checksum are the one scheme of
jippnas_orchestration.incremental.digests.
"""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from .. import cells
from ..cells import csv_header, csv_rows
from ..incremental.digests import (  # noqa: F401  (re-exported: publication reads them here)
    CHECKSUM_ALGORITHM,
    FLOAT_COLUMNS,
    INTEGER_COLUMNS,
    canonical,
    content_checksum,
    dataset_checksum,
    digests_of,
    part_digest,
    split,
)

FORMATS = ("csv", "json", "parquet")
# the JSON's lists and how the CSV joins them
LIST_COLUMNS = {"sdgs": ",", "sources": ",", "awards": "; ", "replicated_by": ",", "similar": ","}
PARTS_DIR = "parts"


def records(df: pd.DataFrame) -> list[dict]:
    """The JSON records of the portal's search: lists as lists, provenance as an object.

    Column by column (a row-wise to_dict costs several times more at national scale)."""
    columns = {}
    for name in df.columns:
        values = df[name].astype(object).where(df[name].notna(), None).tolist()
        if name in LIST_COLUMNS:  # versions published before issue 13 have no `similar`
            sep = LIST_COLUMNS[name]
            values = [v.split(sep) if v else [] for v in values]
            if name == "sdgs":
                values = [[int(x) for x in v] for v in values]
        elif name == "provenance":
            values = [json.loads(v) if v else {} for v in values]
        columns[name] = values
    names = list(columns)
    return [dict(zip(names, row)) for row in zip(*columns.values())]


def json_text(df: pd.DataFrame) -> str:
    return json.dumps(records(df), ensure_ascii=False, default=str)


def arrow_table(df: pd.DataFrame):
    import pyarrow as pa

    fields = [
        pa.field(
            c,
            pa.int64()
            if c in INTEGER_COLUMNS
            else pa.float64()
            if c in FLOAT_COLUMNS
            else pa.string(),
        )
        for c in df.columns
    ]
    return pa.Table.from_pandas(df, schema=pa.schema(fields), preserve_index=False)


def sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


BATCH_ROWS = 20_000  # parts rendered together up to about this many rows: memory stays bounded


def write_parts(frames: dict[str, pd.DataFrame], directory: Path) -> dict[str, dict[str, str]]:
    """Each part's three files, each a whole dataset of its own; part -> {format: sha256}.

    The CSV lines, JSON records and Arrow table of several parts come from one pass over them
    together (a pandas pass per part costs more than its few hundred rows); a part's bytes are
    the same as when it is rendered alone (the Arrow schema and its pandas metadata follow the
    fixed column types, not the values)."""
    directory.mkdir(parents=True, exist_ok=True)
    written, batch, rows = {}, {}, 0
    for name, frame in frames.items():
        batch[name] = frame
        rows += len(frame)
        if rows >= BATCH_ROWS:
            written |= _write_together(batch, directory)
            batch, rows = {}, 0
    return written | _write_together(batch, directory)


def _write_together(frames: dict[str, pd.DataFrame], directory: Path) -> dict[str, dict[str, str]]:
    import pyarrow.parquet as pq

    if len({tuple(f.dtypes) for f in frames.values()}) > 1:  # concat would retype: one by one
        return {name: _write_together({name: f}, directory)[name] for name, f in frames.items()}
    if not frames:
        return {}
    whole = pd.concat(frames.values(), ignore_index=True)
    header, objects, table = csv_header(whole.columns), records(whole), arrow_table(whole)
    lines = cells.csv_lines(cells.safe_frame(whole))  # None: CSV rows rendered part by part
    out, start = {}, 0
    for name, part in frames.items():
        end = start + len(part)
        body = "".join(lines[start:end]) if lines is not None else csv_rows(part)
        (directory / f"{name}.csv").write_text(header + body, "utf-8")
        text = json.dumps(objects[start:end], ensure_ascii=False, default=str)
        (directory / f"{name}.json").write_text(text, "utf-8")
        pq.write_table(table.slice(start, len(part)), directory / f"{name}.parquet")
        out[name] = {fmt: sha256_file(directory / f"{name}.{fmt}") for fmt in FORMATS}
        start = end
    return out


COMBINED = ("innovations.csv", "innovations.parquet", "innovations.json")


def combine(
    src: Path, dest: Path, parts: list[str], columns: list[str], names=COMBINED
) -> dict[str, str]:
    """The combined innovations.{csv,json,parquet} in `dest` from the part files in `src`; sha256s.

    CSV and JSON are streamed: each part file is read once and hashed as it is written."""
    jobs = {}
    if "innovations.csv" in names:
        header = csv_header(columns).encode("utf-8")
        jobs["innovations.csv"] = (
            _concatenate,
            (dest / "innovations.csv", header, b"", b"", src, parts, "csv"),
        )
    if "innovations.json" in names:
        jobs["innovations.json"] = (
            _concatenate,
            (dest / "innovations.json", b"[", b", ", b"]", src, parts, "json"),
        )
    if "innovations.parquet" in names:
        jobs["innovations.parquet"] = (
            _parquet,
            (dest / "innovations.parquet", src, parts, columns),
        )
    # file I/O, hashing and Arrow release the GIL: the three files are written side by side
    with ThreadPoolExecutor(max_workers=len(jobs) or 1) as pool:
        futures = {name: pool.submit(fn, *args) for name, (fn, args) in jobs.items()}
        return {name: f.result() for name, f in futures.items()}


def _parquet(path: Path, src: Path, parts: list[str], columns: list[str]) -> str:
    import pyarrow as pa
    import pyarrow.parquet as pq

    # ParquetFile.read: a third of read_table's time per small file (no dataset discovery)
    tables = [pq.ParquetFile(src / f"{p}.parquet").read() for p in parts]
    table = (
        pa.concat_tables(tables)
        if tables
        else arrow_table(canonical(pd.DataFrame(columns=columns)))
    )
    pq.write_table(table, path)
    return sha256_file(path)


def _concatenate(
    path: Path, head: bytes, sep: bytes, tail: bytes, src: Path, parts: list[str], fmt: str
) -> str:
    """head, each part's body (CSV: below its header; JSON: inside its brackets) joined by sep, tail."""
    h = hashlib.sha256()
    with path.open("wb") as out:

        def put(data: bytes) -> None:
            out.write(data)
            h.update(data)

        put(head)
        for i, part in enumerate(parts):
            data = (src / f"{part}.{fmt}").read_bytes()
            body = data[data.index(b"\n") + 1 :] if fmt == "csv" else data[1:-1]
            put((sep if i else b"") + body)
        put(tail)
    return h.hexdigest()
