"""The portal's opportunities.csv and opportunities.json: replication_opportunities, public fields only.

One row per suggestion: the agency it is for (id, name), the affair, the rank, the suggested
innovation (id and title as the portal publishes them: from portal_candidate, so personal data is
already scrubbed from it) and its agency (id, name), the score and the Indonesian reason. Nothing
about people. The CSV follows the formula-text policy of every CSV meant for people
(`cells.csv_rows`); the JSON carries the values as they are. Written into each portal version by
`publication.publish` (listed in the manifest's `files`).
"""

from __future__ import annotations

import json

import pandas as pd

from ..cells import csv_header, csv_rows
from ..warehouse import Warehouse
from .replication_opportunities import OPPORTUNITY_COLUMNS

# what the public file is made from: the table's columns but the comparability flags
READ_COLUMNS = [c for c in OPPORTUNITY_COLUMNS if c not in ("same_province", "same_type")]

FILES = ("opportunities.csv", "opportunities.json")
PUBLIC_COLUMNS = [
    "agency_id",
    "agency_name",
    "affair",
    "rank",
    "innovation_id",
    "title",
    "source_agency_id",
    "source_agency_name",
    "score",
    "reason",
]


def public_opportunities(
    opportunities: pd.DataFrame, candidate: pd.DataFrame, agencies: pd.DataFrame
) -> pd.DataFrame:
    """The published rows: opportunities joined with the candidate's title and agency names.
    A suggestion whose innovation is not in the candidate (not published) is left out."""
    names = agencies.set_index("agency_id")["agency_name"]
    titles = candidate[["innovation_id", "title"]]
    df = opportunities.merge(titles, on="innovation_id", how="inner")
    df["agency_name"] = df["agency_id"].map(names)
    df["source_agency_name"] = df["source_agency_id"].map(names)
    df["rank"] = pd.to_numeric(df["rank"]).astype("int64")
    df["score"] = pd.to_numeric(df["score"]).astype(float).round(2)
    df = df.sort_values(["agency_id", "affair", "rank"], kind="mergesort")
    return df[PUBLIC_COLUMNS].reset_index(drop=True)


def render(df: pd.DataFrame) -> dict[str, bytes]:
    """{file name: bytes}: the CSV (formula policy) and the JSON (values as they are)."""
    # column by column, then zipped: several times faster than to_dict("records"), same values
    columns = {c: df[c].astype(object).where(df[c].notna(), None).tolist() for c in df.columns}
    records = [dict(zip(columns, row)) for row in zip(*columns.values())]
    return {
        "opportunities.csv": (csv_header(df.columns) + csv_rows(df)).encode("utf-8"),
        "opportunities.json": json.dumps(records, ensure_ascii=False).encode("utf-8"),
    }


def opportunity_files(wh: Warehouse) -> dict[str, bytes] | None:
    """The files for the next portal version, or None before replication_opportunities exists."""
    if not wh.has_table("replication_opportunities") or not wh.has_table("portal_candidate"):
        return None
    # the titles of the suggested innovations only (by the candidate's key), not of every one
    titles = wh.read_sql(
        "SELECT innovation_id, title FROM portal_candidate WHERE innovation_id IN "
        "(SELECT DISTINCT innovation_id FROM replication_opportunities)"
    )
    return render(
        public_opportunities(
            wh.read_table("replication_opportunities", READ_COLUMNS),
            titles,
            wh.read_table("agencies", ["agency_id", "agency_name"]),
        )
    )
