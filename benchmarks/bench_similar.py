"""similar_innovations, measured: precision@5 on three evaluations and the run time at scale 45.

usage: python -m benchmarks.bench_similar [--scale 45] [--warehouse URL] [--only holdout]

1. Hand-made (benchmarks/similar_eval.csv): 84 titles in 14 needs; a suggestion is relevant when it
   answers the same need (each query has exactly five relevant answers).
2. Generator domains: the innovations of `build_world(seed 7, scale)` (what `jippnas generate
   --scale 45 --seed 7` writes, before the sources spell them), each labelled with the domain of
   the object its title was drawn from (DOMAIN below, written by hand from the generator's word
   pools; the generator draws the category independently of the title, so the category is no label).
3. The bundled sample through the pipeline: harmonized_innovations of the warehouse `make run`
   leaves (titles as the sources spelled them, merged; statuses after the sample submissions),
   labelled through the ground truth like 2.

precision@5 = relevant suggestions / 5 per query (a missing suggestion counts as not relevant),
averaged over queries. The run time is `build_similar` on the scale-45 frame (above 20,000
innovations a clustered search), against a floor measured in the same process (tokenising the texts
alone, then building the features) and against the exact all-pairs search over the same features
(`clusters=1`; `--no-exact` skips it): its time, its precision@5 and how much of it the clustered
search keeps.

Held out (benchmarks/similar_eval_holdout.csv): 144 innovations in 24 needs, titles and summaries,
written independently of the method (see its header); loaded like 1, precision@5 of the method as
it is. `--only holdout` measures it alone and sets it in the last results file, leaving the rest.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.common import RESULTS, ROOT, save, timed
from jippnas_orchestration import similar
from jippnas_orchestration.generator import words

EVAL_CSV = ROOT / "benchmarks" / "similar_eval.csv"
HOLDOUT_CSV = ROOT / "benchmarks" / "similar_eval_holdout.csv"
SEED = 7

# The generator's title objects (generator/words.py), by public-service domain.
DOMAIN = {
    "kesehatan": """Kesehatan Ibu dan Anak|Gizi Balita|Persalinan Aman|Imunisasi|Posyandu|Rujukan Pasien|
        Pencegahan Stunting|Penanggulangan Tuberkulosis|Demam Berdarah|Kesehatan Jiwa|Rekam Medis|
        Obat Rantai Dingin|Ibu Hamil|Remaja Putri|Bank Darah|Donor Darah|Ambulans Gratis|Gawat Darurat|
        Kesehatan Gigi|Kesehatan Mata|Hipertensi|Diabetes|Kanker Serviks|Gizi Buruk|Air Susu Ibu|
        Keluarga Berencana|Kesehatan Reproduksi|Kader Posyandu|Puskesmas Keliling|Rumah Sehat|Kampung KB|
        Ambulans Desa|Puskesmas Keliling Terapung|Rumah Sehat Jiwa Remaja|Kampung KB Pesisir Mandiri|
        Ambulans Desa Siaga Persalinan""",
    "adminduk": "Administrasi Kependudukan|Akta Kelahiran|KTP Elektronik|Data Penduduk",
    "perizinan_pendapatan": """Perizinan Usaha|Pajak Daerah|Izin Mendirikan Bangunan|Retribusi Pasar|
        Parkir Elektronik|Sertifikat Tanah|Mal Pelayanan Publik""",
    "lingkungan": """Pengelolaan Sampah|Air Bersih|Hutan Kemasyarakatan|Mangrove|Sanitasi Sekolah|
        Kompos Rumah Tangga|Daur Ulang Plastik|Minyak Jelantah|Energi Surya|Biogas Ternak|Air Minum|
        Bank Sampah|Bank Sampah Digital Sekolah""",
    "pendidikan": """Pendidikan Anak Usia Dini|Perpustakaan|Beasiswa Pelajar|Literasi Digital|
        Anak Putus Sekolah|Guru Honorer|Sekolah Inklusi|Taman Bacaan|Bahasa Daerah|Angkutan Sekolah|
        Pojok Baca Digital|Sekolah Lapang Iklim""",
    "sosial": """Lansia|Penyandang Disabilitas|Keluarga Miskin|Anak Jalanan|Rumah Tidak Layak Huni|
        Bedah Rumah|Pemakaman Umum|Perumahan Rakyat""",
    "perempuan_anak": "Perlindungan Anak|Korban Kekerasan|Bantuan Hukum|Narkoba|Kenakalan Remaja",
    "pangan_pertanian": """Pertanian Organik|Nelayan|Cadangan Pangan|Irigasi Desa|Benih Unggul|Ternak Sapi|
        Hasil Laut|Pangan Lokal|Petani Kopi|Perikanan Budidaya|Rumput Laut|Garam Rakyat|Kopi Rakyat""",
    "ekonomi": """UMKM|Ketenagakerjaan|Koperasi Desa|Pasar Rakyat|Wisata Desa|Kerajinan Tenun|Batik Tulis|
        Pengemudi Ojek|Seni Tradisional|Cagar Budaya|Olahraga Rakyat|Pemuda Pelopor""",
    "bencana": """Tanggap Bencana|Pemadam Kebakaran|Banjir Rob|Kebakaran Hutan|Gempa Bumi|Kekeringan""",
    "infrastruktur": """Transportasi Umum|Lampu Jalan|Jalan Desa|Jembatan Gantung|Listrik Desa|Tata Ruang|
        Pengujian Kendaraan""",
    "tata_kelola": """Pengaduan Masyarakat|Kearsipan|Dana Desa|Aset Daerah|Barang dan Jasa|Kepegawaian|
        Absensi Pegawai|Surat Menyurat|Rapat Daring|Statistik Sektoral|Sistem Informasi Desa|
        Layanan Pengaduan Terpadu""",
}
OBJECT_DOMAIN = {o.strip().lower(): d for d, objs in DOMAIN.items() for o in objs.split("|")}
# longest object first: "Bank Sampah Digital Sekolah" before "Bank Sampah", "Ibu Hamil" inside titles
_OBJECTS = sorted(OBJECT_DOMAIN, key=len, reverse=True)
_TARGETS = sorted(
    {t.lower() for t in words.TARGETS + words.MORE_TARGETS if t}, key=len, reverse=True
)


def domain_of(expansion: str) -> str | None:
    """The domain of a generated title (head + object + modifier + target): whole generic titles
    first, then the object it contains once the target ("bagi Lansia") is cut off."""
    e = expansion.lower()
    if e in OBJECT_DOMAIN:
        return OBJECT_DOMAIN[e]
    e = next((e[: -len(t) - 1] for t in _TARGETS if e.endswith(" " + t)), e)
    return next((OBJECT_DOMAIN[o] for o in _OBJECTS if o in e), None)


def precision_at_5(sim: pd.DataFrame, label: dict[str, str], queries: list[str]) -> float:
    rel = [
        label.get(a) is not None and label.get(a) == label.get(b)
        for a, b in zip(sim["innovation_id"], sim["similar_innovation_id"])
    ]
    hits = pd.Series(rel, index=sim["innovation_id"], dtype=float).groupby(level=0).sum()
    return round(float(hits.reindex(queries, fill_value=0).sum() / (5 * len(queries))), 3)


def handmade_frame(path: Path = EVAL_CSV) -> tuple[pd.DataFrame, dict[str, str]]:
    ev = pd.read_csv(path, comment="#")
    ids = [f"H{i:03d}" for i in range(len(ev))]
    df = pd.DataFrame(
        {
            "innovation_id": ids,
            "agency_id": [f"A{i:03d}" for i in range(len(ev))],
            "title": ev["title"],
            "summary": ev["summary"].astype(object).where(ev["summary"].notna(), None)
            if "summary" in ev
            else None,
            "category": ev["category"],
            "status": "berlanjut_tanpa_pengembangan",
        }
    )
    return df, dict(zip(ids, ev["need"]))


def world_frame(scale: int, seed: int = SEED) -> tuple[pd.DataFrame, dict[str, str]]:
    """The generator's innovations as harmonized_innovations would hold them; one in ten stopped."""
    from jippnas_orchestration.generator.build import build_world

    w = build_world(seed, scale)
    df = pd.DataFrame(
        [
            (i.key, i.agency.agency_id, i.canonical_title(), i.summary, i.category)
            for i in w.innovations
        ],
        columns=["innovation_id", "agency_id", "title", "summary", "category"],
    )
    df["status"] = np.where(
        [zlib.crc32(k.encode()) % 10 == 0 for k in df["innovation_id"]],
        similar.STOPPED,
        "berlanjut_tanpa_pengembangan",
    )
    return df, {i.key: domain_of(i.expansion) for i in w.innovations}


def with_weights(affair: float, category: float, fn, *args):
    saved = similar.AFFAIR_WEIGHT, similar.CATEGORY_WEIGHT
    similar.AFFAIR_WEIGHT, similar.CATEGORY_WEIGHT = affair, category
    try:
        return fn(*args)
    finally:
        similar.AFFAIR_WEIGHT, similar.CATEGORY_WEIGHT = saved


def agreement(found: pd.DataFrame, exact: pd.DataFrame) -> dict:
    """How much of the exact search the clustered one keeps: the exact pairs it finds too, rows
    with the same suggestions in the same order, and the share of the exact score mass."""
    both = exact.merge(found, on=["innovation_id", "rank"], suffixes=("", "_found"))
    same_rank = both["similar_innovation_id"] == both["similar_innovation_id_found"]
    rows_same = same_rank.groupby(both["innovation_id"]).all()
    found_pairs = exact.merge(found, on=["innovation_id", "similar_innovation_id"])
    # same five scores, whichever innovations: a difference only among equally scored ones
    same_score = (both["score"] - both["score_found"]).abs() < 1e-4
    rows_same_scores = same_score.groupby(both["innovation_id"]).all()
    return {
        "rows_same_scores": round(
            float(
                rows_same_scores.reindex(exact["innovation_id"].unique(), fill_value=False).mean()
            ),
            4,
        ),
        "exact_pairs_found": round(len(found_pairs) / max(len(exact), 1), 4),
        "rows_identical": round(
            float(rows_same.reindex(exact["innovation_id"].unique(), fill_value=False).mean()), 4
        ),
        "score_mass": round(float(found["score"].sum() / max(exact["score"].sum(), 1e-9)), 4),
    }


def sample_frame(url: str) -> tuple[pd.DataFrame, dict[str, str]]:
    """harmonized_innovations of the bundled sample, labelled through the ground truth."""
    from jippnas_orchestration.generator.build import build_world
    from jippnas_orchestration.warehouse import Warehouse

    wh = Warehouse(url)
    df = wh.read_table(
        "harmonized_innovations",
        ["innovation_id", "agency_id", "title", "summary", "category", "status"],
    )
    smap = wh.read_table("innovation_source_map", ["source", "source_record_id", "innovation_id"])
    truth = pd.read_csv(ROOT / "data" / "sample" / "ground_truth.csv", dtype=str)
    key = (
        smap.merge(truth, on=["source", "source_record_id"])
        .groupby("innovation_id")["innovation_key"]
        .agg(lambda s: s.mode().iloc[0])
    )
    domains = {i.key: domain_of(i.expansion) for i in build_world(2024, 1).innovations}
    return df, {i: domains.get(k) for i, k in key.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=45)
    ap.add_argument("--warehouse", default=f"sqlite:///{ROOT / '.jippnas' / 'warehouse.sqlite'}")
    ap.add_argument("--only", choices=["holdout"], help="measure the held-out set alone")
    ap.add_argument(
        "--no-exact", action="store_true", help="skip the exact all-pairs search (minutes at 45)"
    )
    args = ap.parse_args()
    ho, need = handmade_frame(HOLDOUT_CSV)
    holdout = {
        "queries": len(ho),
        "needs": int(pd.Series(need).nunique()),
        "pairs": int(sum(n * (n - 1) // 2 for n in pd.Series(need).value_counts())),
        "precision_at_5": precision_at_5(
            similar.build_similar(ho), need, list(ho["innovation_id"])
        ),
        "measured_at": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
    }
    print(f"held-out set: precision@5 {holdout['precision_at_5']} ({holdout['queries']} queries)")
    if args.only == "holdout":
        last = RESULTS / "similar.json"
        data = json.loads(last.read_text()) if last.exists() else {}
        last.parent.mkdir(parents=True, exist_ok=True)
        last.write_text(json.dumps({**data, "holdout": holdout}, indent=1))
        return
    out: dict = {
        "handmade": {},
        "weights": {"affair": similar.AFFAIR_WEIGHT, "category": similar.CATEGORY_WEIGHT},
        "holdout": holdout,
    }

    hm, need = handmade_frame()
    queries = list(hm["innovation_id"])
    for name, a, c in [
        ("method", similar.AFFAIR_WEIGHT, similar.CATEGORY_WEIGHT),
        ("without affairs", 0.0, similar.CATEGORY_WEIGHT),
        ("without category", similar.AFFAIR_WEIGHT, 0.0),
        ("text only", 0.0, 0.0),
    ]:
        out["handmade"][name] = precision_at_5(
            with_weights(a, c, similar.build_similar, hm), need, queries
        )
    out["handmade_queries"] = len(queries)
    out["handmade_pairs"] = int(sum(n * (n - 1) // 2 for n in pd.Series(need).value_counts()))

    small, label = world_frame(1)
    out["generator_scale1"] = {
        "innovations": len(small),
        "precision_at_5": precision_at_5(
            similar.build_similar(small), label, list(small["innovation_id"])
        ),
    }

    path = Path(args.warehouse.removeprefix("sqlite:///"))
    if args.warehouse.startswith("sqlite:///") and not path.exists():
        print(f"no warehouse at {path}: run `make run` first for the bundled-sample figure")
    else:
        df, label = sample_frame(args.warehouse)
        sim = similar.build_similar(df)
        queries = [i for i in df["innovation_id"] if label.get(i)]
        out["sample"] = {
            "innovations": len(df),
            "labelled": len(queries),
            "precision_at_5": precision_at_5(sim, label, queries),
            "with_suggestions": int(sim["innovation_id"].nunique()),
        }

    big, label = world_frame(args.scale)
    r: dict = {"innovations": len(big), "stopped": int((big["status"] == similar.STOPPED).sum())}
    with timed(r, "floor_tokenise_s"):
        similar.words(big["title"]), similar.words(big["summary"])
    with timed(r, "features_s"):
        similar.features(big.sort_values("innovation_id").reset_index(drop=True))
    with timed(r, "build_similar_s"):
        sim = similar.build_similar(big)
    r["rows"] = len(sim)
    r["precision_at_5"] = precision_at_5(sim, label, list(big["innovation_id"]))
    r["clusters"] = int(np.ceil(np.sqrt(len(big)))) if len(big) > similar.EXACT_UP_TO else 1
    r["probes"] = similar.PROBES
    if not args.no_exact:
        # the same features, every innovation against every active one: what clustering costs
        with timed(r, "exact_build_similar_s"):
            exact = similar.build_similar(big, clusters=1)
        r["exact_precision_at_5"] = precision_at_5(exact, label, list(big["innovation_id"]))
        r["agreement"] = agreement(sim, exact)
    out["scale"], out[f"scale{args.scale}"] = args.scale, r
    out["load_average"] = [round(x, 1) for x in os.getloadavg()]
    save("similar", out)


if __name__ == "__main__":
    main()
