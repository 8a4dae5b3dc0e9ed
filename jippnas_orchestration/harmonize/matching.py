"""Entity resolution: which source records are the same innovation.

Records are compared only within their resolved agency, and each distinct title key
(`titles.identity_parts`) only once. Two keys are one innovation when:
- their acronyms agree (or differ by one typo) and either side has no expansion, or the
  expansions agree as below; or neither side carries an acronym that contradicts the other;
- their expansions hold the same words, in any order, up to typos: every word left over on one side
  pairs with one on the other side at one edit (two for long words), unless both are words in
  their own right ('kelahiran'/'kematian', 'data'/'dana', 'mobil'/'motor': a word of the shipped
  lexicon, or one several agencies use). A word more or less is another innovation
  ('Puskesmas Keliling' / 'Puskesmas Keliling Terapung').
One acronym with an Indonesian expansion and one in English ('SIPADU (Sistem Pelayanan Terpadu)' /
'SIPADU: Integrated Service System', written for an international award) is one innovation, and so is
a title written as the other's words with its name after them.
An acronym written alone ('SIPADU') joins the innovation with that acronym only when exactly one
such innovation exists in the agency; a pair the rules cannot decide (an acronym alone that fits an
expansion's words, one acronym with two different expansions) goes to review (`match_review`).
People's decisions win: an accepted pair is joined, a rejected pair is never joined again.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

import numpy as np
import pandas as pd
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, DamerauLevenshtein

from ..agencies.resolve import region_words
from .titles import TitleParts, identity_parts

PREFILTER = 70  # token_sort_ratio below which two expansions are not even compared
SAME_ACRONYM_CLOSE = 85.0  # one acronym, expansions this close: one innovation (legacy tolerance)
COMMON_WORD_AGENCIES = 3  # a word several agencies use in their titles is a word, not a typo

RULE_FOUNDING = "founding record"
RULE_SAME_TITLE = "same title"
RULE_TITLE_TYPOS = "title within typos"
RULE_ACRONYM = "same acronym"
RULE_ACRONYM_TITLE = "same acronym and title"
RULE_REVIEW = "review decision"
RULE_ACRONYM_WORD = "same acronym, one word changed"
RULE_UNIT_TAIL = "title with its unit or place"
RULE_SERVICE_WORD = "title with a service word before it"
RULE_ACRONYM_TRANSLATED = "same acronym, title in English"

# Words that mark a title written in English: 'Online Storytelling for Children', 'System of ...'.
_ENGLISH_WORDS = frozenset(
    """the of for and with in through to by based system service services information children
    community public health online village people women access""".split()
)


def is_english(expansion: str) -> bool:
    """At least two English words, and more of them than Indonesian function words."""
    words = expansion.split()
    english = sum(w in _ENGLISH_WORDS for w in words)
    return english >= 2 and english * 2 >= len(words) - english


log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def lexicon() -> frozenset[str]:
    text = resources.files(__package__).joinpath("lexicon_id.txt").read_text(encoding="utf-8")
    return frozenset(
        w for line in text.splitlines() if not line.startswith("#") for w in line.split()
    )


@dataclass(frozen=True)
class Verdict:
    match: bool
    rule: str = ""
    score: float = 0.0
    review: str = ""  # why a person should look, when the rules cannot decide


NO = Verdict(False)


@dataclass
class Vocabulary:
    """Which words are words: the shipped lexicon, and words several agencies use in their titles.
    A typo can recur (a generator's or a keyboard's habit), but it stays far rarer than its word."""

    agencies_using: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_records(cls, keys: list[TitleParts], agencies: list[str]) -> Vocabulary:
        users: dict[str, set[str]] = defaultdict(set)
        for k, a in zip(keys, agencies):
            for t in set(k.tokens):
                users[t].add(a)
        return cls({t: len(a) for t, a in users.items()})

    def is_word(self, token: str, partner: str) -> bool:
        if token in lexicon():
            return True
        mine, theirs = self.agencies_using.get(token, 0), self.agencies_using.get(partner, 0)
        return mine >= COMMON_WORD_AGENCIES and mine * 2 >= theirs


def _typo_pair(a: str, b: str, vocab: Vocabulary) -> bool:
    if a.isdigit() or b.isdigit():
        return False
    d = DamerauLevenshtein.distance(a, b)
    swapped = (
        d == 1 and len(a) == len(b) and sorted(a) == sorted(b)
    )  # 'Kmapung': a slip, not a word
    # a letter dropped from a longer word ('darah' for 'daerah') is a slip even when it spells a word
    dropped = d == 1 and len(a) != len(b) and min(len(a), len(b)) >= 5
    if (a in lexicon() and b in lexicon() and not dropped) or (
        not swapped and not dropped and vocab.is_word(a, b) and vocab.is_word(b, a)
    ):
        return False  # two words in their own right: the difference carries meaning
    shortest = min(len(a), len(b))
    return (d == 1 and shortest >= 3) or (d == 2 and shortest >= 6) or _letters_dropped(a, b)


def _letters_dropped(a: str, b: str) -> bool:
    """'Swdya' for 'Swadaya', 'Kapng' for 'Kampung': up to two letters left out, the first kept."""
    short, long_ = sorted((a, b), key=len)
    if len(short) < 4 or not 0 < len(long_) - len(short) <= 2 or short[0] != long_[0]:
        return False
    it = iter(long_)
    return all(ch in it for ch in short)


def same_words(a: TitleParts, b: TitleParts, vocab: Vocabulary) -> tuple[bool, bool]:
    """(same words up to typos, exactly the same words)."""
    if a.compact == b.compact or Counter(a.tokens) == Counter(b.tokens):
        return True, True
    ca, cb = Counter(a.tokens), Counter(b.tokens)
    left, right = list((ca - cb).elements()), list((cb - ca).elements())
    if len(left) != len(right) or DamerauLevenshtein.distance(a.compact, b.compact) > max(
        2, len(a.compact) // 6
    ):
        return False, False
    for w in sorted(left, key=len, reverse=True):
        partner = min(right, key=lambda r: DamerauLevenshtein.distance(w, r))
        if not _typo_pair(w, partner, vocab):
            return False, False
        right.remove(partner)
    return True, False


def acronym_fits(acronym: str, tokens: tuple[str, ...]) -> bool:
    """Can `acronym` be read off the words: prefixes of words in order, the first word always used
    and at least half of them ('sahlante' <- SAHabat LANsia TErlantar ramah anak)?"""
    acr = (
        acronym[1:]
        if acronym[:1] in ("e", "m", "i") and tokens and not tokens[0].startswith(acronym[0])
        else acronym
    )
    if len(acr) < 3 or not tokens:
        return False

    @lru_cache(maxsize=None)
    def fit(i: int, j: int, used: int) -> bool:
        if i == len(acr):
            return used * 2 >= len(tokens)
        if j == len(tokens):
            return False
        word = tokens[j]
        for k in range(min(len(word), len(acr) - i), 0, -1):
            if acr[i : i + k] == word[:k] and fit(i + k, j + 1, used + 1):
                return True
        return j > 0 and fit(i, j + 1, used)

    return fit(0, 0, 0)


def decide(a: TitleParts, b: TitleParts, vocab: Vocabulary) -> Verdict:
    """Are two title keys of one agency the same innovation?"""
    score = (
        fuzz.token_sort_ratio(a.expansion, b.expansion) / 100
        if a.expansion and b.expansion
        else 0.0
    )
    if a.acronym and b.acronym:
        exact = a.acronym == b.acronym
        if not exact and not (
            OSA.distance(a.acronym, b.acronym) == 1 and min(len(a.acronym), len(b.acronym)) >= 5
        ):
            return NO
        if not a.expansion or not b.expansion:
            return Verdict(True, RULE_ACRONYM, 1.0 if exact else 0.9)
        words, identical = same_words(a, b, vocab)
        if words:
            return Verdict(
                True, RULE_ACRONYM_TITLE, 1.0 if identical and exact else max(score, 0.9)
            )
        if exact and score * 100 >= SAME_ACRONYM_CLOSE:
            return Verdict(True, RULE_ACRONYM_TITLE, score)
        if exact and (_one_word_changed(a, b) or _expansion_within(a, b)):
            return Verdict(True, RULE_ACRONYM_WORD, max(score, 0.8))
        if exact and len(a.acronym) >= 4 and is_english(a.expansion) != is_english(b.expansion):
            # the name's English rendering (for an international award): one innovation
            return Verdict(True, RULE_ACRONYM_TRANSLATED, 0.8)
        if exact:
            return Verdict(False, score=score, review="one acronym, two different expansions")
        return NO
    if a.expansion and b.expansion:
        named, words_only = (a, b) if a.acronym else (b, a)
        if named.acronym and named.acronym == words_only.compact:
            return Verdict(True, RULE_ACRONYM, 1.0)  # 'Gerai Sehat' is the name 'GERAI SEHAT'
        if named.acronym and words_only.compact in (
            named.compact + named.acronym,
            named.acronym + named.compact,
        ):  # 'X Y (Call Centre 112)' written 'X (Y) Call Centre 112': the same words
            return Verdict(True, RULE_ACRONYM_TITLE, 1.0)
        words, identical = same_words(a, b, vocab)
        if words:
            return Verdict(
                True,
                RULE_SAME_TITLE if identical else RULE_TITLE_TYPOS,
                1.0 if identical else score,
            )
        if _with_unit_tail(a.tokens, b.tokens) or _with_unit_tail(b.tokens, a.tokens):
            return Verdict(True, RULE_UNIT_TAIL, score)
        if _with_service_word(a.tokens, b.tokens) or _with_service_word(b.tokens, a.tokens):
            return Verdict(True, RULE_SERVICE_WORD, score)
        return NO
    acronym, words = (a, b) if a.acronym else (b, a)
    if acronym.acronym == words.compact:
        return Verdict(True, RULE_ACRONYM, 1.0)
    if acronym_fits(acronym.acronym, words.tokens):
        return Verdict(
            False, score=0.5, review="an acronym alone that fits the other title's words"
        )
    return NO


def _one_word_changed(a: TitleParts, b: TitleParts) -> bool:
    """'Sistem Antar Kartu Terpadu' / 'Sistem Antar Kartu Tepat' under one acronym (SAKT): the acronym reads off
    both, and one word of three or more changed, keeping its initial."""
    ta, tb = a.tokens, b.tokens
    if len(ta) != len(tb) or len(ta) < 3 or not a.acronym or len(a.acronym) < 3:
        return False
    diff = [(x, y) for x, y in zip(ta, tb) if x != y]
    return (
        len(diff) == 1
        and diff[0][0][0] == diff[0][1][0]
        and acronym_fits(a.acronym, ta)
        and acronym_fits(a.acronym, tb)
    )


def _expansion_within(a: TitleParts, b: TitleParts) -> bool:
    """'Menekan Kasus Gizi Buruk lewat Pos Gizi Keliling (POSGILING)' / 'Pos Gizi Keliling
    (POSGILING)': under one acronym, the words it stands for stand whole in the longer title."""
    short, long_ = sorted((a.tokens, b.tokens), key=len)
    k = len(short)
    if k < 2 or not a.acronym or len(a.acronym) < 3:
        return False
    for i in range(len(long_) - k + 1):
        if long_[i : i + k] == short:
            rest = long_[:i] + long_[i + k :]
            # the acronym reads off the shared words, or all the rest says is where ('Kota X')
            return acronym_fits(a.acronym, short) or all(t in _place_words() for t in rest)
    return False


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    return region_words() | {"kota", "kabupaten", "kab", "provinsi", "prov", "pemerintah"}


# Words that open a title by saying it is a service: 'Pelayanan SKCK Online' is 'SKCK Online'.
SERVICE_WORDS = frozenset({"pelayanan", "layanan", "aplikasi", "sistem", "gerakan"})


def _with_service_word(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    return (
        len(short) >= 3
        and len(long) == len(short) + 1
        and long[0] in SERVICE_WORDS
        and long[1:] == short
    )


# Words that open the name of a unit or place: written after an innovation's title, they say where
# it runs ('Klinik Tani Balai Penyuluhan Pertanian X'), not which innovation it is.
UNIT_TAIL_WORDS = frozenset(
    """balai bpp upt uptd puskesmas kecamatan kelurahan desa dinas badan kantor rsud sekretariat
    bagian bidang kabupaten kota provinsi polres polresta polrestabes polsek polda lapas rutan
    """.split()
)


def _with_unit_tail(short: tuple[str, ...], long: tuple[str, ...]) -> bool:
    """`long` is `short` (two words or more) followed by a unit or place of two words or more."""
    k = len(short)
    return k >= 2 and len(long) >= k + 2 and long[:k] == short and long[k] in UNIT_TAIL_WORDS


class _UnionFind:
    """Union by smallest index: a cluster's root is its first record (dict-based, so a worker can
    hold just the records of its agencies)."""

    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, i: int) -> int:
        parent = self.parent
        while parent.get(i, i) != i:
            parent[i] = parent.get(parent[i], parent[i])
            i = parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


@dataclass
class MatchResult:
    clusters: pd.Series  # cluster number per record, index-aligned with the input
    rule: pd.Series  # why each record joined its cluster
    score: pd.Series  # how strongly (1.0 = identical key)
    review_pairs: pd.DataFrame  # record pairs for a person: a_key, b_key, score, evidence
    candidate_pairs: int = 0


REVIEW_PAIR_COLUMNS = [
    "agency_id",
    "a_source",
    "a_source_record_id",
    "a_title",
    "b_source",
    "b_source_record_id",
    "b_title",
    "score",
    "evidence",
]
PARALLEL_MIN_RECORDS = 40_000  # below this, starting worker processes costs more than it saves


def match_workers(n_records: int) -> int:
    """Worker processes for matching: JIPPNAS_MATCH_WORKERS, else one per core for large inputs."""
    configured = os.environ.get("JIPPNAS_MATCH_WORKERS", "").strip()
    if configured:
        return max(1, int(configured))
    return min(os.cpu_count() or 1, 8) if n_records >= PARALLEL_MIN_RECORDS else 1


class _Linker:
    """Union-find with people's cannot-links; remembers every link asked for, in order, so a worker's
    decisions can be replayed by the parent process exactly."""

    def __init__(self, cannot: list[tuple[int, int]]):
        self.uf = _UnionFind()
        self.cannot = cannot
        self.asked: list[tuple[int, int, str, float]] = []

    def link(self, i: int, j: int, why: str, how: float) -> bool:
        self.asked.append((i, j, why, how))
        ri, rj = self.uf.find(i), self.uf.find(j)
        if ri == rj:
            return True
        for x, y in self.cannot:  # a person said these two are different innovations
            if {self.uf.find(x), self.uf.find(y)} == {ri, rj}:
                return False
        self.uf.union(i, j)
        return True


def _match_agency(
    start: int, parts: list[TitleParts], cannot: list[tuple[int, int]], vocab: Vocabulary
) -> tuple[list[tuple[int, int, str, float]], list[tuple[int, int, Verdict]], int]:
    """Links, review pairs and candidate count for one agency's records (positions start, start+1, ...)."""
    linker = _Linker(cannot)
    reviews: list[tuple[int, int, Verdict]] = []
    by_key: dict[TitleParts, list[int]] = {}  # records with one key are one innovation
    for offset, key in enumerate(parts):
        by_key.setdefault(key, []).append(start + offset)
    keys = list(by_key)
    for members in by_key.values():
        for i in members[1:]:
            linker.link(members[0], i, RULE_SAME_TITLE, 1.0)
    weak: list[tuple[int, int, Verdict]] = []
    candidates = _candidates(keys)
    for ki, kj in candidates:
        v = decide(keys[ki], keys[kj], vocab)
        i, j = by_key[keys[ki]][0], by_key[keys[kj]][0]
        if v.match and (keys[ki].expansion and keys[kj].expansion):
            linker.link(i, j, v.rule, v.score)
        elif v.match:
            weak.append((i, j, v))
        elif v.review:
            reviews.append((i, j, v))
    # an acronym alone joins only an unambiguous innovation
    alone: dict[int, list[tuple[int, Verdict]]] = defaultdict(list)
    for i, j, v in weak:
        lone, other = (i, j) if not parts[i - start].expansion else (j, i)
        alone[lone].append((other, v))
    for lone, targets in alone.items():
        roots = {linker.uf.find(o) for o, _ in targets if parts[o - start].expansion}
        if len(roots) <= 1:
            for o, v in targets:
                linker.link(lone, o, v.rule, v.score)
        else:
            for o, v in targets:
                reviews.append(
                    (
                        lone,
                        o,
                        Verdict(
                            False, score=v.score, review="an acronym alone, several innovations"
                        ),
                    )
                )
    return linker.asked, reviews, len(candidates)


_WORKER_VOCAB: Vocabulary | None = None


def _init_worker(vocab: Vocabulary | None) -> None:
    global _WORKER_VOCAB
    _WORKER_VOCAB = vocab


def _parse_batch(items: list[tuple[object, str]]) -> list[TitleParts]:
    return [identity_parts(t, a) for t, a in items]


def _match_batch(jobs: list[tuple[int, list[TitleParts], list[tuple[int, int]]]]) -> list[tuple]:
    return [_match_agency(start, parts, cannot, _WORKER_VOCAB) for start, parts, cannot in jobs]


def _pool(workers: int, vocab: Vocabulary | None = None) -> ProcessPoolExecutor:
    # forkserver: a clean process to fork from (the Dagster step process has threads)
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    return ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init_worker, initargs=(vocab,))


def _run(fn, batches: list, workers: int, vocab: Vocabulary | None = None) -> list:
    """fn over the batches, in order: in worker processes when there are several, else here."""
    if workers > 1 and len(batches) > 1:
        try:
            with _pool(workers, vocab) as pool:
                return list(pool.map(fn, batches))
        except BrokenProcessPool as exc:  # e.g. a caller script without a __main__ guard
            log.warning("matching in one process: worker processes failed to start (%s)", exc)
    _init_worker(vocab)
    return [fn(b) for b in batches]


def _batches(items: list, weights: list[int], parts: int) -> list[list]:
    """Consecutive runs of items with about equal total weight (order kept)."""
    target = max(1, sum(weights) // parts)
    out: list[list] = [[]]
    load = 0
    for item, w in zip(items, weights):
        if load >= target and out[-1]:
            out.append([])
            load = 0
        out[-1].append(item)
        load += w
    return out


def _parse_titles(titles: list[object], agencies: list[str], workers: int) -> list[TitleParts]:
    """identity_parts of every record; titles repeat across years and programmes, so each distinct
    (title, agency) is read once."""
    distinct = list(dict.fromkeys(zip(titles, agencies)))
    chunks = _batches(distinct, [1] * len(distinct), workers * 4)
    parsed = [p for chunk in _run(_parse_batch, chunks, workers) for p in chunk]
    found = dict(zip(distinct, parsed))
    return [found[key] for key in zip(titles, agencies)]


def match_records(
    records: pd.DataFrame,
    accepted_pairs: set[tuple[str, str]] | None = None,
    rejected_pairs: set[tuple[str, str]] | None = None,
    workers: int | None = None,
) -> MatchResult:
    """Cluster records (source, source_record_id, agency_id, title) into innovations.

    `accepted_pairs` / `rejected_pairs` are people's decisions on record pairs, as sorted
    ('SOURCE:id', 'SOURCE:id') tuples. Agencies are independent, so large inputs are matched by
    `workers` processes (default: match_workers); the result is the same for any number.
    """
    accepted_pairs, rejected_pairs = accepted_pairs or set(), rejected_pairs or set()
    order = records.sort_values(["agency_id", "source", "source_record_id"]).index
    recs = records.loc[order]
    agencies = recs["agency_id"].astype(str).tolist()
    n = len(recs)
    workers = match_workers(n) if workers is None else max(1, workers)
    rkeys = [f"{s}:{r}" for s, r in zip(recs["source"], recs["source_record_id"])]
    parts = _parse_titles(recs["title"].tolist(), agencies, workers)
    vocab = Vocabulary.from_records(parts, agencies)
    pos_of = {k: i for i, k in enumerate(rkeys)}
    cannot = [(pos_of[a], pos_of[b]) for a, b in rejected_pairs if a in pos_of and b in pos_of]
    spans, s0 = [], 0
    for i in range(1, n + 1):
        if i == n or agencies[i] != agencies[s0]:
            spans.append((s0, i))
            s0 = i
    jobs = [
        (a, parts[a:b], [(x, y) for x, y in cannot if a <= x < b and a <= y < b]) for a, b in spans
    ]
    batches = _batches(jobs, [b - a for a, b in spans], workers * 8)
    outcomes = [o for batch in _run(_match_batch, batches, workers, vocab) for o in batch]

    linker = _Linker(cannot)
    rule = [RULE_FOUNDING] * n
    score = [1.0] * n
    reviews: list[dict] = []
    n_pairs = 0

    def link(i: int, j: int, why: str, how: float) -> None:
        if linker.uf.find(i) != linker.uf.find(j) and linker.link(i, j, why, how):
            later = max(i, j)
            if rule[later] == RULE_FOUNDING or score[later] < how:
                rule[later], score[later] = why, how

    for (
        asked,
        agency_reviews,
        pairs,
    ) in outcomes:  # replayed in order: the same unions, the same rules
        for i, j, why, how in asked:
            link(i, j, why, how)
        reviews.extend(_review_row(recs, i, j, v) for i, j, v in agency_reviews)
        n_pairs += pairs
    for a, b in accepted_pairs:
        if a in pos_of and b in pos_of:
            link(pos_of[a], pos_of[b], RULE_REVIEW, 1.0)
    roots = [linker.uf.find(i) for i in range(n)]
    review_df = pd.DataFrame(reviews, columns=REVIEW_PAIR_COLUMNS)
    if len(review_df):
        # nothing to ask when the pair is already one innovation, or a person kept their innovations apart
        apart = {frozenset((roots[x], roots[y])) for x, y in cannot}
        pair_roots = [
            frozenset(
                (
                    roots[pos_of[f"{r.a_source}:{r.a_source_record_id}"]],
                    roots[pos_of[f"{r.b_source}:{r.b_source_record_id}"]],
                )
            )
            for r in review_df.itertuples()
        ]
        keep = [len(pr) == 2 and pr not in apart for pr in pair_roots]
        review_df = (
            review_df[keep]
            .drop_duplicates(["a_source", "a_source_record_id", "b_source", "b_source_record_id"])
            .reset_index(drop=True)
        )
    idx = recs.index
    return MatchResult(
        clusters=pd.Series(roots, index=idx, name="cluster").loc[records.index],
        rule=pd.Series(rule, index=idx, name="match_rule").loc[records.index],
        score=pd.Series(score, index=idx, name="match_score").loc[records.index],
        review_pairs=review_df,
        candidate_pairs=n_pairs,
    )


def _review_row(recs: pd.DataFrame, i: int, j: int, v: Verdict) -> dict:
    a, b = recs.iloc[i], recs.iloc[j]
    if (a["source"], a["source_record_id"]) > (b["source"], b["source_record_id"]):
        a, b = b, a
    return {
        "agency_id": a["agency_id"],
        "a_source": a["source"],
        "a_source_record_id": a["source_record_id"],
        "a_title": a["title"],
        "b_source": b["source"],
        "b_source_record_id": b["source_record_id"],
        "b_title": b["title"],
        "score": round(v.score, 3),
        "evidence": v.review,
    }


BIG_BLOCK = 400  # distinct titles in one agency above which all-pairs scoring gives way to blocking
COMMON_BLOCK_KEY = (
    150  # a blocking key shared by more titles than this says too little to pair them all
)


def _deletions(word: str) -> set[str]:
    """The word and every form with one letter removed: two words within one edit (also a swap)
    share one of these (symmetric-deletion index)."""
    return {word} | {word[:i] + word[i + 1 :] for i in range(len(word))}


@lru_cache(maxsize=256)
def _upper_pairs(m: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(m, k=1)


def _blocking_keys(tokens: tuple[str, ...]) -> set[str]:
    """Words, word beginnings, and pairs of them: a title with a typo still shares a word pair (or a
    word and the next word's beginning) with its twin, and pairs stay selective where single common
    words ('layanan', 'desa') are shared by thousands of titles."""
    words = sorted(set(tokens))[:10]
    heads = {w[:3] for w in words if len(w) >= 4}
    keys = {w for w in words if len(w) >= 3} | {w[:4] for w in words if len(w) >= 5}
    keys |= {f"{a}|{b}" for i, a in enumerate(words) for b in words[i + 1 :]}
    keys |= {f"{w}|{h}*" for w in words for h in heads if not w.startswith(h)}
    return keys


def _expansion_pairs(keys: list[TitleParts], with_exp: list[int]) -> set[tuple[int, int]]:
    """Pairs of expansions alike enough to decide (rapidfuzz prefilter). Small blocks score all pairs
    in C++; large ones first pair titles that share a word or a word's beginning (typos rarely touch
    the first letters), leaving out keys so common they would pair everything with everything."""
    pairs: set[tuple[int, int]] = set()
    exps = [keys[k].expansion for k in with_exp]
    if len(with_exp) <= BIG_BLOCK:
        # token_sort_ratio survives word order; plain ratio a typo in a first letter that re-sorts the words
        scores = np.maximum(
            process.cdist(
                exps,
                exps,
                scorer=fuzz.token_sort_ratio,
                dtype=np.uint8,
                workers=-1,
                score_cutoff=PREFILTER,
            ),
            process.cdist(
                exps, exps, scorer=fuzz.ratio, dtype=np.uint8, workers=-1, score_cutoff=PREFILTER
            ),
        )
        for x, y in zip(*np.nonzero(np.triu(scores, k=1))):
            pairs.add((with_exp[int(x)], with_exp[int(y)]))
        return pairs
    postings: dict[str, list[int]] = defaultdict(list)
    for x, k in enumerate(with_exp):
        for b in _blocking_keys(keys[k].tokens):
            postings[b].append(x)
    n = len(with_exp)
    chunks = []
    for members in postings.values():  # members are in ascending order: x < y within each list
        if 2 <= len(members) <= COMMON_BLOCK_KEY:
            arr = np.asarray(members, dtype=np.int64)
            i, j = _upper_pairs(len(members))
            chunks.append(arr[i] * n + arr[j])
    if not chunks:
        return pairs
    codes = np.unique(np.concatenate(chunks))
    xs, ys = codes // n, codes % n
    qa, qb = [exps[x] for x in xs], [exps[y] for y in ys]
    # each candidate pair scored once, element-wise in C++
    scores = np.maximum(
        process.cpdist(
            qa, qb, scorer=fuzz.token_sort_ratio, dtype=np.uint8, workers=-1, score_cutoff=PREFILTER
        ),
        process.cpdist(
            qa, qb, scorer=fuzz.ratio, dtype=np.uint8, workers=-1, score_cutoff=PREFILTER
        ),
    )
    for x, y in zip(xs[scores >= PREFILTER].tolist(), ys[scores >= PREFILTER].tolist()):
        pairs.add((with_exp[x], with_exp[y]))
    return pairs


def _unit_tail_pairs(keys: list[TitleParts], with_exp: list[int]) -> set[tuple[int, int]]:
    """A title beside the same title followed by its unit or place: too unlike for the prefilter."""
    by_tokens: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for k in with_exp:
        by_tokens[keys[k].tokens].append(k)
    pairs: set[tuple[int, int]] = set()
    for k in with_exp:
        tokens = keys[k].tokens
        for cut in range(2, len(tokens) - 1):
            if tokens[cut] in UNIT_TAIL_WORDS:
                for o in by_tokens.get(tokens[:cut], []):
                    pairs.add((min(k, o), max(k, o)))
    return pairs


def _candidates(keys: list[TitleParts]) -> list[tuple[int, int]]:
    """Key pairs worth deciding: expansions alike, one acronym (or one typo apart), or an acronym
    alone beside an expansion it could stand for."""
    n = len(keys)
    if n < 2:
        return []
    with_exp = [k for k in range(n) if keys[k].expansion]
    pairs = _expansion_pairs(keys, with_exp) if len(with_exp) > 1 else set()
    by_acr: dict[str, list[int]] = defaultdict(list)
    for k in range(n):
        if keys[k].acronym:
            by_acr[keys[k].acronym].append(k)
    near: dict[str, set[str]] = defaultdict(set)  # deletion form -> acronyms
    for acr in by_acr:
        for d in _deletions(acr):
            near[d].add(acr)
    for acr, group in by_acr.items():  # one acronym, or one typo apart
        others = {
            o
            for d in _deletions(acr)
            for o in near[d]
            if o != acr and abs(len(o) - len(acr)) <= 1 and OSA.distance(o, acr) <= 1
        }
        members = sorted(set(group) | {k for o in others for k in by_acr[o]})
        for p in range(len(members)):
            for q in range(p + 1, len(members)):
                if members[p] in group or members[q] in group:
                    pairs.add((members[p], members[q]))
    pairs |= _unit_tail_pairs(keys, with_exp)
    by_compact: dict[str, list[int]] = defaultdict(list)
    for k in with_exp:
        if not keys[k].acronym:
            by_compact[keys[k].compact].append(k)
    for acr, group in by_acr.items():  # a name written as words beside the same name as acronym
        for o in by_compact.get(acr, []):
            for k in group:
                pairs.add((min(k, o), max(k, o)))
    alone = [k for k in range(n) if keys[k].acronym and not keys[k].expansion]
    if alone:
        by_initial: dict[str, list[int]] = defaultdict(list)
        for o in with_exp:
            if not keys[o].acronym:
                by_initial[keys[o].expansion[0]].append(o)
        for k in alone:
            acr = keys[k].acronym
            for o in by_initial.get(acr[0], []) + (
                by_initial.get(acr[1], []) if acr[0] in "emi" else []
            ):
                pairs.add((min(k, o), max(k, o)))
    return sorted(pairs)
