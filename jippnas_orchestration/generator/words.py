"""Word pools for realistic Indonesian innovation titles, people and texts."""

HEADS = [
    "Sistem", "Layanan", "Gerakan", "Program", "Aplikasi", "Pelayanan", "Klinik", "Rumah", "Pos",
    "Kampung", "Sekolah", "Mobil", "Gerai", "Pusat", "Bank", "Kartu", "Jaringan", "Sentra", "Warung",
    "Kelas", "Galeri", "Lumbung", "Taman", "Pojok", "Sahabat",
]
OBJECTS = [
    "Administrasi Kependudukan", "Kesehatan Ibu dan Anak", "Perizinan Usaha", "Pajak Daerah",
    "Pengelolaan Sampah", "Air Bersih", "Gizi Balita", "Pendidikan Anak Usia Dini", "Lansia",
    "Pertanian Organik", "Nelayan", "UMKM", "Pengaduan Masyarakat", "Penyandang Disabilitas",
    "Persalinan Aman", "Imunisasi", "Posyandu", "Cadangan Pangan", "Perpustakaan", "Ketenagakerjaan",
    "Kearsipan", "Akta Kelahiran", "KTP Elektronik", "Rujukan Pasien", "Pencegahan Stunting",
    "Penanggulangan Tuberkulosis", "Demam Berdarah", "Keluarga Miskin", "Beasiswa Pelajar",
    "Literasi Digital", "Koperasi Desa", "Pasar Rakyat", "Transportasi Umum", "Irigasi Desa",
    "Hutan Kemasyarakatan", "Mangrove", "Tanggap Bencana", "Pemadam Kebakaran", "Kesehatan Jiwa",
    "Sanitasi Sekolah", "Perlindungan Anak", "Korban Kekerasan", "Bantuan Hukum", "Izin Mendirikan Bangunan",
    "Rekam Medis", "Obat Rantai Dingin", "Benih Unggul", "Ternak Sapi", "Hasil Laut", "Wisata Desa",
]
MODIFIERS = [
    "Terpadu", "Keliling", "Digital", "Online", "Satu Pintu", "Berbasis Masyarakat", "Cepat", "Mandiri",
    "Gratis", "Terintegrasi", "Ramah Anak", "Jemput Bola", "Antar Jemput", "Berkelanjutan", "Sehat",
    "Cerdas", "Inklusif", "Tanpa Antre", "Malam Hari", "Akhir Pekan", "Bergerak", "Swadaya", "Elektronik",
    "Partisipatif", "Tangguh",
]
TARGETS = [
    "", "", "", "", "di Desa", "untuk Warga Pesisir", "di Daerah Terpencil", "bagi Perempuan",
    "di Sekolah", "di Pasar", "bagi Pekerja Migran", "di Perbatasan",
]
# Titles many agencies use for their own, distinct innovations.
GENERIC_TITLES = [
    "Mal Pelayanan Publik", "Puskesmas Keliling", "Sistem Informasi Desa", "Pojok Baca Digital",
    "Bank Sampah", "Rumah Sehat", "Layanan Pengaduan Terpadu", "Sekolah Lapang Iklim", "Kampung KB",
    "Ambulans Desa",
]
# (base, extension): two different innovations of one agency whose titles share most words.
HARD_NEGATIVES = [
    ("Puskesmas Keliling", "Puskesmas Keliling Terapung"),
    ("Bank Sampah", "Bank Sampah Digital Sekolah"),
    ("Rumah Sehat", "Rumah Sehat Jiwa Remaja"),
    ("Kampung KB", "Kampung KB Pesisir Mandiri"),
    ("Ambulans Desa", "Ambulans Desa Siaga Persalinan"),
]
UNITS = [
    "Dinas Kesehatan", "Dinas Kependudukan dan Pencatatan Sipil", "Dinas Penanaman Modal dan PTSP",
    "Badan Pendapatan Daerah", "Dinas Lingkungan Hidup", "RSUD", "Puskesmas", "Dinas Sosial",
    "Dinas Pendidikan", "Dinas Pertanian", "Dinas Komunikasi dan Informatika", "Kecamatan",
    "Bappeda", "Dinas Perhubungan", "Dinas Pemberdayaan Masyarakat dan Desa",
]
CENTRAL_UNITS = [
    "Direktorat Jenderal Pelayanan", "Sekretariat Jenderal", "Balai Besar", "Pusat Data dan Informasi",
    "Kantor Wilayah", "Direktorat Pelayanan Publik",
]
FIRST_NAMES = [
    "Agus", "Budi", "Siti", "Dewi", "Eko", "Fitri", "Hendra", "Indah", "Joko", "Kartika", "Lestari",
    "Made", "Nur", "Putu", "Rina", "Slamet", "Teguh", "Wahyu", "Yuni", "Andi", "Ratna", "Bambang",
    "Sri", "Dian", "Rahmat", "Ayu", "Ketut", "Nyoman", "Fajar", "Gita",
]
LAST_NAMES = [
    "Santoso", "Wijaya", "Saputra", "Lestari", "Hidayat", "Kusuma", "Pratama", "Nugroho", "Siregar",
    "Harahap", "Nasution", "Sinaga", "Rahman", "Setiawan", "Wibowo", "Purnomo", "Utami", "Maharani",
    "Suryadi", "Hasibuan", "Tanjung", "Gunawan", "Ramadhan", "Susanti",
]
SUMMARY_OPENERS = [
    "Inovasi ini memudahkan masyarakat memperoleh layanan",
    "Inovasi ini memangkas waktu pengurusan",
    "Inovasi ini mendekatkan layanan kepada warga",
    "Inovasi ini meningkatkan cakupan dan mutu layanan",
]
OUTCOMES = [
    "Waktu layanan turun dari 14 hari menjadi 2 hari.",
    "Cakupan layanan naik 35% dalam dua tahun.",
    "Keluhan masyarakat turun 60%; indeks kepuasan 88,5.",
    "Angka stunting turun dari 24% menjadi 15%.",
    "Lebih dari 12.000 warga terlayani setiap tahun.",
]
URUSAN_BY_CATEGORY = {
    "Pengentasan Kemiskinan": ["sosial"], "Pendidikan": ["pendidikan"], "Kesehatan": ["kesehatan"],
    "Ketahanan Pangan": ["pangan", "pertanian"],
    "Pertumbuhan Ekonomi dan Kesempatan Kerja": ["koperasi, usaha kecil, dan menengah", "tenaga kerja"],
    "Pemberdayaan Masyarakat": ["pemberdayaan masyarakat dan desa"],
    "Pelayanan Publik Responsif Gender": ["pemberdayaan perempuan dan pelindungan anak"],
    "Perlindungan dan Pelestarian Lingkungan Hidup": ["lingkungan hidup"],
    "Tata Kelola Pemerintahan": ["administrasi kependudukan dan pencatatan sipil", "komunikasi dan informatika"],
    "Penegakan Hukum": ["ketenteraman, ketertiban umum, dan pelindungan masyarakat"],
}

# Beyond scale 40 one agency holds thousands of innovations: the pools above leave too few titles
# that stay apart (token_sort_ratio < 80) in one agency, so large sets draw from these supersets.
MORE_HEADS = [
    "Forum", "Posko", "Balai", "Griya", "Rumah Singgah", "Dapur", "Laskar", "Relawan", "Tim", "Unit",
    "Loket", "Kios", "Kantor", "Portal", "Dasbor", "Peta", "Katalog", "Layanan Prima", "Inisiatif",
    "Kemitraan", "Klinik Keliling", "Gerobak", "Perahu", "Lapak", "Paguyuban",
]
MORE_OBJECTS = [
    "Pangan Lokal", "Ibu Hamil", "Remaja Putri", "Anak Jalanan", "Pengemudi Ojek", "Petani Kopi",
    "Perikanan Budidaya", "Rumput Laut", "Garam Rakyat", "Kerajinan Tenun", "Batik Tulis", "Kopi Rakyat",
    "Sertifikat Tanah", "Retribusi Pasar", "Parkir Elektronik", "Lampu Jalan", "Jalan Desa", "Jembatan Gantung",
    "Rumah Tidak Layak Huni", "Bedah Rumah", "Air Minum", "Listrik Desa", "Energi Surya", "Biogas Ternak",
    "Kompos Rumah Tangga", "Daur Ulang Plastik", "Minyak Jelantah", "Bank Darah", "Donor Darah", "Ambulans Gratis",
    "Gawat Darurat", "Kesehatan Gigi", "Kesehatan Mata", "Hipertensi", "Diabetes", "Kanker Serviks",
    "Gizi Buruk", "Air Susu Ibu", "Keluarga Berencana", "Kesehatan Reproduksi", "Narkoba", "Kenakalan Remaja",
    "Anak Putus Sekolah", "Guru Honorer", "Sekolah Inklusi", "Taman Bacaan", "Bahasa Daerah", "Cagar Budaya",
    "Seni Tradisional", "Olahraga Rakyat", "Pemuda Pelopor", "Kader Posyandu", "Dana Desa", "Aset Daerah",
    "Barang dan Jasa", "Kepegawaian", "Absensi Pegawai", "Surat Menyurat", "Rapat Daring", "Data Penduduk",
    "Statistik Sektoral", "Tata Ruang", "Banjir Rob", "Kebakaran Hutan", "Gempa Bumi", "Kekeringan",
    "Perumahan Rakyat", "Pemakaman Umum", "Pengujian Kendaraan", "Angkutan Sekolah",
]
MORE_MODIFIERS = [
    "Terpercaya", "Transparan", "Akuntabel", "Responsif", "Bersahabat", "Gotong Royong", "Serentak",
    "Tepat Sasaran", "Tuntas", "Prima", "Modern", "Kreatif", "Produktif", "Sejahtera", "Lestari", "Hijau",
    "Bersih", "Aman", "Nyaman", "Merata", "Kolaboratif", "Adaptif", "Setara", "Paripurna", "Sigap",
]
MORE_TARGETS = [
    "di Pegunungan", "di Pulau Kecil", "bagi Lansia", "bagi Anak", "bagi Petani", "bagi Nelayan",
    "di Kecamatan", "di Kelurahan", "bagi Disabilitas", "di Rumah Sakit", "bagi Ibu Menyusui", "di Puskesmas",
]
LARGE = {"heads": HEADS + MORE_HEADS, "objects": OBJECTS + MORE_OBJECTS, "modifiers": MODIFIERS + MORE_MODIFIERS,
         "targets": TARGETS + MORE_TARGETS}
SMALL = {"heads": HEADS, "objects": OBJECTS, "modifiers": MODIFIERS, "targets": TARGETS}
