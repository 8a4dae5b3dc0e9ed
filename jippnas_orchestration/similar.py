"""Innovations worth replicating: for each innovation, up to five similar ones of other agencies.

Text: title (twice: it names the innovation) and summary, lower-cased, Indonesian synonyms folded
(daring/online, antrean/antrian, lansia/lanjut usia, ...), affixes stripped (pendaftaran -> daftar,
kesehatan -> sehat). Features: TF-IDF (scikit-learn) of those word stems, plus the category, which
stands for the government affair (IGA's urusan maps onto it). Candidates: active innovations (not
`berhenti`) of another agency. Top-k by sparse products in row blocks, so memory stays bounded
whatever the scale. Deterministic: ties break on innovation_id. No model download.
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
# weight of the category block against the text block (both l2-normalised before weighting)
CATEGORY_WEIGHT = 0.2
AFFAIR_WEIGHT = 0.7
# Indonesian function words and words every innovation title uses: they say nothing about what it does
STOPWORDS = frozenset("""dan di ke dari yang untuk dengan pada dalam oleh atau ini itu serta sebagai bagi
adalah akan agar juga tidak lebih melalui lewat secara tanpa berbasis via the of and for a an to in kab
kota provinsi inovasi inovator diperbarui layan publik masyarakat program gerakan sistem""".split())
# (pattern, replacement) applied in order on lower-case text: spelling variants, abbreviations and
# synonyms of Indonesian public services folded onto one word
SYNONYMS = [(re.compile(p), r) for p, r in [
    (r"\be-(?=[a-z])", "daring "),                      # e-registrasi, e-sppt: the online form of a service
    (r"\b(on-?line|daring|dalam jaringan)\b", "daring"),
    (r"\b(antrian|antrean|antri|antre|mengantre|mengantri)\b", "antre"),
    (r"\b(lanjut usia|lansia|manula|warga senior)\b", "lansia"),
    (r"\b(ktp-el|ktp el|e-ktp|ktp elektronik|kartu tanda penduduk( elektronik)?)\b", "ktp"),
    (r"\b(kartu keluarga)\b", "kk"),
    (r"\b(administrasi kependudukan|adminduk|dukcapil|kependudukan dan pencatatan sipil|catatan sipil"
     r"|kependudukan)\b", "adminduk"),
    (r"\b(usaha mikro,? kecil,? dan menengah|usaha mikro|usaha kecil|umkm|ukm|ikm)\b", "umkm"),
    (r"\b(anak kerdil|kerdil|tengkes|stunting)\b", "stunting"),
    (r"\b(rumah sakit|rsud|rsu)\b", "rumahsakit"),
    (r"\b(registrasi|reservasi|pendaftaran|daftar|mendaftar)\b", "daftar"),
    (r"\b(keluhan|aduan|pengaduan|komplain)\b", "aduan"),
    (r"\b(ponsel|handphone|smartphone|android|gawai|telepon genggam|hp)\b", "ponsel"),
    (r"\b(apps?|aplikasi)\b", "aplikasi"),
    (r"\b(pajak bumi dan bangunan|pbb-p2|pbb)\b", "pbb"),
    (r"\b(non ?tunai|cashless|qris|e-payment|pembayaran digital)\b", "nontunai"),
    (r"\b(limbah|sampah)\b", "sampah"),
    (r"\b(early warning system|sistem peringatan dini|peringatan dini|ews)\b", "peringatandini"),
    (r"\b(perpustakaan|pustaka)\b", "pustaka"),
    (r"\b(ibu hamil|bumil)\b", "bumil"),
    (r"\b(perizinan|perijinan|ijin|izin)\b", "izin"),
    (r"\b(marketplace|lokapasar|e-commerce|toko daring)\b", "lokapasar"),
    (r"\b(pelayanan terpadu satu pintu|ptsp|satu pintu)\b", "ptsp"),
    (r"\b(mal pelayanan publik|mpp)\b", "mpp"),
    (r"\b(whatsapp|wa)\b", "whatsapp"),
    (r"\b(balita|bayi|anak usia dini)\b", "balita"),
]]
# Government affairs (urusan pemerintahan, Permendagri 90/2019 nomenclature, grouped) and the words
# (as stems, after SYNONYMS) that place a text in one: the affair a text speaks of is a feature of
# its own, so two innovations of one affair stay close even when they share no word.
AFFAIR_TERMS = {
    "kesehatan": "sehat pasien obat puskesmas rumahsakit poliklinik klinik posyandu gizi stunting balita "
                 "bumil hamil salin imunisasi vaksin dokter bidan perawat penyakit tuberkulosis "
                 "ambulans bpjs jiwa darah rujuk medis sanitasi",
    "adminduk": "adminduk ktp akta kk penduduk catat nik",
    "pendidikan": "sekolah didik siswa pelajar murid guru beasiswa literasi baca pustaka buku paud "
                  "kejar paket belajar",
    "sosial": "miskin lansia disabilitas terlantar bansos sosial",
    "pendapatan": "pajak pbb sppt retribusi samsat bayar nontunai tapping",
    "perizinan": "izin ptsp mpp berusaha nib gedung investasi modal",
    "aduan": "aduan lapor aspirasi wadul sp4n",
    "lingkungan": "sampah kompos plastik daur maggot hijau mangrove hutan iklim lingkungan",
    "bencana": "bencana banjir longsor gempa tsunami kebakaran evakuasi peringatandini siaga",
    "pertanian": "tani pupuk padi sawah ternak benih irigasi pangan nelayan ikan perikanan",
    "umkm": "umkm wirausaha koperasi produk halal lokapasar kredit dagang pasar",
    "perempuan_anak": "perempuan kekerasan gender",
    "tenaga_kerja": "kerja pekerja migran latih",
}
_AFFAIR_OF = {t: a for a, terms in AFFAIR_TERMS.items() for t in terms.split()}
_TOKEN = re.compile(r"[a-z][a-z0-9]{2,}")
_VOWEL = "aeiou"


def stem(word: str) -> str:
    """A light Indonesian stemmer: one derivational suffix and one prefix, with the nasal of me-/pe-
    undone (pemasaran -> pasar, penurunan -> turun). Short words stay whole."""
    if len(word) <= 5:
        return word
    w = word
    if w.startswith(("me", "di")) and w.endswith("kan") and len(w) > 7:
        w = w[:-3]
    elif w.endswith("an") and len(w) > 6:
        w = w[:-2]
    for prefix, vowel_onset in (("meng", ""), ("peng", ""), ("meny", "s"), ("peny", "s"), ("mem", "p"),
                                ("pem", "p"), ("men", "t"), ("pen", "t"), ("ber", ""), ("ter", ""),
                                ("per", None), ("ke", ""), ("me", ""), ("pe", "")):
        if w.startswith(prefix) and len(w) - len(prefix) >= 4:
            rest = w[len(prefix):]
            if rest[0] in _VOWEL:
                if vowel_onset is None:   # per- before a vowel is pe- + r (perawatan -> rawat)
                    continue
                rest = vowel_onset + rest
            elif prefix in ("ke",) and not word.endswith("an"):
                break                     # ke- only with -an (kesehatan); keluarga, keliling stay
            return rest
    return w


def normalise(text: object) -> list[tuple[str, str]]:
    """(stem, word as written) for the meaningful words of a text."""
    if not isinstance(text, str) or not text:
        return []
    t = text.lower()
    for pattern, repl in SYNONYMS:
        t = pattern.sub(repl, t)
    return [(stem(w), w) for w in _TOKEN.findall(t) if w not in STOPWORDS]


def _l2(m: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m)


def features(df: pd.DataFrame) -> tuple[sp.csr_matrix, list[dict[str, str]], dict[str, float]]:
    """The l2-normalised rows to compare, each row's stems (-> a word as written) and the idf."""
    from sklearn.feature_extraction.text import TfidfVectorizer  # imported lazily: heavy

    words = [dict(normalise(s)[::-1]) | dict(normalise(t)[::-1])
             for t, s in zip(df["title"], df["summary"])]
    docs = [[s for s, _ in normalise(t)] * 2 + [s for s, _ in normalise(s)]
            for t, s in zip(df["title"], df["summary"])]
    vec = TfidfVectorizer(analyzer=lambda d: d, sublinear_tf=True, dtype=np.float32)
    text = vec.fit_transform(docs)
    idf = dict(zip(vec.get_feature_names_out(), vec.idf_.astype(float)))
    affair = _affairs(docs)
    cats = pd.factorize(df["category"].fillna("").astype(str))[0]
    known = df["category"].notna().to_numpy()
    cat = sp.csr_matrix((np.full(known.sum(), CATEGORY_WEIGHT, dtype=np.float32),
                         (np.flatnonzero(known), cats[known])), shape=(len(df), max(cats.max() + 1, 1)))
    return _l2(sp.hstack([text, AFFAIR_WEIGHT * affair, cat]).tocsr()), words, idf


def _affairs(docs: list[list[str]]) -> sp.csr_matrix:
    """Per document, the affairs its words belong to (l2-normalised counts)."""
    index = {a: j for j, a in enumerate(AFFAIR_TERMS)}
    rows, cols = [], []
    for i, doc in enumerate(docs):
        for t in doc:
            a = _AFFAIR_OF.get(t)
            if a is not None:
                rows.append(i)
                cols.append(index[a])
    m = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)),
                      shape=(len(docs), len(index)))
    m.sum_duplicates()
    return _l2(m)


def build_similar(innovations: pd.DataFrame, top_k: int = TOP_K, block: int = 2000) -> pd.DataFrame:
    """similar_innovations from harmonized_innovations (innovation_id, agency_id, title, summary,
    category, status)."""
    df = innovations.sort_values("innovation_id").reset_index(drop=True)
    if df.empty:
        return pd.DataFrame(columns=SIMILAR_COLUMNS)
    m, words, idf = features(df)
    agency = pd.factorize(df["agency_id"].astype(str))[0]   # integer codes: fast to compare in bulk
    category = df["category"].fillna("").astype(str).to_numpy()
    ids = df["innovation_id"].astype(str).to_numpy()
    active = (df["status"].fillna("") != STOPPED).to_numpy()
    # only active innovations can be suggested: compare against those columns alone
    cand = np.flatnonzero(active)
    mt = m[cand].T.tocsr()
    cand_agency = agency[cand]
    n = len(cand)
    if n == 0:
        return pd.DataFrame(columns=SIMILAR_COLUMNS)
    k = min(top_k, n)
    # rows per block: a dense block of similarities stays around 160 MB whatever the scale
    block = max(1, min(block, 40_000_000 // n))
    out = []
    for start in range(0, len(df), block):
        stop = min(start + block, len(df))
        sims = (m[start:stop] @ mt).toarray()
        rows = np.arange(start, stop)
        sims[cand_agency[None, :] == agency[rows, None]] = -1.0
        # the k best per row, then ordered by score descending and innovation_id ascending
        # (candidates are in id order)
        best = np.argpartition(-sims, k - 1, axis=1)[:, :k] if k < n \
            else np.tile(np.arange(n), (len(rows), 1))
        best_scores = np.take_along_axis(sims, best, axis=1)
        order = np.lexsort((best, -best_scores), axis=1)
        best = np.take_along_axis(best, order, axis=1)
        best_scores = np.take_along_axis(best_scores, order, axis=1)
        for r, i in enumerate(rows):
            rank = 0
            for c, score in zip(best[r], best_scores[r]):
                if score < MIN_SCORE:
                    break
                j = cand[c]
                rank += 1
                out.append((ids[i], ids[j], rank, round(float(score), 4),
                            _reason(words[i], words[j], idf, category[i], category[j])))
    return pd.DataFrame(out, columns=SIMILAR_COLUMNS)


def _reason(words_a: dict[str, str], words_b: dict[str, str], idf: dict[str, float],
            cat_a: str, cat_b: str) -> str:
    # the rarest shared words say best why the two are alike; shown as the first one writes them
    shared = sorted(words_a.keys() & words_b.keys(), key=lambda s: (-idf.get(s, 0.0), s))
    parts = []
    if shared:
        parts.append("kata sama: " + ", ".join(words_a[s] for s in shared[:5]))
    if cat_a and cat_a == cat_b:
        parts.append(f"kategori sama: {cat_a}")
    return "; ".join(parts)
