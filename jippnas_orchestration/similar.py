"""Innovations worth replicating: for each innovation, up to five similar ones of other agencies.

Text: title (counted twice: it names the innovation) and summary, lower-cased, Indonesian synonyms
and abbreviations folded (daring/online, antrean/antrian, lansia/lanjut usia, dukcapil/adminduk),
affixes stripped (pendaftaran -> daftar, kesehatan -> sehat). Features: TF-IDF of those stems, the
government affairs the words speak of (a small lexicon), and the category. Candidates: active
innovations (not `berhenti`) of another agency. Top-k by sparse products in row blocks, so memory
stays bounded whatever the scale; above EXACT_UP_TO innovations, within the nearest clusters only.
numpy/scipy/pandas only (scikit-learn's TfidfVectorizer computes
the same weights but costs seconds to import); no model download. Deterministic: ties break on
innovation_id. Measured by benchmarks/bench_similar.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

from .vocab import STOPPED

SIMILAR_COLUMNS = ["innovation_id", "similar_innovation_id", "rank", "score", "reason"]
TOP_K = 5
MIN_SCORE = 0.05
# weight of the category block against the text block (both l2-normalised before weighting)
CATEGORY_WEIGHT = 0.2
AFFAIR_WEIGHT = 0.7
# up to this many innovations every one is compared with every other; above, the clustered search
EXACT_UP_TO = 20_000
PROBES = 8
# Indonesian function words and words every innovation title uses: they say nothing about what it does
STOPWORDS = frozenset(
    """dan di ke dari yang untuk dengan pada dalam oleh atau ini itu serta sebagai bagi
adalah akan agar juga tidak lebih melalui lewat secara tanpa berbasis via the of and for a an to in kab
kota provinsi inovasi inovator diperbarui layan publik masyarakat program gerakan sistem""".split()
)
# Spelling variants, abbreviations and synonyms of Indonesian public services, each group folded
# onto the key (whole words or phrases, longest first, in one pass)
SYNONYMS = {
    "daring": "online|on-line|dalam jaringan",
    "antre": "antrian|antrean|antri|mengantre|mengantri",
    "lansia": "lanjut usia|manula|warga senior",
    "ktp": "ktp-el|ktp el|e-ktp|ktp elektronik|kartu tanda penduduk|kartu tanda penduduk elektronik",
    "kartukeluarga": "kartu keluarga|kk",
    "adminduk": "administrasi kependudukan|adminduk|dukcapil|kependudukan dan pencatatan sipil|catatan sipil"
    "|pencatatan sipil|kependudukan",
    "umkm": "usaha mikro kecil dan menengah|usaha mikro, kecil, dan menengah|usaha mikro|usaha kecil|ukm|ikm",
    "stunting": "anak kerdil|kerdil|tengkes",
    "rumahsakit": "rumah sakit|rsud|rsu",
    "daftar": "registrasi|reservasi|pendaftaran|mendaftar",
    "aduan": "keluhan|pengaduan|komplain",
    "ponsel": "handphone|smartphone|android|gawai|hp|telepon genggam",
    "aplikasi": "app|apps",
    "pbb": "pajak bumi dan bangunan|pbb-p2",
    "nontunai": "non tunai|cashless|qris|e-payment|pembayaran digital",
    "sampah": "limbah",
    "peringatandini": "early warning system|sistem peringatan dini|peringatan dini|ews",
    "pustaka": "perpustakaan",
    "bumil": "ibu hamil",
    "izin": "perizinan|perijinan|ijin",
    "lokapasar": "marketplace|e-commerce|toko daring|toko online",
    "ptsp": "pelayanan terpadu satu pintu|satu pintu",
    "mpp": "mal pelayanan publik",
    "whatsapp": "wa",
    "balita": "bayi|anak usia dini",
    "keluargaberencana": "keluarga berencana|kb",
}
_FOLD = {v: k for k, vs in SYNONYMS.items() for v in vs.split("|")}
_PHRASES = "|".join(map(re.escape, sorted(_FOLD, key=len, reverse=True)))
_FOLD_RE = re.compile(r"\b(" + _PHRASES + r")\b")
_E_PREFIX = re.compile(r"\be-(?=[a-z])")  # e-registrasi, e-sppt: the online form of a service
# the same, for RE2 (pyarrow), which finds in one pass the few texts that need folding
_ANY_FOLD = r"\b(?:" + _PHRASES + r")\b|\be-[a-z]"
# Government affairs (urusan pemerintahan of UU 23/2014 and the Permendagri 90/2019 nomenclature,
# all of them, a few grouped, plus the supporting affairs agencies innovate in: revenue, staff,
# budget, oversight, complaints) and everyday words, after SYNONYMS, that place a text in one. The
# affair a text speaks of is a feature of its own, so two innovations of one affair stay close even
# when they share no word. Words as written; looked up by their stem. Not places (desa, kelurahan,
# jalan): most titles name where they work, which says nothing about what they do.
AFFAIR_TERMS = {
    "kesehatan": "kesehatan pasien obat puskesmas rumahsakit poliklinik klinik posyandu gizi stunting "
    "balita bumil kehamilan persalinan imunisasi vaksin dokter bidan perawatan penyakit "
    "tuberkulosis tbc malaria demam dbd hiv ambulans bpjs jiwa darah rujukan medis nakes "
    "kader jamban sanitasi",
    "adminduk": "adminduk ktp akta kartukeluarga penduduk pencatatan nik",
    "pendidikan": "sekolah pendidikan siswa pelajar murid guru beasiswa literasi paud kejar belajar "
    "mengajar kurikulum zonasi ppdb putus santri madrasah",
    "sosial": "miskin kemiskinan lansia disabilitas difabel terlantar bansos sosial yatim pkh dtks",
    "pendapatan": "pajak pbb sppt retribusi samsat bayar nontunai tapping bphtb",
    "perizinan": "izin ptsp mpp nib pbg imb investasi modal investor",
    "aduan": "aduan lapor aspirasi wadul sp4n",
    "lingkungan": "sampah kompos plastik daur maggot hijau mangrove iklim lingkungan polusi "
    "pencemaran emisi",
    "bencana": "bencana banjir longsor gempa tsunami erupsi evakuasi peringatandini siaga "
    "pengungsi logistik bpbd tanggap",
    "pertanian": "tani petani pupuk padi sawah ternak peternak benih bibit irigasi panen hama "
    "penyuluh kebun",
    "kelautan": "nelayan ikan perikanan laut pesisir tambak budidaya",
    "kehutanan": "hutan karhutla gambut reboisasi",
    "pangan": "pangan beras harga inflasi stok cadangan lumbung",
    "umkm": "umkm wirausaha koperasi produk halal lokapasar kredit usaha",
    "perdagangan": "dagang pasar pedagang metrologi tera ekspor",
    "perindustrian": "industri pabrik kerajinan",
    "perempuan_anak": "perempuan kekerasan gender pelecehan",
    "tenaga_kerja": "kerja pekerja migran pelatihan kompetensi lowongan pengangguran",
    "pekerjaan_umum": "jembatan drainase pdam spam minum",
    "perumahan": "permukiman kumuh rtlh hunian",
    "trantibum": "ketertiban satpol damkar kebakaran linmas cctv",
    "pertanahan": "tanah sertifikat sertipikat agraria ptsl bpn lahan",
    "desa": "bumdes apbdes siskeudes",
    "keluarga_berencana": "keluargaberencana kontrasepsi akseptor bkkbn",
    "perhubungan": "transportasi angkutan bus terminal parkir lintas kendaraan kir pelabuhan",
    "kominfo": "informasi website internet wifi ppid siaran statistik persandian",
    "kepegawaian": "asn pegawai pns kinerja absensi presensi cuti pangkat kepegawaian",
    "keuangan": "anggaran apbd keuangan belanja pengadaan lpse aset",
    "pengawasan": "inspektorat audit gratifikasi korupsi integritas pengawasan",
    "pariwisata": "wisata pariwisata destinasi homestay wisatawan",
    "kebudayaan": "budaya kebudayaan seni adat cagar museum",
    "pemuda_olahraga": "pemuda olahraga atlet",
    "perpustakaan": "pustaka perpustakaan buku baca arsip kearsipan",
    "energi": "listrik energi surya tambang",
    "hukum": "hukum perda regulasi",
}
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
    for prefix, vowel_onset in (
        ("meng", ""),
        ("peng", ""),
        ("meny", "s"),
        ("peny", "s"),
        ("mem", "p"),
        ("pem", "p"),
        ("men", "t"),
        ("pen", "t"),
        ("ber", ""),
        ("ter", ""),
        ("per", None),
        ("ke", ""),
        ("me", ""),
        ("pe", ""),
    ):
        if w.startswith(prefix) and len(w) - len(prefix) >= 4:
            rest = w[len(prefix) :]
            if rest[0] in _VOWEL:
                if vowel_onset is None:  # per- before a vowel is pe- + r (perawatan -> rawat)
                    continue
                rest = vowel_onset + rest
            elif prefix == "ke" and not word.endswith("an"):
                break  # ke- only with -an (kesehatan); keluarga, keliling stay
            return rest
    return w


_AFFAIR_OF = {stem(t): a for a, terms in AFFAIR_TERMS.items() for t in terms.split()}


@dataclass
class Words:
    """The meaningful words of a column of texts, one entry per occurrence: `doc` (position of the
    text), `stem` (code into `stems`) and `word` (code into `words`, as written once synonyms are
    folded)."""

    doc: np.ndarray
    stem: np.ndarray
    word: np.ndarray
    stems: np.ndarray
    words: np.ndarray

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {"doc": self.doc, "word": self.words[self.word], "stem": self.stems[self.stem]}
        )


def words(texts: pd.Series) -> Words:
    """pyarrow's compute kernels do the whole column at once; Python sees each distinct word once
    (to stem it) and only the few texts that hold a synonym to fold."""
    import pyarrow as pa
    import pyarrow.compute as pc

    t = pc.utf8_lower(
        pa.array(
            texts.astype(object).where(texts.notna(), "").astype(str).to_numpy(), pa.large_string()
        )
    )
    todo = np.flatnonzero(pc.match_substring_regex(t, _ANY_FOLD).to_numpy(zero_copy_only=False))
    if len(todo):
        t = t.to_numpy(zero_copy_only=False)
        t[todo] = [
            _E_PREFIX.sub("daring ", _FOLD_RE.sub(lambda m: _FOLD[m.group(1)], x)) for x in t[todo]
        ]
        t = pa.array(t, pa.large_string())
    lists = pc.split_pattern_regex(t, r"[^a-z0-9]+")
    flat, doc = pc.list_flatten(lists), pc.list_parent_indices(lists)
    keep = pc.and_(
        pc.greater_equal(pc.utf8_length(flat), 3), pc.match_substring_regex(flat, "^[a-z]")
    )
    stop = pa.array(sorted(STOPWORDS), pa.large_string())
    keep = pc.and_(keep, pc.invert(pc.is_in(flat, value_set=stop)))
    enc = pc.dictionary_encode(flat.filter(keep))
    vocab = np.array(enc.dictionary.to_pylist(), dtype=object)
    word = enc.indices.to_numpy().astype(np.int64)
    stem_of_word, stems = pd.factorize(np.array([stem(w) for w in vocab], dtype=object), sort=True)
    useful = ~pd.Index(stems).isin(STOPWORDS)[stem_of_word][word]
    return Words(
        doc.filter(keep).to_numpy()[useful],
        stem_of_word[word][useful],
        word[useful],
        np.asarray(stems, dtype=object),
        vocab,
    )


@dataclass
class Features:
    matrix: sp.csr_matrix  # rows l2-normalised: text, affairs, category
    terms: sp.csr_matrix  # rows' stems (binary), for the reason
    vocabulary: np.ndarray  # stem of each term column, shown as its most frequent written form
    idf: np.ndarray


def features(df: pd.DataFrame) -> Features:
    """TF-IDF (sublinear tf, smooth idf, as scikit-learn's TfidfVectorizer) of the stems of title
    (counted twice: it names the innovation) and summary, plus affairs and category."""
    n = len(df)
    w = words(pd.concat([df["title"], df["summary"]], ignore_index=True))
    doc = w.doc % n
    weight = np.where(w.doc < n, 2.0, 1.0).astype(np.float32)
    counts = sp.csr_matrix((weight, (doc, w.stem)), shape=(n, len(w.stems)))
    counts.sum_duplicates()
    df_ = np.bincount(counts.indices, minlength=len(w.stems))
    idf = (np.log((1 + n) / (1 + df_)) + 1.0).astype(np.float32)
    tf = counts.copy()
    tf.data = 1.0 + np.log(tf.data)
    text = _l2(tf @ sp.diags(idf))
    index = {a: j for j, a in enumerate(AFFAIR_TERMS)}
    col = np.array([index.get(_AFFAIR_OF.get(s), -1) for s in w.stems])[w.stem]
    hit = col >= 0
    affair = sp.csr_matrix((weight[hit], (doc[hit], col[hit])), shape=(n, len(index)))
    affair.sum_duplicates()
    cats = pd.factorize(df["category"].fillna("").astype(str))[0]
    known = df["category"].notna().to_numpy()
    cat = sp.csr_matrix(
        (np.ones(known.sum(), dtype=np.float32), (np.flatnonzero(known), cats[known])),
        shape=(n, max(cats.max() + 1, 1)),
    )
    matrix = _l2(sp.hstack([text, AFFAIR_WEIGHT * _l2(affair), CATEGORY_WEIGHT * cat]).tocsr())
    # the most frequent way a stem is written stands for it in the reason (ties: alphabetical)
    pairs, k = np.unique(w.stem * len(w.words) + w.word, return_counts=True)
    shown = pd.DataFrame(
        {"stem": pairs // len(w.words), "word": w.words[pairs % len(w.words)], "k": k}
    )
    shown = shown.sort_values(["stem", "k", "word"], ascending=[True, False, True]).drop_duplicates(
        "stem"
    )
    vocabulary = w.stems.copy()
    vocabulary[shown["stem"].to_numpy()] = shown["word"].to_numpy()
    terms = counts.copy()
    terms.data[:] = 1.0
    return Features(matrix, terms, vocabulary, idf)


def _l2(m: sp.csr_matrix) -> sp.csr_matrix:
    m = sp.csr_matrix(m, dtype=np.float32)
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1.0 / norms) @ m)


def build_similar(
    innovations: pd.DataFrame, top_k: int = TOP_K, clusters: int | None = None, probes: int = PROBES
) -> pd.DataFrame:
    """similar_innovations from harmonized_innovations (innovation_id, agency_id, title, summary,
    category, status).

    Comparing every innovation with every other grows with the square of the corpus (minutes at
    national scale), so above EXACT_UP_TO rows the search is clustered: spherical k-means over the
    feature rows, and each innovation is compared exactly with the active innovations of the
    `probes` clusters nearest to it (an inverted-file index). benchmarks/bench_similar.py measures
    what this loses against the exact search: the same precision@5, >= 99 % of its score mass."""
    df = innovations.sort_values("innovation_id").reset_index(drop=True)
    active = (df["status"].fillna("") != STOPPED).to_numpy()
    if df.empty or not active.any():
        return pd.DataFrame(columns=SIMILAR_COLUMNS)
    f = features(df)
    n = len(df)
    if clusters is None:
        clusters = 1 if n <= EXACT_UP_TO else int(np.ceil(np.sqrt(n)))
    assign, probe = _clusters(f.matrix, clusters, probes)
    agency = pd.factorize(df["agency_id"].astype(str))[0]  # integer codes: fast to compare in bulk
    ids = df["innovation_id"].astype(str).to_numpy()
    i, j, score = _search(f, assign, probe, active, agency, top_k)
    out = pd.DataFrame({"i": i, "j": j, "score": score})
    out = out[out["score"] >= MIN_SCORE]
    # rank by score, ties by innovation_id (rows are in id order, so by position)
    out = out.sort_values(["i", "score", "j"], ascending=[True, False, True], kind="stable")
    out = out.drop_duplicates(["i", "j"])
    out = out[out.groupby("i").cumcount() < top_k]
    out["rank"] = out.groupby("i").cumcount() + 1
    category = df["category"].fillna("").astype(str).to_numpy()
    reasons = _reasons(f, out["i"].to_numpy(), out["j"].to_numpy(), category)
    return pd.DataFrame(
        {
            "innovation_id": ids[out["i"]],
            "similar_innovation_id": ids[out["j"]],
            "rank": out["rank"].to_numpy(),
            "score": out["score"].to_numpy(),
            "reason": reasons,
        }
    )


def _clusters(
    m: sp.csr_matrix, k: int, probes: int, iterations: int = 6
) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means (cosine) over the rows; returns each row's cluster and the `probes`
    clusters nearest to it (its own among them). Seeded from rows chosen by a fixed generator, and
    sparse products only (no threaded BLAS sums), so the same input gives the same clusters."""
    n = m.shape[0]
    k = max(1, min(k, n))
    if k == 1:
        zeros = np.zeros(n, dtype=np.int64)
        return zeros, zeros[:, None]
    centroids = m[np.sort(np.random.default_rng(0).choice(n, k, replace=False))].toarray()
    for _ in range(iterations):
        assign, best, _ = _nearest(m, centroids, 0)
        members = sp.csr_matrix((np.ones(n, np.float32), (assign, np.arange(n))), shape=(k, n))
        centroids = (members @ m).toarray()
        norms = np.linalg.norm(centroids, axis=1)
        empty = norms == 0
        centroids[~empty] /= norms[~empty, None]
        if empty.any():  # an emptied cluster restarts at the rows served worst
            centroids[empty] = m[np.argsort(best, kind="stable")[: empty.sum()]].toarray()
    assign, _, probe = _nearest(m, centroids, probes)
    return assign, probe


def _nearest(
    m: sp.csr_matrix, centroids: np.ndarray, probes: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's nearest centroid, its similarity, and its `probes` nearest centroids; by chunks
    of rows, never the n x k similarities (gigabytes at ten times the national corpus)."""
    n, k = m.shape[0], centroids.shape[0]
    p = min(probes, k)
    chunk = max(1, 20_000_000 // k)
    assign, best = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.float32)
    probe = np.empty((n, p), dtype=np.int64)
    for a in range(0, n, chunk):
        sims = m[a : a + chunk] @ centroids.T
        assign[a : a + chunk] = sims.argmax(axis=1)
        best[a : a + chunk] = sims.max(axis=1)
        if 0 < p < k:
            probe[a : a + chunk] = np.argpartition(-sims, p - 1, axis=1)[:, :p]
        elif p:
            probe[a : a + chunk] = np.arange(k)
    return assign, best, probe


def _search(
    f: Features,
    assign: np.ndarray,
    probe: np.ndarray,
    active: np.ndarray,
    agency: np.ndarray,
    top_k: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each row, the best `top_k` active rows of other agencies within each probed cluster:
    exact cosines, one cluster at a time, a bounded block of similarities at once."""
    m = f.matrix
    # the sparse text columns by a sparse product; the few affair and category columns, where most
    # rows meet, by a dense one (BLAS): together the cosine of the whole rows
    n_text = f.idf.shape[0]
    text, low = m[:, :n_text].tocsr(), m[:, n_text:].toarray()
    k = int(assign.max()) + 1
    # suggestable rows by cluster, in row (= innovation_id) order within each
    members = np.flatnonzero(active)
    members = members[np.argsort(assign[members], kind="stable")]
    member_ptr = np.searchsorted(assign[members], np.arange(k + 1))
    queries = np.repeat(np.arange(m.shape[0]), probe.shape[1])
    probed = probe.ravel()
    order = np.argsort(probed, kind="stable")
    queries, probed = queries[order], probed[order]
    query_ptr = np.searchsorted(probed, np.arange(k + 1))
    text_t = text.T.tocsr()
    out_i, out_j, out_s = [], [], []
    for c in range(k):
        cols = members[member_ptr[c] : member_ptr[c + 1]]
        rows_c = queries[query_ptr[c] : query_ptr[c + 1]]
        if not len(cols) or not len(rows_c):
            continue
        right, right_low = text_t[:, cols].tocsc(), np.ascontiguousarray(low[cols].T)
        n = len(cols)
        kk = min(top_k, n)
        # rows per block: a block of similarities and its keys stays around 240 MB
        block = max(1, 20_000_000 // n)
        for start in range(0, len(rows_c), block):
            rows = rows_c[start : start + block]
            sims = low[rows] @ right_low
            sims += (text[rows] @ right).toarray()
            sims[agency[cols][None, :] == agency[rows, None]] = -1.0
            # one integer key per pair: the score as published (4 decimals), then the lower
            # innovation_id, so ties at the k-th place break on the id
            key = np.rint(sims * 10_000).astype(np.int64) * n + (n - 1 - np.arange(n))
            best = (
                np.argpartition(key, n - kk, axis=1)[:, n - kk :]
                if kk < n
                else np.tile(np.arange(n), (len(rows), 1))
            )
            out_i.append(np.repeat(rows, kk))
            out_j.append(cols[best].ravel())
            out_s.append(np.rint(np.take_along_axis(sims, best, axis=1).ravel() * 10_000) / 10_000)
    if not out_i:
        return np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0)
    return np.concatenate(out_i), np.concatenate(out_j), np.concatenate(out_s).astype(float)


def _reasons(f: Features, left: np.ndarray, right: np.ndarray, category: np.ndarray) -> list[str]:
    """Shared words, rarest first (they say best why two are alike), and the shared category."""
    shared = f.terms[left].multiply(f.terms[right]).tocsr()
    out = []
    for r, (a, b) in enumerate(zip(left, right)):
        terms = shared.indices[shared.indptr[r] : shared.indptr[r + 1]]
        terms = terms[np.lexsort((terms, -f.idf[terms]))][:5]
        parts = ["kata sama: " + ", ".join(f.vocabulary[terms])] if len(terms) else []
        if category[a] and category[a] == category[b]:
            parts.append(f"kategori sama: {category[a]}")
        out.append("; ".join(parts))
    return out
