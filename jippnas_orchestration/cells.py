"""Formula-like text in the CSV and XLSX files a person opens: one policy, used by every writer.

Excel, LibreOffice and Google Sheets evaluate a cell whose text begins with `=`, `+`, `-` or `@`
(and, after a tab or carriage return, what follows), so a submitted title such as
`=HYPERLINK("http://…"&A1, "klik")` would run when a reader opens the published CSV or the
follow-up workbook. Following OWASP's CSV-injection guidance, a text cell that begins with one of
those characters is written with a leading apostrophe (`'`), which spreadsheets show as text.

To keep the rendering one-to-one (the portal's part digests are taken over the CSV bytes, so two
different values must never render alike), a text that already is one or more apostrophes
followed by such a character gets one apostrophe more too: `'=1` is written `''=1`. A reader gets
the submitted value back by removing one leading apostrophe from a cell that matches
`^'+[=+\\-@\\t\\r]` (`unescape`). Numbers stay numbers (a -5 in a numeric column is not touched);
only text is. JSON, Parquet and the warehouse keep every value exactly as submitted.

A carriage return inside a text is a second way in: Python's csv writer (3.11) leaves a field
holding a bare CR unquoted when lines end in "\n", and a spreadsheet starts a new row there, whose
first cell may be `=…`. `csv_rows` therefore quotes every field holding a CR.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

TRIGGERS = "=+-@\t\r"  # what makes a spreadsheet read a text cell as a formula
PREFIX = "'"
_ESCAPED = re.compile(r"'*[=+\-@\t\r]")  # escaped: zero or more apostrophes, then a trigger
_FIRST = set(TRIGGERS + PREFIX)
# recorded with the portal candidate: a candidate built with another rendering is rebuilt whole
RENDERING = "csv-cells-1"


def _needs(value) -> bool:
    return isinstance(value, str) and value[:1] in _FIRST and _ESCAPED.match(value) is not None


def safe_cell(value):
    """The value as a CSV/XLSX cell: formula-like text with a leading apostrophe; else unchanged."""
    return PREFIX + value if _needs(value) else value


def unescape(cell):
    """The value `safe_cell` was given (one leading apostrophe removed where it added one)."""
    if isinstance(cell, str) and cell.startswith(PREFIX) and _ESCAPED.match(cell[1:]):
        return cell[1:]
    return cell


def safe_row(values):
    return [safe_cell(v) for v in values]


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """`df` with `safe_cell` applied to its text columns; `df` itself when nothing needs it."""
    out = df
    for name in df.columns:
        column = df[name]
        if column.dtype != object and not pd.api.types.is_string_dtype(column.dtype):
            continue  # numbers, booleans, dates: never text
        values = column.tolist()
        if not any(_needs(v) for v in values):
            continue
        if out is df:
            out = df.copy()
        out[name] = pd.Series(
            [safe_cell(v) for v in values], index=column.index, dtype=column.dtype
        )
    return out


def csv_header(columns: Iterable[str]) -> str:
    return pd.DataFrame(columns=list(columns)).to_csv(index=False)


def csv_rows(frame: pd.DataFrame, made_safe: bool = False) -> str:
    """`frame`'s rows as CSV (pandas' rendering, lines ending in "\n", no header) under the policy.

    A row holding a carriage return is rendered on its own with "\r\n" as line end, which makes
    the csv writer quote the field holding it, and then ended with "\n" like the others; every
    other row keeps pandas' bytes (a row's rendering does not depend on the rows beside it).
    `made_safe`: `safe_frame` was applied already (it is not idempotent: never twice)."""
    frame = frame if made_safe else safe_frame(frame)
    text = frame.to_csv(index=False, header=False)
    if "\r" not in text:
        return text
    texts = [
        c
        for c in frame.columns
        if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c].dtype)
    ]
    lines = []
    for i in range(len(frame)):
        row = frame.iloc[[i]]
        if any(isinstance(v, str) and "\r" in v for v in row[texts].iloc[0]):
            lines.append(row.to_csv(index=False, header=False, lineterminator="\r\n")[:-2] + "\n")
        else:
            lines.append(row.to_csv(index=False, header=False))
    return "".join(lines)


_ROW_END = "\x1e\n"  # a record separator before each line end: where one row's CSV ends


def csv_lines(safe: pd.DataFrame) -> list[str] | None:
    """Each row's line as `csv_rows` renders it, from one rendering of the whole frame (a rendering
    per part costs more than its rows). `safe`: `safe_frame` applied. None when a text holds a
    carriage return (`csv_rows` renders those rows apart) or the separator itself (it would
    change the quoting): render part by part with `csv_rows` then."""
    text = safe.to_csv(index=False, header=False, lineterminator=_ROW_END)
    if "\r" in text or text.count("\x1e") != len(safe):
        return None
    return [line + "\n" for line in text.split(_ROW_END)[:-1]]
