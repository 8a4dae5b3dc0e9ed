"""Innovations worth replicating: for each innovation, up to five similar ones of other agencies.

TF-IDF (sublinear tf, smooth idf, l2) over the words of title, summary and category, cosine
similarity with numpy/scipy (no model download). Candidates: innovations of another agency that
are not stopped (`status` berhenti). Deterministic: ties break on innovation_id.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import scipy.sparse as sp

SIMILAR_COLUMNS = ["innovation_id", "similar_innovation_id", "rank", "score", "reason"]
TOP_K = 5
MIN_SCORE = 0.05
STOPPED = "berhenti"
# Indonesian function words that say nothing about what an innovation does
STOPWORDS = frozenset("""dan di ke dari yang untuk dengan pada dalam oleh atau ini itu serta sebagai bagi
adalah akan agar juga tidak lebih melalui secara tanpa the of and for a an to in kab kota provinsi
inovasi inovator diperbarui pelayanan layanan publik masyarakat""".split())
_TOKEN = re.compile(r"[a-z][a-z0-9]{2,}")


def tokens(text: object) -> list[str]:
    if not isinstance(text, str):
        return []
    return [t for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS]


def _tfidf(docs: list[list[str]]) -> tuple[sp.csr_matrix, dict[str, float]]:
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, doc in enumerate(docs):
        counts: dict[int, int] = {}
        for t in doc:
            j = vocab.setdefault(t, len(vocab))
            counts[j] = counts.get(j, 0) + 1
        for j, c in counts.items():
            rows.append(i)
            cols.append(j)
            vals.append(1.0 + np.log(c))
    m = sp.csr_matrix((vals, (rows, cols)), shape=(len(docs), len(vocab)))
    df = np.bincount(m.indices, minlength=len(vocab))
    idf = np.log((1 + len(docs)) / (1 + df)) + 1.0
    m = m @ sp.diags(idf)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m), {t: float(idf[j]) for t, j in vocab.items()}


def build_similar(innovations: pd.DataFrame, top_k: int = TOP_K, block: int = 2000) -> pd.DataFrame:
    """similar_innovations from harmonized_innovations (innovation_id, agency_id, title, summary,
    category, status)."""
    df = innovations.sort_values("innovation_id").reset_index(drop=True)
    if df.empty:
        return pd.DataFrame(columns=SIMILAR_COLUMNS)
    # the title counts twice: it names the innovation, the summary describes it at length
    docs = [tokens(t) * 2 + tokens(s) + tokens(c) for t, s, c in zip(df["title"], df["summary"], df["category"])]
    m, idf = _tfidf(docs)
    agency = pd.factorize(df["agency_id"].astype(str))[0]   # integer codes: fast to compare in bulk
    category = df["category"].fillna("").astype(str).to_numpy()
    ids = df["innovation_id"].astype(str).to_numpy()
    active = (df["status"].fillna("") != STOPPED).to_numpy()
    token_sets = [set(d) for d in docs]
    mt = m.T.tocsr()
    n = len(df)
    k = min(top_k, n)
    # rows per block: a dense block of similarities stays around 160 MB whatever the scale
    block = max(1, min(block, 20_000_000 // n))
    out = []
    for start in range(0, n, block):
        stop = min(start + block, n)
        sims = (m[start:stop] @ mt).toarray()
        rows = np.arange(start, stop)
        sims[(agency[None, :] == agency[rows, None]) | ~active[None, :]] = -1.0
        # the k best per row, then ordered by score descending and innovation_id ascending (rows sorted by id)
        best = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k < n else np.tile(np.arange(n), (len(rows), 1))
        best_scores = np.take_along_axis(sims, best, axis=1)
        order = np.lexsort((best, -best_scores), axis=1)
        best = np.take_along_axis(best, order, axis=1)
        best_scores = np.take_along_axis(best_scores, order, axis=1)
        for r, i in enumerate(rows):
            rank = 0
            for j, score in zip(best[r], best_scores[r]):
                if score < MIN_SCORE:
                    break
                rank += 1
                # the rarest shared words say best why the two are alike
                shared = sorted(token_sets[i] & token_sets[j], key=lambda t: (-idf[t], t))
                out.append((ids[i], ids[j], rank, round(float(score), 4), _reason(shared, category[i], category[j])))
    return pd.DataFrame(out, columns=SIMILAR_COLUMNS)


def _reason(shared: list[str], cat_a: str, cat_b: str) -> str:
    parts = []
    if shared:
        parts.append("kata sama: " + ", ".join(shared[:5]))
    if cat_a and cat_a == cat_b:
        parts.append(f"kategori sama: {cat_a}")
    return "; ".join(parts)
