"""Score entity and agency resolution against a generator's ground truth."""

from __future__ import annotations

from math import comb
from pathlib import Path

import pandas as pd


def load_truth(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def pairwise_scores(pred: pd.Series, true: pd.Series) -> dict[str, float]:
    """Pairwise precision/recall of a clustering (`pred`) against the truth (`true`), same index."""
    both = pd.DataFrame({"p": pred, "t": true}).dropna()
    pairs = lambda counts: int(sum(comb(int(n), 2) for n in counts))  # noqa: E731
    tp = pairs(both.groupby(["p", "t"]).size())
    pp = pairs(both.groupby("p").size())
    tt = pairs(both.groupby("t").size())
    return {
        "precision": round(tp / pp, 5) if pp else 1.0,
        "recall": round(tp / tt, 5) if tt else 1.0,
        "true_pairs": tt,
        "predicted_pairs": pp,
        "records_scored": len(both),
    }


def evaluate(
    source_map: pd.DataFrame,
    staged: pd.DataFrame,
    truth: pd.DataFrame,
    unresolved: pd.DataFrame | None = None,
) -> dict[str, float]:
    """Scores over the records this run actually read (truth rows of absent records are ignored)."""
    key = lambda df: df["source"] + ":" + df["source_record_id"].astype(str)  # noqa: E731
    t = truth[truth["innovation_key"] != ""].set_index(key(truth[truth["innovation_key"] != ""]))
    m = source_map.set_index(key(source_map))["innovation_id"]
    common = t.index.intersection(m.index)
    scores = pairwise_scores(m.loc[common], t.loc[common, "innovation_key"])
    s = staged.set_index(key(staged))["agency_id"]
    read = set(s.index) | (
        set(key(unresolved)) if unresolved is not None and len(unresolved) else set()
    )
    regional = t[t["agency_id"].str.match(r"^\d") & t.index.isin(read)]
    resolved = s.reindex(regional.index)
    scores["regional_agency_accuracy"] = (
        round(float((resolved == regional["agency_id"]).mean()), 5) if len(regional) else 1.0
    )
    scores["regional_records"] = len(regional)
    scores["records_missing_from_map"] = int(len(t.index.difference(m.index)))
    return scores
