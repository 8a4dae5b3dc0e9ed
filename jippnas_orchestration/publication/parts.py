"""The published dataset by part: one canonical rendering, per-part files, digests and the checksum.

A part is the innovations whose id starts alike (incremental.part_of: "JIP-" and two hex digits,
256 parts). Every part renders on its own to CSV, JSON and Parquet with fixed column types, so a
part's bytes do not depend on which other rows are published beside it; the combined files are
the parts put together (CSV: one header, then every part's rows; JSON: one array; Parquet: the
parts' tables). A publication therefore renders only the parts whose content changed and links
the others from the version before.

The dataset checksum is the sha256 over the column names and each part's digest, the sha256 of
the part's CSV rows as written (formula-like text behind an apostrophe: `cells`, one-to-one). The candidate asset and the publication compute it from the same rendering,
and so do tests from any DataFrame holding the same content (`content_checksum`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd

from .. import cells
from ..incremental import PART_CHARS

# the public columns with numbers; every other public column is text
INTEGER_COLUMNS = ("year_first", "year_last", "start_year", "replication_count")
FLOAT_COLUMNS = ("completeness",)
LIST_COLUMNS = {"sdgs": ",", "sources": ",", "awards": "; ", "replicated_by": ",", "similar": ","}
FORMATS = ("csv", "json", "parquet")
PARTS_DIR = "parts"
CHECKSUM_ALGORITHM = (
    "sha256 over the column names and, per part in order, the sha256 of its CSV rows"
)


def canonical(df: pd.DataFrame) -> pd.DataFrame:
    """`df` in key order with the published types: whole numbers as integers (missing: empty), not
    as the floats pandas infers when a NULL stands beside them; text as text or None."""
    out = df.sort_values("innovation_id", kind="stable").reset_index(drop=True)
    for column in out.columns:
        if column in INTEGER_COLUMNS:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("Int64")
        elif column in FLOAT_COLUMNS:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype("float64")
        else:
            out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def split(df: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """A canonical frame's parts, in part order (ids sorted: each part is one contiguous run)."""
    if df.empty:
        return {}
    keys = df["innovation_id"].astype(str).str.slice(0, PART_CHARS)
    return {part: frame.reset_index(drop=True) for part, frame in df.groupby(keys, sort=True)}


def csv_rows(part: pd.DataFrame) -> str:
    """A part's CSV rows as published: formula-like text behind an apostrophe (`cells`), so the
    digest is taken over the bytes written. JSON and Parquet render the values as they are."""
    return cells.csv_rows(part)


def csv_header(columns: Iterable[str]) -> str:
    return pd.DataFrame(columns=list(columns)).to_csv(index=False)


def part_digest(rows_csv: str) -> str:
    return hashlib.sha256(rows_csv.encode("utf-8")).hexdigest()


def dataset_checksum(columns: Iterable[str], digests: dict[str, str]) -> str:
    h = hashlib.sha256(json.dumps(list(columns), ensure_ascii=False).encode("utf-8"))
    for part in sorted(digests):
        h.update(f"\n{part}:{digests[part]}".encode())
    return h.hexdigest()


def digests_of(df: pd.DataFrame) -> dict[str, tuple[str, int]]:
    """part -> (digest, rows) of a canonical frame."""
    return {p: (part_digest(csv_rows(f)), len(f)) for p, f in split(df).items()}


def content_checksum(df: pd.DataFrame) -> str:
    """Checksum of a dataset's content, however it was read (independent of when it was written)."""
    frame = canonical(df)
    return dataset_checksum(frame.columns, {p: d for p, (d, _) in digests_of(frame).items()})


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


def write_part(part: pd.DataFrame, directory: Path, name: str) -> dict[str, str]:
    """A part's three files, each a whole dataset of its own; their sha256."""
    import pyarrow.parquet as pq

    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.csv").write_text(csv_header(part.columns) + csv_rows(part), "utf-8")
    (directory / f"{name}.json").write_text(json_text(part), "utf-8")
    pq.write_table(arrow_table(part), directory / f"{name}.parquet")
    return {fmt: sha256_file(directory / f"{name}.{fmt}") for fmt in FORMATS}


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
