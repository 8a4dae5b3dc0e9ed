"""The harmonization steps as plain functions over DataFrames (the assets only wire them)."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pandas as pd

from ..review.model import agency_overrides, pair_decisions
from ..review.queue import pair_candidates
from .ids import assign_ids
from .matching import RULE_FOUNDING, RULE_REVIEW, match_records
from .merge import HARMONIZED_COLUMNS, SUBMISSION_ONLY, apply_overlay, merge_innovations
from .scoring import score
from .staging import resolution_rates, resolve_agencies, stage_all


def build_staged(
    raw_kipp: pd.DataFrame,
    raw_iga: pd.DataFrame,
    raw_inolan: pd.DataFrame,
    decisions: pd.DataFrame | None = None,
):
    """(staged records, unresolved rejections, resolution rates, agency review questions)."""
    staged = stage_all(raw_kipp, raw_iga, raw_inolan)
    ok, rejected, questions = resolve_agencies(staged, agency_overrides(decisions))
    return ok, rejected, resolution_rates(ok, rejected), questions


def build_source_map(
    staged: pd.DataFrame,
    previous: pd.DataFrame,
    relinks: pd.DataFrame | None = None,
    decisions: pd.DataFrame | None = None,
):
    """(crosswalk with match evidence, stats, pair review questions)."""
    accepted, rejected, assigned = pair_decisions(decisions)
    result = match_records(staged, accepted, rejected)
    if assigned:  # a person put both records of a pair on one innovation: a re-link
        extra = pd.DataFrame(
            [
                {
                    "source": k.split(":", 1)[0],
                    "source_record_id": k.split(":", 1)[1],
                    "innovation_id": v,
                }
                for k, v in assigned.items()
            ]
        )
        relinks = (
            extra
            if relinks is None
            else pd.concat([relinks, extra], ignore_index=True).drop_duplicates(
                ["source", "source_record_id"], keep="last"
            )
        )
    previous = _apply_pair_decisions(previous, staged, result.clusters, accepted, rejected)
    mapped = assign_ids(staged, result.clusters, previous, relinks)
    mapped["agency_id"] = staged["agency_id"].to_numpy()
    mapped["match_rule"] = result.rule.to_numpy()
    mapped["match_score"] = result.score.to_numpy().astype(float)
    founding = mapped["assignment"].eq("new") & ~mapped.duplicated("innovation_id")
    mapped.loc[founding, ["match_rule", "match_score"]] = [RULE_FOUNDING, 1.0]
    mapped.loc[mapped["assignment"].eq("relinked"), ["match_rule", "match_score"]] = [
        RULE_REVIEW,
        1.0,
    ]
    mapped["mapped_at"] = datetime.now(timezone.utc)
    innovation_of = dict(
        zip(
            mapped["source"] + ":" + mapped["source_record_id"].astype(str), mapped["innovation_id"]
        )
    )
    questions = pair_candidates(result.review_pairs, innovation_of)
    stats = {"candidate_pairs": result.candidate_pairs, "clusters": int(result.clusters.nunique())}
    return (
        mapped.sort_values(["source", "source_record_id"]).reset_index(drop=True),
        stats,
        questions,
    )


def _apply_pair_decisions(
    previous: pd.DataFrame,
    staged: pd.DataFrame,
    clusters: pd.Series,
    accepted: set[tuple[str, str]],
    rejected: set[tuple[str, str]],
) -> pd.DataFrame:
    """A person's pair decision re-links records that already had ids: an accepted pair of two
    innovations becomes one (the larger keeps its id), a rejected pair that shared an innovation
    splits (the second record's cluster of this run gets its own id)."""
    if not len(previous) or not (accepted or rejected):
        return previous
    previous = previous.copy()
    keys = previous["source"] + ":" + previous["source_record_id"].astype(str)
    for a, b in sorted(accepted):
        ids = previous.loc[keys.isin([a, b]), "innovation_id"].unique()
        if len(ids) == 2:
            sizes = previous["innovation_id"].value_counts()
            keep = min(ids, key=lambda i: (-sizes[i], i))
            previous.loc[previous["innovation_id"].isin(ids), "innovation_id"] = keep
    staged_keys = staged["source"] + ":" + staged["source_record_id"].astype(str)
    cluster_of = dict(zip(staged_keys, clusters.loc[staged.index]))
    for a, b in sorted(rejected):
        ia, ib = (previous.loc[keys == k, "innovation_id"] for k in (a, b))
        if len(ia) and len(ib) and ia.iloc[0] == ib.iloc[0] and b in cluster_of:
            members = {k for k, c in cluster_of.items() if c == cluster_of[b]}
            previous = previous[~(keys.isin(members) & (previous["innovation_id"] == ia.iloc[0]))]
            keys = previous["source"] + ":" + previous["source_record_id"].astype(str)
    return previous


def build_merged(
    staged: pd.DataFrame, source_map: pd.DataFrame, agencies: pd.DataFrame
) -> pd.DataFrame:
    """What the sources say about each innovation (table merged_innovations), before any submission."""
    return merge_innovations(staged, source_map, agencies)


def accepted_from_log(change_log: pd.DataFrame) -> pd.DataFrame:
    """(innovation_id, submitted_at) of each accepted submission: every one of them has a change-log row."""
    if change_log.empty:
        return pd.DataFrame(columns=["submission_id", "innovation_id", "submitted_at"])
    return change_log[["submission_id", "innovation_id", "submitted_at"]].drop_duplicates(
        "submission_id"
    )


def build_overlaid(
    merged: pd.DataFrame, change_log: pd.DataFrame, campaign_start: date
) -> pd.DataFrame:
    """harmonized_innovations: accepted submissions laid over the merged sources, then scored."""
    merged = merged.copy()
    for c in SUBMISSION_ONLY:
        if c not in merged.columns:
            merged[c] = None
    merged = apply_overlay(merged[HARMONIZED_COLUMNS], change_log)
    scored = score(merged, accepted_from_log(change_log), campaign_start)
    # fixed column types, so the table's DDL does not depend on which values happen to be present
    scored["replication_count"] = pd.to_numeric(
        scored["replication_count"], errors="coerce"
    ).astype("Int64")
    for c in ("year_first", "year_last", "start_year", "source_record_count"):
        scored[c] = pd.to_numeric(scored[c], errors="coerce").astype("Int64")
    scored["completeness"] = scored["completeness"].astype(float)
    text = [
        c
        for c in scored.columns
        if c
        not in (
            "replication_count",
            "year_first",
            "year_last",
            "start_year",
            "source_record_count",
            "completeness",
        )
    ]
    scored[text] = scored[text].astype(object).where(scored[text].notna(), None)
    return scored


def build_harmonized(
    staged: pd.DataFrame,
    source_map: pd.DataFrame,
    agencies: pd.DataFrame,
    change_log: pd.DataFrame,
    campaign_start: date,
) -> pd.DataFrame:
    """Both steps at once (benchmarks)."""
    return build_overlaid(build_merged(staged, source_map, agencies), change_log, campaign_start)
