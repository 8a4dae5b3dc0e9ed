"""Each innovation's government affair (urusan pemerintahan, UU 23/2014) and how it was decided.

One affair per innovation, a key of the lexicon `similar.AFFAIR_TERMS` (35 affairs), decided in
this order, the first that gives one winning (`decided_by`):

1. `source`: the IGA record's `urusan` (staged as `category_raw`), mapped by `URUSAN_AFFAIR`
   below; the first listed urusan that maps, from the innovation's most recent IGA record. A field
   the programme recorded overrides what the words suggest.
2. `lexicon`: the words of title (counted twice: it names the innovation) and summary, folded and
   stemmed as for similar innovations (`similar.words`), looked up in the lexicon; the affair with
   the most hits, ties in the lexicon's order.
3. `category`: the KIPP category, mapped by `CATEGORY_AFFAIR` (Tata Kelola Pemerintahan is too
   broad to name one affair and maps to none).
4. `none`: no affair (the innovation then counts for no coverage cell and is never suggested).

Submissions carry no affair field (contract section 4); a summary changed by a submission can
change a `lexicon` decision, and the next run decides again.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ..similar import _AFFAIR_OF, AFFAIR_TERMS, words

AFFAIRS = tuple(AFFAIR_TERMS)
AFFAIR_COLUMNS = ["innovation_id", "affair", "decided_by"]
DECIDED_BY = ("source", "lexicon", "category", "none")

# IGA urusan (Permendagri 90/2019 nomenclature, lower case) -> lexicon affair
URUSAN_AFFAIR = {
    "kesehatan": "kesehatan",
    "pendidikan": "pendidikan",
    "sosial": "sosial",
    "pangan": "pangan",
    "pertanian": "pertanian",
    "perikanan": "kelautan",
    "kelautan dan perikanan": "kelautan",
    "kehutanan": "kehutanan",
    "tenaga kerja": "tenaga_kerja",
    "koperasi, usaha kecil, dan menengah": "umkm",
    "penanaman modal": "perizinan",
    "pariwisata": "pariwisata",
    "pemberdayaan masyarakat dan desa": "desa",
    "pemberdayaan perempuan dan pelindungan anak": "perempuan_anak",
    "pengendalian penduduk dan keluarga berencana": "keluarga_berencana",
    "lingkungan hidup": "lingkungan",
    "administrasi kependudukan dan pencatatan sipil": "adminduk",
    "komunikasi dan informatika": "kominfo",
    "statistik": "kominfo",
    "persandian": "kominfo",
    "keuangan": "keuangan",
    "kepegawaian": "kepegawaian",
    "pengawasan": "pengawasan",
    "pendapatan": "pendapatan",
    "ketenteraman, ketertiban umum, dan pelindungan masyarakat": "trantibum",
    "penanggulangan bencana": "bencana",
    "bencana": "bencana",
    "perhubungan": "perhubungan",
    "pekerjaan umum dan penataan ruang": "pekerjaan_umum",
    "perumahan rakyat dan kawasan permukiman": "perumahan",
    "pertanahan": "pertanahan",
    "kebudayaan": "kebudayaan",
    "kepemudaan dan olahraga": "pemuda_olahraga",
    "perpustakaan": "perpustakaan",
    "kearsipan": "perpustakaan",
    "energi dan sumber daya mineral": "energi",
    "perdagangan": "perdagangan",
    "perindustrian": "perindustrian",
    "hukum": "hukum",
}
# KIPP category (vocab.CATEGORIES) -> lexicon affair: the fallback when neither source nor words decide
CATEGORY_AFFAIR = {
    "Pengentasan Kemiskinan": "sosial",
    "Pendidikan": "pendidikan",
    "Kesehatan": "kesehatan",
    "Ketahanan Pangan": "pangan",
    "Pertumbuhan Ekonomi dan Kesempatan Kerja": "umkm",
    "Pemberdayaan Masyarakat": "desa",
    "Pelayanan Publik Responsif Gender": "perempuan_anak",
    "Perlindungan dan Pelestarian Lingkungan Hidup": "lingkungan",
    "Penegakan Hukum": "hukum",
}
assert set(URUSAN_AFFAIR.values()) <= set(AFFAIRS) and set(CATEGORY_AFFAIR.values()) <= set(AFFAIRS)


def urusan_affair(raw: object) -> str | None:
    """The affair of an IGA `urusan` value (a JSON list, a list or one name), if one maps."""
    if raw is None or (isinstance(raw, float) and np.isnan(raw)):
        return None
    items = raw
    if isinstance(raw, str):
        try:
            items = json.loads(raw)
        except json.JSONDecodeError:
            items = [raw]
    for item in items if isinstance(items, list) else [items]:
        hit = URUSAN_AFFAIR.get(" ".join(str(item).split()).lower())
        if hit:
            return hit
    return None


def lexicon_affairs(innovations: pd.DataFrame) -> pd.Series:
    """The lexicon's affair of each row's title (x2) and summary, or None (index as given)."""
    n = len(innovations)
    if n == 0:
        return pd.Series([], index=innovations.index, dtype=object)
    w = words(pd.concat([innovations["title"], innovations["summary"]], ignore_index=True))
    order = {a: j for j, a in enumerate(AFFAIRS)}
    col = np.array([order.get(_AFFAIR_OF.get(s), -1) for s in w.stems], dtype=np.int64)
    hit_col = col[w.stem] if len(w.stem) else np.array([], dtype=np.int64)
    keep = hit_col >= 0
    doc = (w.doc % n)[keep]
    weight = np.where(w.doc < n, 2, 1)[keep]
    out = np.full(n, None, dtype=object)
    if keep.any():
        hits = pd.DataFrame({"doc": doc, "affair": hit_col[keep], "w": weight})
        hits = hits.groupby(["doc", "affair"], as_index=False)["w"].sum()
        hits = hits.sort_values(["doc", "w", "affair"], ascending=[True, False, True])
        best = hits.drop_duplicates("doc")
        out[best["doc"].to_numpy()] = np.array(AFFAIRS, dtype=object)[best["affair"].to_numpy()]
    return pd.Series(out, index=innovations.index, dtype=object)


def source_affairs(iga_records: pd.DataFrame) -> pd.Series:
    """Per innovation, the affair of its IGA urusan: the most recent record that maps one
    (columns innovation_id, year, source_record_id, category_raw)."""
    if iga_records.empty:
        return pd.Series(dtype=object)
    raw = iga_records["category_raw"].astype(object)
    known = {v: urusan_affair(v) for v in pd.unique(raw)}  # each distinct urusan value once
    df = iga_records.assign(_affair=[known[v] for v in raw])
    df = df[df["_affair"].notna()]
    df = df.assign(_year=pd.to_numeric(df["year"], errors="coerce").fillna(0))
    df = df.sort_values(
        ["innovation_id", "_year", "source_record_id"], ascending=[True, False, True]
    )
    return df.drop_duplicates("innovation_id").set_index("innovation_id")["_affair"]


def decide_affairs(innovations: pd.DataFrame, iga_records: pd.DataFrame) -> pd.DataFrame:
    """innovation_affairs rows: innovations (innovation_id, title, summary, category), their IGA
    records (see `source_affairs`)."""
    df = innovations[["innovation_id", "title", "summary", "category"]].reset_index(drop=True)
    source = df["innovation_id"].map(source_affairs(iga_records))
    lexicon = lexicon_affairs(df)
    category = df["category"].map(CATEGORY_AFFAIR)
    affair = source.where(source.notna(), lexicon)
    affair = affair.where(affair.notna(), category)
    decided = np.select(
        [source.notna(), lexicon.notna(), category.notna()],
        ["source", "lexicon", "category"],
        "none",
    )
    out = pd.DataFrame(
        {
            "innovation_id": df["innovation_id"],
            "affair": affair.astype(object).where(affair.notna(), None),
            "decided_by": decided,
        }
    )
    return out.sort_values("innovation_id").reset_index(drop=True)


def iga_records_of(tx, innovation_ids: set[str] | None = None) -> pd.DataFrame:
    """The IGA records (innovation_id, year, source_record_id, category_raw) of the innovations
    given (all when None), from innovation_source_map and staged_source_records."""
    empty = pd.DataFrame(columns=["innovation_id", "year", "source_record_id", "category_raw"])
    if not tx.has_table("staged_source_records") or "category_raw" not in tx.columns(
        "staged_source_records"
    ):
        return empty
    sql = (
        "SELECT m.innovation_id, s.year, s.source_record_id, s.category_raw "
        "FROM innovation_source_map m JOIN staged_source_records s "
        "ON s.source = m.source AND s.source_record_id = m.source_record_id "
        "WHERE m.source = 'IGA' AND s.category_raw IS NOT NULL"
    )
    if innovation_ids is None:
        return tx.query(sql)
    frames = [
        tx.query(f"{sql} AND m.innovation_id IN ({marks})", names)
        for marks, names in _in_lists(innovation_ids)
    ]
    return pd.concat(frames, ignore_index=True) if frames else empty


def _in_lists(values):
    from ..warehouse import _in_lists as lists

    return lists(values)
