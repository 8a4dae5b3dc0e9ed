"""What moved: campaign progress, stalled agencies, quality per dimension, jumps between gate runs.

Plain functions over the DataFrames of campaign_history, quality_history, harmonized_innovations and
similar_innovations, so each is unit-tested on known inputs; html.py only lays out what they return.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

STALLED_DAYS = 30  # an agency whose pending count has not moved this long is "mandek"
DIMENSION_ORDER = ("completeness", "validity", "uniqueness", "consistency", "timeliness")
DIMENSION_RUNS = 10  # gate runs a dimension's trend shows
NOT_NULL = "expect_column_values_to_not_be_null"
ROW_COUNT = "jumlah baris"
# robust z-score (Iglewicz & Hoaglin): 0.6745 (x - median) / MAD, an outlier beyond 3.5
Z_THRESHOLD = 3.5
MIN_HISTORY = 5  # earlier runs needed before a jump is judged: two runs never raise an alarm
JUMP_WINDOW = 10  # compare against at most this many earlier runs
MIN_ROW_CHANGE = 0.01  # ... and a change smaller than 1% of the rows is never a jump
MIN_NULL_RATE_CHANGE = 0.01
WEAK_COMPLETENESS = (
    0.75  # an innovation missing more than a quarter of its required fields is "weak"
)
STRONG_COMPLETENESS = 0.875  # a model to replicate has (nearly) every required field
MIN_SIMILARITY = 0.35  # similar_innovations scores: median about 0.5 on the sample
SUGGESTIONS_PER_INNOVATION = 3


def _national(history: pd.DataFrame) -> pd.DataFrame:
    return history[history["agency_id"].fillna("") == ""]


def progress(history: pd.DataFrame) -> pd.DataFrame:
    """National rows per programme and day with the share updated: snapshot_date, programme,
    innovations, updated, pending, share, rebuilt (a day rebuilt from the change log)."""
    cols = ["snapshot_date", "programme", "innovations", "updated", "pending", "share", "rebuilt"]
    nat = _national(history)
    if nat.empty:
        return pd.DataFrame(columns=cols)
    out = nat.assign(
        share=nat["updated"] / nat["innovations"].where(nat["innovations"] > 0),
        rebuilt=nat.get("recorded_by", pd.Series(None, index=nat.index)) == "backfill",
    )
    return out[cols].sort_values(["programme", "snapshot_date"]).reset_index(drop=True)


def programme_deltas(history: pd.DataFrame) -> pd.DataFrame:
    """Per programme: the latest snapshot against the one before it (programmes with two days)."""
    rows = []
    for programme, g in progress(history).groupby("programme", sort=True):
        if len(g) < 2:
            continue
        before, now = g.iloc[-2], g.iloc[-1]
        rows.append(
            {
                "programme": programme,
                "date": now["snapshot_date"],
                "previous_date": before["snapshot_date"],
                **{
                    f"{k}_delta": int(now[k] - before[k])
                    for k in ("innovations", "updated", "pending")
                },
                "updated": int(now["updated"]),
                "pending": int(now["pending"]),
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "programme",
            "date",
            "previous_date",
            "innovations_delta",
            "updated_delta",
            "pending_delta",
            "updated",
            "pending",
        ],
    )


def stalled_agencies(
    history: pd.DataFrame,
    programme: str = "KIPP",
    days: int = STALLED_DAYS,
    as_of: date | None = None,
) -> pd.DataFrame:
    """Agencies with pending innovations whose pending count has not moved for `days` days.

    Judged only when a snapshot at least `days` old exists (else nothing is known to be stalled);
    `since` is the first snapshot of the current unchanged stretch."""
    cols = ["agency_id", "pending", "innovations", "since", "days_unchanged"]
    h = history[
        (history["programme"] == programme) & (history["agency_id"].fillna("") != "")
    ].copy()
    if h.empty:
        return pd.DataFrame(columns=cols)
    h["day"] = pd.to_datetime(h["snapshot_date"]).dt.date
    latest = as_of or max(h["day"])
    h = h[h["day"] <= latest]
    old_days = [d for d in h["day"].unique() if d <= latest - timedelta(days=days)]
    if not old_days:
        return pd.DataFrame(columns=cols)
    base = max(old_days)
    rows = []
    for agency, g in h[h["day"] >= base].sort_values("day").groupby("agency_id", sort=True):
        now = g.iloc[-1]
        if now["day"] != latest or g.iloc[0]["day"] != base or now["pending"] <= 0:
            continue
        if (g["pending"] != now["pending"]).any():
            continue
        every = h[h["agency_id"] == agency].sort_values("day")
        moved = every[every["pending"] != now["pending"]]
        stretch = every[every["day"] > moved["day"].max()] if len(moved) else every
        since = stretch["day"].min()
        rows.append(
            {
                "agency_id": agency,
                "pending": int(now["pending"]),
                "innovations": int(now["innovations"]),
                "since": since.isoformat(),
                "days_unchanged": (latest - since).days,
            }
        )
    out = pd.DataFrame(rows, columns=cols)
    return out.sort_values(["pending", "agency_id"], ascending=[False, True]).reset_index(drop=True)


def _expectation_score(q: pd.DataFrame) -> pd.Series:
    """Share of rows that met an expectation; pass/fail (1/0) when it counts no rows."""
    counted = q["unexpected_count"].notna() & (pd.to_numeric(q["rows"], errors="coerce") > 0)
    share = 1 - pd.to_numeric(q["unexpected_count"], errors="coerce") / pd.to_numeric(
        q["rows"], errors="coerce"
    )
    return share.where(counted, q["success"].astype(bool).astype(float)).clip(0, 1)


def _dimension_key(d: str) -> tuple[int, str]:
    return (DIMENSION_ORDER.index(d), d) if d in DIMENSION_ORDER else (len(DIMENSION_ORDER), d)


def dimension_scores(quality: pd.DataFrame) -> pd.DataFrame:
    """Score (0-1) per gate run and data-quality dimension: the mean, over the dimension's
    expectations, of the share of rows that met each. Columns: suite, evaluation_id, evaluated_at,
    dimension, score, expectations, failed; runs in time order."""
    cols = [
        "suite",
        "evaluation_id",
        "evaluated_at",
        "dimension",
        "score",
        "expectations",
        "failed",
    ]
    if quality.empty:
        return pd.DataFrame(columns=cols)
    q = quality.assign(_score=_expectation_score(quality), _failed=~quality["success"].astype(bool))
    out = q.groupby(["suite", "evaluation_id", "evaluated_at", "dimension"], as_index=False).agg(
        score=("_score", "mean"), expectations=("_score", "size"), failed=("_failed", "sum")
    )
    out["_order"] = out["dimension"].map(_dimension_key)
    return out.sort_values(["suite", "evaluated_at", "_order"])[cols].reset_index(drop=True)


def dimension_summary(scores: pd.DataFrame, runs: int = DIMENSION_RUNS) -> pd.DataFrame:
    """Per suite and dimension: the latest score, its change since the previous run, the last
    `runs` scores (oldest first) and how many expectations failed in the latest run."""
    cols = ["suite", "dimension", "score", "delta", "trend", "failed", "expectations"]
    rows = []
    for (suite, dim), g in scores.groupby(["suite", "dimension"], sort=False):
        g = g.sort_values("evaluated_at")
        last = g.iloc[-1]
        rows.append(
            {
                "suite": suite,
                "dimension": dim,
                "score": float(last["score"]),
                "delta": float(last["score"] - g.iloc[-2]["score"]) if len(g) > 1 else None,
                "trend": [float(s) for s in g["score"].tail(runs)],
                "failed": int(last["failed"]),
                "expectations": int(last["expectations"]),
            }
        )
    out = pd.DataFrame(rows, columns=cols)
    if out.empty:
        return out
    out["_order"] = out["dimension"].map(_dimension_key)
    return out.sort_values(["suite", "_order"])[cols].reset_index(drop=True)


def robust_z(value: float, earlier: list[float] | np.ndarray) -> float:
    """0.6745 (value - median) / MAD of `earlier`; with MAD 0 the mean absolute deviation
    (x 1.2533) stands in; a value off a perfectly flat history is infinitely far (signed)."""
    x = np.asarray(earlier, dtype=float)
    med = float(np.median(x))
    diff = value - med
    if diff == 0:
        return 0.0
    mad = float(np.median(np.abs(x - med)))
    if mad > 0:
        return 0.6745 * diff / mad
    mean_ad = float(np.mean(np.abs(x - med)))
    if mean_ad > 0:
        return diff / (1.253314 * mean_ad)
    return float(np.copysign(np.inf, diff))


def run_metrics(quality: pd.DataFrame) -> pd.DataFrame:
    """Per gate run: the row count and each not-null expectation's null rate. Columns: suite,
    evaluation_id, evaluated_at, metric, column, value."""
    cols = ["suite", "evaluation_id", "evaluated_at", "metric", "column", "value"]
    if quality.empty:
        return pd.DataFrame(columns=cols)
    runs = quality.groupby(["suite", "evaluation_id", "evaluated_at"], as_index=False)[
        "rows"
    ].first()
    counts = runs.assign(
        metric=ROW_COUNT, column=None, value=pd.to_numeric(runs["rows"]).astype(float)
    )
    nn = quality[
        (quality["expectation"] == NOT_NULL)
        & quality["unexpected_count"].notna()
        & (pd.to_numeric(quality["rows"], errors="coerce") > 0)
    ]
    nulls = nn.assign(
        metric="baris kosong",
        value=pd.to_numeric(nn["unexpected_count"]) / pd.to_numeric(nn["rows"]),
    )
    return pd.concat([counts[cols], nulls[cols]], ignore_index=True)


def jump_flags(
    quality: pd.DataFrame,
    min_history: int = MIN_HISTORY,
    window: int = JUMP_WINDOW,
    threshold: float = Z_THRESHOLD,
) -> pd.DataFrame:
    """The latest gate run of each suite against its earlier runs: row count and null rates whose
    robust z-score is beyond `threshold` (and whose change is not negligible). Nothing is judged
    with fewer than `min_history` earlier runs. Columns: suite, metric, column, evaluated_at,
    value, median, z, history, flagged."""
    cols = [
        "suite",
        "metric",
        "column",
        "evaluated_at",
        "value",
        "median",
        "z",
        "history",
        "flagged",
    ]
    m = run_metrics(quality)
    rows = []
    for (suite, metric, column), g in m.groupby(
        ["suite", "metric", m["column"].fillna("")], sort=True
    ):
        g = g.sort_values("evaluated_at")
        last, earlier = g.iloc[-1], g.iloc[:-1]["value"].tail(window).to_numpy()
        if len(earlier) < min_history:
            continue
        med = float(np.median(earlier))
        z = robust_z(float(last["value"]), earlier)
        change = abs(float(last["value"]) - med)
        big = change >= (
            max(1.0, MIN_ROW_CHANGE * med) if metric == ROW_COUNT else MIN_NULL_RATE_CHANGE
        )
        rows.append(
            {
                "suite": suite,
                "metric": metric,
                "column": column or None,
                "evaluated_at": last["evaluated_at"],
                "value": float(last["value"]),
                "median": med,
                "z": z,
                "history": len(earlier),
                "flagged": bool(abs(z) > threshold and big),
            }
        )
    return pd.DataFrame(rows, columns=cols)


def replication_suggestions(
    harmonized: pd.DataFrame,
    similar: pd.DataFrame,
    per_innovation: int = SUGGESTIONS_PER_INNOVATION,
) -> pd.DataFrame:
    """For each agency's pending KIPP innovations and weak innovations (completeness below
    WEAK_COMPLETENESS), the strongest similar innovations of other agencies: complete
    (STRONG_COMPLETENESS) and similar enough (MIN_SIMILARITY), best first. Columns: agency_id,
    agency_name, innovation_id, title, why (pending/weak), similar_innovation_id, similar_title,
    similar_agency_name, score, reason."""
    cols = [
        "agency_id",
        "agency_name",
        "innovation_id",
        "title",
        "why",
        "similar_innovation_id",
        "similar_title",
        "similar_agency_name",
        "score",
        "reason",
    ]
    if harmonized.empty or similar.empty:
        return pd.DataFrame(columns=cols)
    h = harmonized
    kipp_pending = h["sources"].fillna("").str.contains("KIPP") & (h["update_status"] != "updated")
    weak = h["completeness"].astype(float) < WEAK_COMPLETENESS
    targets = h[kipp_pending | weak].assign(
        why=np.where(kipp_pending[kipp_pending | weak], "pending", "weak")
    )
    strong = h[h["completeness"].astype(float) >= STRONG_COMPLETENESS][
        ["innovation_id", "title", "agency_id", "agency_name"]
    ].rename(
        columns={
            "innovation_id": "similar_innovation_id",
            "title": "similar_title",
            "agency_id": "similar_agency_id",
            "agency_name": "similar_agency_name",
        }
    )
    pairs = (
        targets[["agency_id", "agency_name", "innovation_id", "title", "why"]]
        .merge(similar[similar["score"].astype(float) >= MIN_SIMILARITY], on="innovation_id")
        .merge(strong, on="similar_innovation_id")
    )
    pairs = pairs[pairs["similar_agency_id"] != pairs["agency_id"]]
    pairs = (
        pairs.sort_values(
            ["agency_id", "innovation_id", "score", "similar_innovation_id"],
            ascending=[True, True, False, True],
        )
        .groupby("innovation_id", sort=False)
        .head(per_innovation)
    )
    return pairs[cols].reset_index(drop=True)
