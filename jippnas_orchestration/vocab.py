"""Controlled vocabularies shared by the staging code, the sample generator and the gate suites."""

from __future__ import annotations

CATEGORIES = (
    "Pengentasan Kemiskinan",
    "Pendidikan",
    "Kesehatan",
    "Ketahanan Pangan",
    "Pertumbuhan Ekonomi dan Kesempatan Kerja",
    "Pemberdayaan Masyarakat",
    "Pelayanan Publik Responsif Gender",
    "Perlindungan dan Pelestarian Lingkungan Hidup",
    "Tata Kelola Pemerintahan",
    "Penegakan Hukum",
)

# Spellings and abbreviations used by older KIPP years (normalised lower case -> canonical).
CATEGORY_VARIANTS = {
    "penanggulangan kemiskinan": "Pengentasan Kemiskinan",
    "kemiskinan": "Pengentasan Kemiskinan",
    "pendidikan dan kebudayaan": "Pendidikan",
    "bidang pendidikan": "Pendidikan",
    "bidang kesehatan": "Kesehatan",
    "kesehatan masyarakat": "Kesehatan",
    "ketahanan pangan dan pertanian": "Ketahanan Pangan",
    "pangan": "Ketahanan Pangan",
    "pertumbuhan ekonomi": "Pertumbuhan Ekonomi dan Kesempatan Kerja",
    "ekonomi dan kesempatan kerja": "Pertumbuhan Ekonomi dan Kesempatan Kerja",
    "pertumbuhan ekonomi dan lapangan kerja": "Pertumbuhan Ekonomi dan Kesempatan Kerja",
    "pemberdayaan masy": "Pemberdayaan Masyarakat",
    "pemberdayaan": "Pemberdayaan Masyarakat",
    "kesetaraan gender": "Pelayanan Publik Responsif Gender",
    "responsif gender": "Pelayanan Publik Responsif Gender",
    "pengarusutamaan gender": "Pelayanan Publik Responsif Gender",
    "lingkungan hidup": "Perlindungan dan Pelestarian Lingkungan Hidup",
    "pelestarian lingkungan hidup": "Perlindungan dan Pelestarian Lingkungan Hidup",
    "tata kelola pemerintahan yang baik": "Tata Kelola Pemerintahan",
    "tatakelola pemerintahan": "Tata Kelola Pemerintahan",
    "good governance": "Tata Kelola Pemerintahan",
    "tkp": "Tata Kelola Pemerintahan",
    "hukum": "Penegakan Hukum",
    "penegakan hukum dan ham": "Penegakan Hukum",
    "hukum dan ham": "Penegakan Hukum",
}

# IGA government affairs (urusan) -> KIPP category, for innovations IGA alone reports.
URUSAN_CATEGORY = {
    "kesehatan": "Kesehatan",
    "pendidikan": "Pendidikan",
    "sosial": "Pengentasan Kemiskinan",
    "pangan": "Ketahanan Pangan",
    "pertanian": "Ketahanan Pangan",
    "perikanan": "Ketahanan Pangan",
    "tenaga kerja": "Pertumbuhan Ekonomi dan Kesempatan Kerja",
    "koperasi, usaha kecil, dan menengah": "Pertumbuhan Ekonomi dan Kesempatan Kerja",
    "penanaman modal": "Pertumbuhan Ekonomi dan Kesempatan Kerja",
    "pariwisata": "Pertumbuhan Ekonomi dan Kesempatan Kerja",
    "pemberdayaan masyarakat dan desa": "Pemberdayaan Masyarakat",
    "pemberdayaan perempuan dan pelindungan anak": "Pelayanan Publik Responsif Gender",
    "lingkungan hidup": "Perlindungan dan Pelestarian Lingkungan Hidup",
    "administrasi kependudukan dan pencatatan sipil": "Tata Kelola Pemerintahan",
    "komunikasi dan informatika": "Tata Kelola Pemerintahan",
    "perencanaan": "Tata Kelola Pemerintahan",
    "keuangan": "Tata Kelola Pemerintahan",
    "kepegawaian": "Tata Kelola Pemerintahan",
    "ketenteraman, ketertiban umum, dan pelindungan masyarakat": "Penegakan Hukum",
    "perhubungan": "Tata Kelola Pemerintahan",
    "pekerjaan umum dan penataan ruang": "Tata Kelola Pemerintahan",
}

SDG_NAMES = {
    1: "Tanpa Kemiskinan",
    2: "Tanpa Kelaparan",
    3: "Kehidupan Sehat dan Sejahtera",
    4: "Pendidikan Berkualitas",
    5: "Kesetaraan Gender",
    6: "Air Bersih dan Sanitasi Layak",
    7: "Energi Bersih dan Terjangkau",
    8: "Pekerjaan Layak dan Pertumbuhan Ekonomi",
    9: "Industri, Inovasi dan Infrastruktur",
    10: "Berkurangnya Kesenjangan",
    11: "Kota dan Permukiman yang Berkelanjutan",
    12: "Konsumsi dan Produksi yang Bertanggung Jawab",
    13: "Penanganan Perubahan Iklim",
    14: "Ekosistem Lautan",
    15: "Ekosistem Daratan",
    16: "Perdamaian, Keadilan dan Kelembagaan yang Tangguh",
    17: "Kemitraan untuk Mencapai Tujuan",
}

# Top-tier label of each KIPP year; "Top 99" is the round before it.
TOP_TIER = {
    2014: 9,
    2015: 25,
    2016: 35,
    2017: 40,
    2018: 40,
    2019: 45,
    2020: 45,
    2021: 45,
    2022: 45,
    2023: 45,
}
OAPSI_FROM = 2020

AGENCY_TYPES = ("kementerian", "lembaga", "provinsi", "kabupaten", "kota", "bumn", "bumd")
# how each type is written for people (KIPP's "Jenis Instansi", the report)
AGENCY_TYPE_LABELS = {t: t.upper() if t.startswith("bum") else t.capitalize() for t in AGENCY_TYPES}
STAGES = ("inisiatif", "uji coba", "penerapan")
STATUSES = ("berlanjut_dengan_pengembangan", "berlanjut_tanpa_pengembangan", "berhenti")
STOPPED = "berhenti"  # an innovation no longer running: never suggested for replication
UPDATE_STATUSES = ("updated", "pending")  # harmonized_innovations.update_status (contract 3)
PROGRAMMES = ("KIPP", "IGA", "INOLAN")
