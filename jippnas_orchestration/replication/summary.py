"""What the report's "Replikasi dan pemerataan" section needs, as plain frames (the section itself
is rendered by the report; see reports/). No personal data: ids, titles, agency names, counts."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..warehouse import Warehouse


@dataclass
class ReplicationSummary:
    # innovation_id, title, agency_id, agency_name, replication_count_listed, replication_count_reported
    most_replicated: pd.DataFrame
    # province_code, province_name, regions, cells, covered, share (0..1), by share descending
    coverage_by_province: pd.DataFrame
    # agency_id, agency_name, uncovered, with_suggestions, first_suggestions (list of
    # {affair, innovation_id, title, source_agency_name, reason}), widest first
    widest_gaps: pd.DataFrame


def replication_summary(wh: Warehouse, top: int = 10, first: int = 3) -> ReplicationSummary:
    most = wh.read_sql(
        "SELECT c.innovation_id, h.title, h.agency_id, h.agency_name, c.replication_count_listed, "
        "c.replication_count_reported FROM innovation_replication_counts c "
        "JOIN harmonized_innovations h ON h.innovation_id = c.innovation_id "
        "WHERE c.replication_count_listed > 0 "
        "ORDER BY c.replication_count_listed DESC, c.innovation_id LIMIT :n",
        {"n": top},
    )
    cov = wh.read_sql(
        "SELECT c.province_code, COUNT(DISTINCT c.agency_id) AS regions, COUNT(*) AS cells, "
        "SUM(CASE WHEN c.covered THEN 1 ELSE 0 END) AS covered FROM affair_coverage c "
        "GROUP BY c.province_code"
    )
    names = wh.read_sql(
        "SELECT agency_id, agency_name FROM agencies WHERE agency_type = 'provinsi'"
    ).set_index("agency_id")["agency_name"]
    cov["province_name"] = cov["province_code"].map(names)
    cov["share"] = (cov["covered"] / cov["cells"]).round(4)
    cov = cov.sort_values(["share", "province_code"], ascending=[False, True])[
        ["province_code", "province_name", "regions", "cells", "covered", "share"]
    ].reset_index(drop=True)
    gaps = wh.read_sql(
        "SELECT c.agency_id, a.agency_name, SUM(CASE WHEN c.covered THEN 0 ELSE 1 END) AS uncovered, "
        "COUNT(DISTINCT o.affair) AS with_suggestions FROM affair_coverage c "
        "JOIN agencies a ON a.agency_id = c.agency_id "
        "LEFT JOIN replication_opportunities o ON o.agency_id = c.agency_id "
        "AND o.affair = c.affair AND o.rank = 1 GROUP BY c.agency_id, a.agency_name "
        "ORDER BY with_suggestions DESC, uncovered DESC, c.agency_id LIMIT :n",
        {"n": top},
    )
    suggestions = wh.read_sql(
        "SELECT o.agency_id, o.affair, o.innovation_id, h.title, h.agency_name AS source_agency_name, "
        "o.reason FROM replication_opportunities o "
        "JOIN harmonized_innovations h ON h.innovation_id = o.innovation_id WHERE o.rank = 1"
    )
    suggestions = suggestions[suggestions["agency_id"].isin(set(gaps["agency_id"]))]
    suggestions = suggestions.sort_values(["agency_id", "affair"])
    firsts = {
        agency: g.drop(columns="agency_id").head(first).to_dict("records")
        for agency, g in suggestions.groupby("agency_id")
    }
    gaps["first_suggestions"] = gaps["agency_id"].map(lambda a: firsts.get(a, []))
    return ReplicationSummary(most, cov, gaps)
