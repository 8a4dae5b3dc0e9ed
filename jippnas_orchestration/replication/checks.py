"""What the replication tables must satisfy, as plain functions over the warehouse (the asset checks
in assets/replication/checks.py call them). Each returns the offending rows (empty: passed)."""

from __future__ import annotations

import re

import pandas as pd

from ..columns import EMAIL, PHONE
from ..vocab import STOPPED
from ..warehouse import Warehouse
from .affair_coverage import REGION_TYPES

_REGIONS = ", ".join(f"'{t}'" for t in REGION_TYPES)


def bad_suggestions(wh: Warehouse) -> pd.DataFrame:
    """Suggestions pointing to the agency itself, to a stopped innovation or to none, or whose
    reason carries an e-mail address or a phone number."""
    df = wh.read_sql(
        "SELECT o.agency_id, o.affair, o.rank, o.innovation_id, o.reason, "
        "h.agency_id AS owner, h.status FROM replication_opportunities o "
        "LEFT JOIN harmonized_innovations h ON h.innovation_id = o.innovation_id"
    )
    personal = df["reason"].fillna("").str.contains(f"{EMAIL}|{PHONE}", regex=True)
    problem = pd.Series(None, index=df.index, dtype=object)
    problem[personal] = "personal data in reason"
    problem[df["status"].fillna("") == STOPPED] = "stopped innovation"
    problem[df["owner"] == df["agency_id"]] = "same agency"
    problem[df["owner"].isna()] = "unknown innovation"
    return df.assign(problem=problem)[problem.notna()]


def unknown_replicating_agencies(wh: Warehouse) -> pd.DataFrame:
    return wh.read_sql(
        "SELECT r.innovation_id, r.replicating_agency_id FROM innovation_replications r "
        "LEFT JOIN agencies a ON a.agency_id = r.replicating_agency_id WHERE a.agency_id IS NULL"
    )


def coverage_mismatches(wh: Warehouse) -> pd.DataFrame:
    """Cells whose counts differ from a count made afresh in SQL from harmonized_innovations, their
    affairs and the replications (active: status not berhenti); also innovations with no affair
    row or more than one."""
    active = f"(h.status IS NULL OR h.status <> '{STOPPED}')"
    own = wh.read_sql(
        "SELECT h.agency_id, f.affair, COUNT(*) AS own_expected FROM harmonized_innovations h "
        f"JOIN innovation_affairs f ON f.innovation_id = h.innovation_id WHERE {active} "
        "AND f.affair IS NOT NULL GROUP BY h.agency_id, f.affair"
    )
    total = wh.read_sql(
        "SELECT agency_id, affair, COUNT(DISTINCT innovation_id) AS expected FROM ("
        "SELECT h.agency_id, f.affair, h.innovation_id FROM harmonized_innovations h "
        f"JOIN innovation_affairs f ON f.innovation_id = h.innovation_id WHERE {active} "
        "AND f.affair IS NOT NULL UNION "
        "SELECT r.replicating_agency_id, f.affair, h.innovation_id FROM innovation_replications r "
        "JOIN harmonized_innovations h ON h.innovation_id = r.innovation_id "
        f"JOIN innovation_affairs f ON f.innovation_id = h.innovation_id WHERE {active} "
        "AND f.affair IS NOT NULL) t GROUP BY agency_id, affair"
    )
    cov = wh.read_sql(
        "SELECT agency_id, affair, covered, innovations, own_innovations FROM affair_coverage"
    )
    df = cov.merge(own, on=["agency_id", "affair"], how="left").merge(
        total, on=["agency_id", "affair"], how="left"
    )
    df[["own_expected", "expected"]] = df[["own_expected", "expected"]].fillna(0).astype(int)
    wrong = (
        (df["own_innovations"] != df["own_expected"])
        | (df["innovations"] != df["expected"])
        | (df["covered"].astype(bool) != (df["expected"] > 0))
    )
    out = df[wrong].assign(problem="counts differ")
    regions = wh.read_sql(f"SELECT COUNT(*) AS n FROM agencies WHERE agency_type IN ({_REGIONS})")
    if len(cov) != int(regions["n"].iloc[0]) * cov["affair"].nunique() if len(cov) else False:
        out = pd.concat([out, pd.DataFrame([{"problem": "not every region x affair"}])])
    affairs = wh.read_sql(
        "SELECT (SELECT COUNT(*) FROM harmonized_innovations) AS innovations, "
        "(SELECT COUNT(DISTINCT innovation_id) FROM innovation_affairs) AS decided, "
        "(SELECT COUNT(*) FROM innovation_affairs) AS rows"
    ).iloc[0]
    if not (affairs["innovations"] == affairs["decided"] == affairs["rows"]):
        out = pd.concat(
            [out, pd.DataFrame([{"problem": "innovation_affairs is not one row per innovation"}])]
        )
    return out


def personal_data(text: pd.Series) -> pd.Series:
    pattern = re.compile(f"{EMAIL}|{PHONE}")
    return text.fillna("").astype(str).map(lambda v: bool(pattern.search(v)))
