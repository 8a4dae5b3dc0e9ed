"""The harmonization steps as plain functions over DataFrames (the assets only wire them)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pandas as pd

from ..completeness import score
from .ids import assign_ids
from .matching import cluster_records
from .merge import apply_overlay, merge_innovations
from .staging import resolution_rates, resolve_agencies, stage_all


def build_staged(raw_kipp: pd.DataFrame, raw_iga: pd.DataFrame, raw_inolan: pd.DataFrame):
    staged = stage_all(raw_kipp, raw_iga, raw_inolan)
    ok, rejected = resolve_agencies(staged)
    return ok, rejected, resolution_rates(ok, rejected)


def build_source_map(staged: pd.DataFrame, previous: pd.DataFrame, relinks: pd.DataFrame | None = None):
    clusters = cluster_records(staged)
    mapped = assign_ids(staged, clusters, previous, relinks)
    mapped["agency_id"] = staged["agency_id"].to_numpy()
    mapped["mapped_at"] = datetime.now(timezone.utc)
    stats = {"candidate_pairs": clusters.attrs.get("candidate_pairs", 0), "clusters": int(clusters.nunique())}
    return mapped.sort_values(["source", "source_record_id"]).reset_index(drop=True), stats


def build_harmonized(staged: pd.DataFrame, source_map: pd.DataFrame, agencies: pd.DataFrame,
                     change_log: pd.DataFrame, accepted: pd.DataFrame, campaign_start: date) -> pd.DataFrame:
    merged = merge_innovations(staged, source_map, agencies)
    merged = apply_overlay(merged, change_log)
    scored = score(merged, accepted, campaign_start)
    # fixed column types, so the table's DDL does not depend on which values happen to be present
    scored["replication_count"] = pd.to_numeric(scored["replication_count"], errors="coerce").astype("Int64")
    for c in ("year_first", "year_last", "start_year", "source_record_count"):
        scored[c] = pd.to_numeric(scored[c], errors="coerce").astype("Int64")
    scored["completeness"] = scored["completeness"].astype(float)
    text = [c for c in scored.columns if c not in ("replication_count", "year_first", "year_last", "start_year",
                                                    "source_record_count", "completeness")]
    scored[text] = scored[text].astype(object).where(scored[text].notna(), None)
    return scored
