"""Exact per-agency totals, from which campaign_history's snapshot and national_summary are derived.

Both outputs are functions of totals per programme x agency (x agency type): innovations, updated,
scored (completeness present) and the completeness sum. A full rebuild takes the totals of the
whole table; a submission run recomputes the totals of the agencies whose innovations changed and
derives the outputs from all totals, so both give the same rows. The completeness sum is kept in
integer units of 1/10,000 (scores are rounded to four decimals): integers add up the same in any
order and grouping, which float sums do not.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from ..vocab import PROGRAMMES
from ..warehouse import Tx, column_list

ALL = "ALL"  # every innovation once
UNITS = 10_000
COUNTS = ["innovations", "updated", "scored", "units"]


def totals(harmonized: pd.DataFrame, by_type: bool = False) -> pd.DataFrame:
    """One row per programme (ALL and each source programme it came from) x agency_id
    (x agency_type when `by_type`): innovations, updated, scored, units. A missing agency_id is a
    group of its own (NULL), counted in national figures only."""
    completeness = harmonized["completeness"].astype(float)
    h = pd.DataFrame(
        {
            "agency_id": harmonized["agency_id"],
            "_updated": (harmonized["update_status"] == "updated").astype("int64"),
            "_scored": completeness.notna().astype("int64"),
            "_units": (completeness * UNITS).round().fillna(0).astype("int64"),
        }
    )
    keys = ["programme", "agency_id"]
    if by_type:
        h["agency_type"] = harmonized["agency_type"]
        keys.append("agency_type")
    each = h.assign(programme=harmonized["sources"].fillna("").str.split(",")).explode("programme")
    long = pd.concat([h.assign(programme=ALL), each[each["programme"].isin(PROGRAMMES)]])
    g = long.groupby(keys, sort=True, dropna=False)
    out = pd.DataFrame(
        {
            "innovations": g.size(),
            "updated": g["_updated"].sum(),
            "scored": g["_scored"].sum(),
            "units": g["_units"].sum(),
        }
    ).reset_index()
    return out.astype({c: "int64" for c in COUNTS})


def mean(t: pd.DataFrame) -> pd.Series:
    """Mean completeness of each row of totals (NaN where none is scored). For scores that are
    binary fractions (k/8 with eight required fields) this is bit for bit pandas' mean."""
    scored = t["scored"].astype(float)
    return (t["units"].astype(float) / UNITS / scored).where(scored > 0)


def store(tx: Tx, table: str, df: pd.DataFrame, agencies: Iterable[str] | None = None):
    """Write totals: the whole table (`agencies` None) or the rows of these agencies; return all."""
    if agencies is None or not tx.has_table(table):
        tx.replace_table(table, df)
        return df
    tx.replace_keys(table, "agency_id", agencies, df)
    return read(tx, table)


def read(tx: Tx, table: str) -> pd.DataFrame:
    return tx.query(f'SELECT * FROM "{table}"').astype({c: "int64" for c in COUNTS})


def rebuild(tx: Tx, table: str, columns: Iterable[str], by_type: bool = False) -> pd.DataFrame:
    """The totals of the whole harmonized table, stored in `table`."""
    harmonized = tx.query(f"SELECT {column_list(columns)} FROM harmonized_innovations")
    return store(tx, table, totals(harmonized, by_type))


def recount(
    tx: Tx, table: str, changed: set[str], columns: Iterable[str], by_type: bool = False
) -> tuple[pd.DataFrame, set[str]] | str:
    """Recount the agencies of the `changed` innovations in `table`: every total and those
    agencies, or why the totals cannot be recounted so."""
    owners = tx.rows_where_in("harmonized_innovations", "innovation_id", changed, '"agency_id"')
    if owners["agency_id"].isna().any():
        return "a changed innovation has no agency"
    if not tx.has_table(table):
        return f"no totals in {table} yet"
    agencies = set(owners["agency_id"])
    if not agencies:
        return read(tx, table), agencies
    rows = tx.rows_where_in("harmonized_innovations", "agency_id", agencies, column_list(columns))
    return store(tx, table, totals(rows, by_type), agencies), agencies
