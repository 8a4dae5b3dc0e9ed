"""The report's one Indonesian message catalogue: every reason a reader sees goes through it.

Where a reason is recorded (rejected_source_rows, innovation_submissions, match_review, the gate
results) the pipeline keeps its English text for logs, the CLI and the contract's columns; this
module reads those texts (and the codes stored beside them: rejected_source_rows.kind/field) as a
message code with parameters, and `say(code, **params)` renders that code in Indonesian.
A text no pattern knows becomes a generic message in Indonesian, never the English original.
Never a server path: a source location is named by programme, file, sheet and row.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from urllib.parse import parse_qs, urlsplit

# code -> Indonesian template (str.format parameters)
MESSAGES: dict[str, str] = {
    # where a source row stands
    "lokasi.kipp": 'KIPP, berkas {file}, lembar "{sheet}", baris {row}',
    "lokasi.iga_berkas": "IGA, berkas {file}, rekaman ke-{record}",
    "lokasi.iga_api": "IGA, tahun {year}, halaman {page}, rekaman ke-{record}",
    "lokasi.inolan": "InoLAN, berkas {file}, baris {line}",
    "lokasi.lain": "{programme}, lokasi {where}",
    "lokasi.tidak_diketahui": "{programme}",
    # what is wrong with a source row (kind of rejected_source_rows)
    "jenis.unreadable_row": "baris tidak terbaca",
    "jenis.missing_field": "isian wajib kosong",
    "jenis.invalid_value": "nilai tidak wajar",
    "jenis.duplicate_id": "ID ganda dengan isi berbeda",
    "jenis.unresolved_agency": "instansi tidak dikenali",
    "jenis.other": "masalah lain",
    "sumber.judul_kosong": "judul kosong (kolom {field})",
    "sumber.kunci_kosong": "nomor rekaman kosong (kolom {field})",
    "sumber.tahun_tidak_wajar": "tahun tidak wajar (kolom {field}: {value})",
    "sumber.id_ganda": (
        "{field} {key} sudah terbaca di {first} dengan isi berbeda (berbeda pada: {fields})"
    ),
    "sumber.kolom_kurang": "jumlah kolom kurang ({got} dari {expected})",
    "sumber.kolom_lebih": (
        "jumlah kolom lebih ({got} dari {expected}); mungkin ada tanda ';' tanpa tanda kutip"
    ),
    "sumber.bukan_objek": "rekaman bukan objek JSON",
    "sumber.instansi_tidak_dikenali": "instansi tidak dikenali: {evidence}",
    "sumber.lain": "baris tidak dapat dipakai ({kind})",
    # why an agency name could not be resolved (review evidence, quarantine detail)
    "instansi.tidak_cocok": "tidak ada instansi yang cocok dengan nama {name}",
    "instansi.tidak_cocok_umum": "tidak ada instansi yang cocok",
    "instansi.nama_kosong": "nama instansi kosong",
    "instansi.nama_wilayah_ganda": "nama wilayah {name} bisa berarti {candidates}",
    "instansi.salah_ketik": "{name} hanya beda sedikit ketikan dari beberapa wilayah",
    "instansi.tempat_ganda": ("tempat bernama demikian ({how}) ada di beberapa kabupaten/kota"),
    "instansi.rumah_sakit_ganda": "beberapa rumah sakit terdaftar bernama mirip {name}",
    "instansi.rumah_sakit_tidak_terdaftar": (
        "rumah sakit {name} tidak ada dalam daftar rumah sakit: letaknya tidak menunjukkan "
        "pemiliknya"
    ),
    "instansi.badan_usaha_tidak_terdaftar": (
        "badan usaha {name} tidak ada dalam daftar: badan usaha adalah instansi sendiri, "
        "bukan wilayahnya"
    ),
    "instansi.diputuskan_tidak_ada": "petugas memutuskan tidak ada instansi yang sesuai",
    "instansi.lain": "nama instansi tidak dapat dipastikan secara otomatis",
    # review queue
    "tinjauan.jenis.agency": "nama instansi",
    "tinjauan.jenis.pair": "pasangan rekaman",
    "tinjauan.nama_instansi": "Nama instansi {name} milik siapa?",
    "tinjauan.nama_instansi_jenis": "Nama instansi {name} (jenis {type}) milik siapa?",
    "tinjauan.pasangan": "Inovasi yang sama dari instansi {agency}? {a} / {b}",
    "tinjauan.lain": "Pertanyaan pencocokan",
    "tinjauan.akronim_dua_arti": "satu singkatan dengan dua kepanjangan berbeda",
    "tinjauan.akronim_cocok_kata": "hanya singkatan yang cocok dengan kata-kata judul lainnya",
    "tinjauan.akronim_banyak": "hanya singkatan, dipakai beberapa inovasi",
    # rejected submissions: what kind, and why
    "pengajuan.jenis.invalid": "isian tidak sah",
    "pengajuan.jenis.not_authorized": "bukan instansi pemilik inovasi",
    "pengajuan.jenis.unknown_innovation": "inovasi tidak dikenal",
    "pengajuan.jenis.malformed": "dokumen tidak berbentuk benar",
    "pengajuan.jenis.conflict": "ID pengajuan sama dengan isi berbeda",
    "pengajuan.jenis.rate": "melebihi batas pengiriman per jam",
    "pengajuan.jenis.lain": "alasan lain",
    "pengajuan.bukan_pemilik": (
        "instansi {agency} bukan pemilik inovasi {innovation} (pemiliknya: {owner}); "
        "pemutakhiran harus diajukan oleh instansi pemilik"
    ),
    "pengajuan.id_tidak_ada": "tidak ada inovasi dengan ID {innovation}",
    "pengajuan.rekaman_tidak_ada": "rekaman {programme} {record} tidak ada di JIPPNas",
    "pengajuan.rekaman_tidak_terbit": (
        "rekaman {programme} {record} tergabung ke {innovation}, yang tidak diterbitkan"
    ),
    "pengajuan.replikator_tidak_dikenal": (
        "isian direplikasi oleh: kode instansi tidak dikenal {agencies}"
    ),
    "pengajuan.isian": "{field}: {problem}",
    "pengajuan.isian_semua": "{text}",
    "pengajuan.dokumen": "dokumen tidak berbentuk benar: {problem}",
    "pengajuan.lain": "pengajuan ditolak; rinciannya ada di catatan operator",
    "pengajuan.batas_per_jam": (
        "instansi {agency} sudah mengirim {limit} pengajuan dalam satu jam terakhir; "
        "kirim ulang pengajuan ini nanti"
    ),
    "pengajuan.konflik": (
        "ID pengajuan {submission} sudah diterima dengan isi berbeda (yang pertama berlaku; "
        "pakai ID pengajuan baru untuk pemutakhiran baru)"
    ),
    "berkas.terlalu_besar": (
        "berkas berukuran {size} bita, melebihi batas {limit}; pecah menjadi berkas lebih kecil"
    ),
    "berkas.terlalu_banyak": (
        "berkas memuat {count} dokumen, melebihi batas {limit}; pecah menjadi berkas lebih kecil"
    ),
    "berkas.terlalu_dalam": "dokumen bersarang terlalu dalam untuk dibaca",
    "berkas.bukan_json": "berkas bukan JSON",
    "berkas.bukan_utf8": "berkas bukan teks UTF-8",
    "berkas.isian_panjang": "isian {field} sepanjang {length} karakter, melebihi batas {limit}",
    "berkas.isian_unicode": "isian {field} bukan teks Unicode yang sah",
    # validation problems of a submission's field
    "isian.minimal": "harus paling sedikit {n}",
    "isian.maksimal": "harus paling banyak {n}",
    "isian.lebih_dari": "harus lebih dari {n}",
    "isian.kurang_dari": "harus kurang dari {n}",
    "isian.salah_satu": "harus salah satu dari: {choices}",
    "isian.alamat_web": "harus alamat web yang diawali http:// atau https://",
    "isian.masa_depan": "berada di masa depan",
    "isian.bukan_email": "bukan alamat e-mail",
    "isian.perubahan_kosong": "tidak ada perubahan yang dikirim",
    "isian.wajib": "wajib diisi",
    "isian.tidak_dikenal": "isian tidak dikenal",
    "isian.bilangan_bulat": "harus bilangan bulat",
    "isian.teks": "harus berupa teks",
    "isian.daftar": "harus berupa daftar",
    "isian.tanggal": "harus tanggal dan waktu yang sah",
    "isian.terlalu_panjang": "terlalu panjang (paling banyak {n})",
    "isian.format_id": "hanya boleh 1–100 huruf, angka, '.', '_', ':' atau '-'",
    "isian.rujukan_inovasi": "sebutkan ID inovasi, atau program dan nomor rekamannya",
    "isian.rujukan_sumber": "rujukan rekaman sumber memerlukan program dan nomor rekaman",
    "isian.bukan_objek": "harus berupa objek JSON",
    "isian.tidak_ada": "isian {fields} tidak ada",
    "isian.lain": "nilai tidak sah",
    # source failures said on the page
    "sumber_gagal.menyerah": "server tidak memberi jawaban yang dapat dipakai setelah {tries} percobaan",
    "sumber_gagal.tidak_ada": "berkas sumber tidak ditemukan",
    "sumber_gagal.format": "berkas sumber tidak dapat dibaca (format tidak sesuai)",
    "sumber_gagal.lain": "pembacaan gagal; rinciannya ada di catatan operator",
    # match rules (innovation_source_map.match_rule)
    "aturan.founding record": "rekaman pertama inovasi",
    "aturan.same title": "judul sama",
    "aturan.title within typos": "judul sama, beda salah ketik",
    "aturan.same acronym": "singkatan sama",
    "aturan.same acronym and title": "singkatan dan judul sama",
    "aturan.review decision": "keputusan petugas",
    "aturan.same acronym, one word changed": "singkatan sama, satu kata berubah",
    "aturan.title with its unit or place": "judul ditambah nama unit atau tempat",
    "aturan.title with a service word before it": "judul didahului kata layanan",
    "aturan.lain": "aturan lain",
    # the quality gate: each expectation in words
    "gerbang.kolom_wajib": "kolom wajib kontrak tersedia",
    "gerbang.kolom_publik": "hanya kolom publik: tidak ada kolom data pribadi",
    "gerbang.kolom_tabel": "susunan kolom sesuai",
    "gerbang.satu_baris": "satu baris per inovasi",
    "gerbang.unik": "{column} tidak ada yang ganda",
    "gerbang.terisi": "{column} selalu terisi",
    "gerbang.instansi_terdaftar": "setiap instansi ada dalam daftar instansi",
    "gerbang.tahun_wajar": "{column} berupa tahun yang wajar",
    "gerbang.daftar_baku": "{column} memakai nilai dari daftar baku",
    "gerbang.pecahan": "{column} antara 0% dan 100%",
    "gerbang.dari_nol": "{column} tidak negatif",
    "gerbang.rentang": "{column} dalam rentang yang wajar",
    "gerbang.sdgs": "SDGs berupa angka 1 sampai 17",
    "gerbang.tautan": "{column} berupa alamat web http(s)",
    "gerbang.tanpa_email": "{column} tidak memuat alamat e-mail",
    "gerbang.tanpa_telepon": "{column} tidak memuat nomor telepon",
    "gerbang.asal_data": "asal data hanya menyebut program dan tahun, tidak pernah e-mail orang",
    "gerbang.serupa": "paling banyak 5 ID inovasi serupa, tanpa isi lain",
    "gerbang.format": "{column} sesuai format",
    "gerbang.jumlah_baris": "jumlah baris wajar dibanding versi terbit sebelumnya",
    "gerbang.lain": "pemeriksaan {column}",
}

SUITES = {
    "harmonized_innovations": "Basis data inovasi terpadu",
    "portal_candidate": "Dataset portal sebelum terbit",
}
COLUMNS = {
    "innovation_id": "ID inovasi",
    "title": "judul",
    "agency_id": "kode instansi",
    "agency_name": "nama instansi",
    "agency_type": "jenis instansi",
    "year_first": "tahun pertama",
    "year_last": "tahun terakhir",
    "sources": "program sumber",
    "update_status": "status pemutakhiran",
    "status": "status keberlanjutan",
    "status_reason": "alasan status",
    "category": "kategori",
    "stage": "tahapan",
    "sdgs": "SDGs",
    "video_url": "tautan video",
    "completeness": "kelengkapan",
    "replication_count": "jumlah replikasi",
    "replicated_by": "direplikasi oleh",
    "summary": "ringkasan",
    "outcomes": "hasil",
    "awards": "penghargaan",
    "provenance": "asal data",
    "similar": "inovasi serupa",
    "missing_fields": "isian yang belum lengkap",
    "last_updated_at": "waktu pemutakhiran",
    "start_year": "tahun mulai",
    "province_code": "kode provinsi",
    "contact_email": "e-mail kontak",
    "submitted_at": "waktu pengajuan",
    "submission_id": "ID pengajuan",
    "agency": "instansi",
    "innovation": "inovasi",
    "changes": "perubahan",
    "document": "dokumen",
}
PROGRAMMES = {"KIPP": "KIPP", "IGA": "IGA", "INOLAN": "InoLAN"}
STATUS_LABELS = {
    "berlanjut_dengan_pengembangan": "berlanjut dengan pengembangan",
    "berlanjut_tanpa_pengembangan": "berlanjut tanpa pengembangan",
    "berhenti": "berhenti",
}
AGENCY_TYPES = {
    "kementerian": "kementerian",
    "lembaga": "lembaga",
    "provinsi": "provinsi",
    "kabupaten": "kabupaten",
    "kota": "kota",
    "bumn": "BUMN",
    "bumd": "BUMD",
}


@dataclass(frozen=True)
class Message:
    """A message code with its parameters; str() renders it in Indonesian."""

    code: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return say(self.code, **self.params)


def say(code: str, **params: object) -> str:
    """The Indonesian text of a message code."""
    return MESSAGES[code].format(**params)


def column_label(column: object) -> str:
    if not isinstance(column, str) or not column:
        return "tabel"
    return COLUMNS.get(column, column.replace("_", " "))


def suite_label(suite: str) -> str:
    return SUITES.get(suite, suite.replace("_", " "))


def programme_label(programme: object) -> str:
    return PROGRAMMES.get(str(programme), str(programme))


def _quoted(name: str) -> str:
    return f"“{name.strip()}”"


# ---------------------------------------------------------------- where a source row stands

_KIPP_AT = re.compile(r"^(?P<file>.+?), sheet '(?P<sheet>[^']*)', row (?P<row>\d+)$")
_IGA_AT = re.compile(r"^(?P<where>.+), record (?P<record>\d+)$")
_INOLAN_AT = re.compile(r"^(?P<file>.+?), line (?P<line>\d+)$")


def _file_name(where: str) -> str:
    return PurePosixPath(where.replace("\\", "/")).name


def place_message(programme: str, location: object) -> Message:
    """Where a row stands, as a reader knows it: programme, file, sheet and row (no path)."""
    prog = programme_label(programme)
    if not isinstance(location, str) or not location.strip():
        return Message("lokasi.tidak_diketahui", {"programme": prog})
    loc = location.strip()
    if m := _KIPP_AT.match(loc):
        return Message(
            "lokasi.kipp", {"file": _file_name(m["file"]), "sheet": m["sheet"], "row": m["row"]}
        )
    if m := _IGA_AT.match(loc):
        where = m["where"]
        if "://" in where:
            query = parse_qs(urlsplit(where).query)
            year, page = query.get("tahun", ["?"])[0], query.get("page", ["?"])[0]
            return Message("lokasi.iga_api", {"year": year, "page": page, "record": m["record"]})
        parts = PurePosixPath(where.replace("\\", "/")).parts
        return Message("lokasi.iga_berkas", {"file": "/".join(parts[-2:]), "record": m["record"]})
    if m := _INOLAN_AT.match(loc):
        return Message("lokasi.inolan", {"file": _file_name(m["file"]), "line": m["line"]})
    return Message("lokasi.lain", {"programme": prog, "where": _file_name(loc)})


def place(programme: str, location: object) -> str:
    return str(place_message(programme, location))


# ---------------------------------------------------------------- agency resolution evidence

_AGENCY_NOTES: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^no agency matches (?P<name>'.*'|\".*\")$"), "instansi.tidak_cocok"),
    (re.compile(r"^no agency matches$"), "instansi.tidak_cocok_umum"),
    (re.compile(r"^agency name is empty$"), "instansi.nama_kosong"),
    (
        re.compile(r"^ambiguous region name (?P<name>'.*'|\".*\"): (?P<candidates>.*)$"),
        "instansi.nama_wilayah_ganda",
    ),
    (
        re.compile(r"^(?P<name>'.*'|\".*\") is a typo away from several regions$"),
        "instansi.salah_ketik",
    ),
    (
        re.compile(r"^a place of that name \((?P<how>.*)\) lies in several kabupaten/kota$"),
        "instansi.tempat_ganda",
    ),
    (
        re.compile(r"^several registered hospitals are named like (?P<name>'.*'|\".*\")$"),
        "instansi.rumah_sakit_ganda",
    ),
    (
        re.compile(r"^hospital (?P<name>'.*'|\".*\") is not in the hospital registry"),
        "instansi.rumah_sakit_tidak_terdaftar",
    ),
    (
        re.compile(r"^enterprise (?P<name>'.*'|\".*\") is not in the registry"),
        "instansi.badan_usaha_tidak_terdaftar",
    ),
    (re.compile(r"^a person decided no agency fits"), "instansi.diputuskan_tidak_ada"),
]


def _unquote(text: str) -> str:
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text


def agency_note_message(note: object) -> Message:
    """Why an agency name could not be resolved (agencies.rules notes, review evidence)."""
    text = note.strip() if isinstance(note, str) else ""
    for pattern, code in _AGENCY_NOTES:
        if m := pattern.match(text):
            params = {k: v for k, v in m.groupdict().items()}
            if "name" in params:
                params["name"] = _quoted(_unquote(params["name"]))
            if "candidates" in params:
                params["candidates"] = params["candidates"].replace(" or ", " atau ")
            return Message(code, params)
    return Message("instansi.lain")


# ---------------------------------------------------------------- quarantined source rows

_DUPLICATE = re.compile(
    r"(?P<key>\S+) was already read at (?P<first>.+) with different content "
    r"\(differs in: (?P<fields>.*)\)$"
)
_YEAR = re.compile(r"not a plausible year: (?P<value>.*)$")
_FIELDS = re.compile(r"too (?P<too>few|many) fields \((?P<got>\d+) of (?P<expected>\d+)\)")
# the reader's column names in the source (InoLAN's and IGA's are the export's own)
SOURCE_FIELDS = {
    "judul_inovasi": "Judul Inovasi",
    "tahun": "Tahun",
    "nama": "nama",
}


def source_problem_message(
    programme: str,
    kind: object,
    field_name: object,
    reason: object,
    detail: object = None,
) -> Message:
    """Why a source row was quarantined (rejected_source_rows: kind, field, reason, detail)."""
    kind = kind if isinstance(kind, str) and kind else "other"
    reason = reason if isinstance(reason, str) else ""
    fld = field_name if isinstance(field_name, str) and field_name else ""
    if kind == "unresolved_agency":
        return Message("sumber.instansi_tidak_dikenali", {"evidence": agency_note(detail)})
    if "title is empty" in reason:
        return Message("sumber.judul_kosong", {"field": fld or "judul"})
    if "missing record key" in reason:
        return Message("sumber.kunci_kosong", {"field": fld or "ID"})
    if m := _YEAR.search(reason):
        return Message("sumber.tahun_tidak_wajar", {"field": fld or "tahun", "value": m["value"]})
    if m := _DUPLICATE.search(reason):
        differs = ", ".join(
            COLUMNS.get(f.strip(), SOURCE_FIELDS.get(f.strip(), f.strip().replace("_", " ")))
            for f in m["fields"].split(",")
            if f.strip()
        )
        return Message(
            "sumber.id_ganda",
            {
                "field": fld or "ID",
                "key": m["key"],
                "first": place(programme, m["first"]),
                "fields": differs,
            },
        )
    if m := _FIELDS.search(reason):
        code = "sumber.kolom_kurang" if m["too"] == "few" else "sumber.kolom_lebih"
        return Message(code, {"got": m["got"], "expected": m["expected"]})
    if "not a JSON object" in reason:
        return Message("sumber.bukan_objek")
    return Message("sumber.lain", {"kind": kind_label(kind)})


def kind_label(kind: object, field_name: object = None) -> str:
    """What went wrong with a quarantined row, as a group: 'Tahun: nilai tidak wajar'."""
    code = f"jenis.{kind}" if isinstance(kind, str) and f"jenis.{kind}" in MESSAGES else None
    label = say(code) if code else say("jenis.other")
    return f"{field_name}: {label}" if isinstance(field_name, str) and field_name else label


def source_problem(programme, kind, field_name, reason, detail=None) -> str:
    return str(source_problem_message(programme, kind, field_name, reason, detail))


def agency_note(note: object) -> str:
    return str(agency_note_message(note))


# ---------------------------------------------------------------- rejected submissions

_OWNER = re.compile(
    r"^not authorized: agency (?P<agency>\S+) does not own innovation (?P<innovation>\S+) "
    r"\(owner: (?P<owner>.*?)\)"
)
_NO_ID = re.compile(r"^unknown innovation: no innovation with id (?P<innovation>.+)$")
_NO_RECORD = re.compile(
    r"^unknown innovation: (?P<programme>\S+) record (?P<record>\S+) is not in JIPPNas$"
)
_UNPUBLISHED = re.compile(
    r"^unknown innovation: (?P<programme>\S+) record (?P<record>\S+) maps to (?P<innovation>\S+),"
)
_RATE = re.compile(
    r"^rate limit: agency '(?P<agency>[^']*)' has sent (?P<limit>[\d,]+) submissions"
)
_CONFLICT = re.compile(r"^conflict: submission_id '(?P<submission>[^']*)' was already received")
_DOCUMENT_PROBLEMS: list[tuple[re.Pattern, str]] = [
    (
        re.compile(r"the file is (?P<size>[\d,]+) bytes, more than the limit of (?P<limit>[\d,]+)"),
        "berkas.terlalu_besar",
    ),
    (
        re.compile(
            r"the file holds (?P<count>[\d,]+) documents, more than the limit of (?P<limit>[\d,]+)"
        ),
        "berkas.terlalu_banyak",
    ),
    (re.compile(r"nested (deeper|too deeply)"), "berkas.terlalu_dalam"),
    (re.compile(r"not UTF-8"), "berkas.bukan_utf8"),
    (re.compile(r"the file is not JSON"), "berkas.bukan_json"),
    (
        re.compile(
            r"^(field|key) '(?P<field>[^']*)' is (?P<length>[\d,]+) characters long, more than the "
            r"limit of (?P<limit>[\d,]+)"
        ),
        "berkas.isian_panjang",
    ),
    (re.compile(r"^(field|key) '(?P<field>[^']*)' is not valid Unicode"), "berkas.isian_unicode"),
]


def _angka(text: str) -> str:
    """1,000 as Indonesians write it: 1.000."""
    return text.replace(",", ".")


def _document_problem(problem: str) -> str | None:
    for pattern, code in _DOCUMENT_PROBLEMS:
        if m := pattern.search(problem):
            params = {k: _angka(v) for k, v in m.groupdict().items() if k != "field"}
            if "field" in m.groupdict():
                params["field"] = _field_path(m["field"])
            return say(code, **params)
    return None


_REPLICATORS = re.compile(
    r"^invalid: changes\.replicated_by: unknown agency id\(s\) (?P<agencies>.*)$"
)

_FIELD_PROBLEMS: list[tuple[re.Pattern, str]] = [
    (re.compile(r"^Input should be greater than or equal to (?P<n>\S+)$"), "isian.minimal"),
    (re.compile(r"^Input should be less than or equal to (?P<n>\S+)$"), "isian.maksimal"),
    (re.compile(r"^Input should be greater than (?P<n>\S+)$"), "isian.lebih_dari"),
    (re.compile(r"^Input should be less than (?P<n>\S+)$"), "isian.kurang_dari"),
    (re.compile(r"^Input should be (?P<choices>'.*')$"), "isian.salah_satu"),
    (re.compile(r"^must be an http:// or https:// address$"), "isian.alamat_web"),
    (re.compile(r"^is in the future$"), "isian.masa_depan"),
    (re.compile(r"^is not an e-mail address$"), "isian.bukan_email"),
    (re.compile(r"^changes is empty"), "isian.perubahan_kosong"),
    (re.compile(r"^Field required$"), "isian.wajib"),
    (re.compile(r"^Extra inputs are not permitted$"), "isian.tidak_dikenal"),
    (re.compile(r"^Input should be a valid integer"), "isian.bilangan_bulat"),
    (re.compile(r"^Input should be a valid string"), "isian.teks"),
    (re.compile(r"^Input should be a valid list"), "isian.daftar"),
    (re.compile(r"^Input should be a valid (datetime|date)"), "isian.tanggal"),
    (re.compile(r"^(String|List) should have at most (?P<n>\d+)"), "isian.terlalu_panjang"),
    (re.compile(r"must be (text of )?1-100 letters"), "isian.format_id"),
    (re.compile(r"^give either innovation_id"), "isian.rujukan_inovasi"),
    (re.compile(r"^a source reference needs both"), "isian.rujukan_sumber"),
    (re.compile(r"must be a JSON (object|string)$"), "isian.bukan_objek"),
]


def _field_path(path: str) -> str:
    """changes.sdgs.0 -> 'SDGs butir ke-1'; changes.status -> 'status keberlanjutan'."""
    parts = [p for p in path.split(".") if p and p != "changes"]
    if not parts:
        return column_label(path.split(".")[0] if path else "document")
    out = column_label(parts[0])
    for p in parts[1:]:
        out += f" butir ke-{int(p) + 1}" if p.isdigit() else f" {column_label(p)}"
    return out


def _field_problem(text: str) -> Message:
    for pattern, code in _FIELD_PROBLEMS:
        if m := pattern.search(text.strip()):
            params = m.groupdict()
            if "choices" in params:
                choices = re.findall(r"'([^']*)'", params["choices"])
                params["choices"] = ", ".join(STATUS_LABELS.get(c, c) for c in choices)
            return Message(code, params)
    return Message("isian.lain")


def _field_problems(text: str) -> str:
    """'changes.sdgs.0: must be ...; changes.sdgs.1: ...' in Indonesian, part by part."""
    out = []
    for part in text.split("; "):
        where, sep, problem = part.partition(": ")
        if not sep:
            out.append(str(_field_problem(part)))
            continue
        out.append(
            say("pengajuan.isian", field=_field_path(where), problem=_field_problem(problem))
        )
    return "; ".join(out)


def submission_kind(reason: object) -> str:
    """The group of a rejected submission's reason, in Indonesian."""
    text = reason if isinstance(reason, str) else ""
    head = text.split(":", 1)[0].strip()
    code = {
        "invalid": "pengajuan.jenis.invalid",
        "not authorized": "pengajuan.jenis.not_authorized",
        "unknown innovation": "pengajuan.jenis.unknown_innovation",
        "malformed document": "pengajuan.jenis.malformed",
        "conflict": "pengajuan.jenis.conflict",
        "rate limit": "pengajuan.jenis.rate",
    }.get(head, "pengajuan.jenis.lain")
    return say(code)


def submission_reason_message(reason: object) -> Message:
    """Why a submission was rejected (innovation_submissions.reason), as a message."""
    text = reason.strip() if isinstance(reason, str) else ""
    if m := _OWNER.match(text):
        return Message("pengajuan.bukan_pemilik", m.groupdict())
    if m := _NO_ID.match(text):
        return Message("pengajuan.id_tidak_ada", m.groupdict())
    if m := _NO_RECORD.match(text):
        return Message(
            "pengajuan.rekaman_tidak_ada",
            {"programme": programme_label(m["programme"]), "record": m["record"]},
        )
    if m := _UNPUBLISHED.match(text):
        return Message(
            "pengajuan.rekaman_tidak_terbit",
            {**m.groupdict(), "programme": programme_label(m["programme"])},
        )
    if m := _RATE.match(text):
        return Message("pengajuan.batas_per_jam", {**m.groupdict(), "limit": _angka(m["limit"])})
    if m := _CONFLICT.match(text):
        return Message("pengajuan.konflik", m.groupdict())
    if m := _REPLICATORS.match(text):
        return Message("pengajuan.replikator_tidak_dikenal", m.groupdict())
    if text.startswith("invalid: "):
        return Message("pengajuan.isian_semua", {"text": _field_problems(text[len("invalid: ") :])})
    if text.startswith("malformed document: "):
        problem = text[len("malformed document: ") :]
        if problem.startswith("missing "):
            fields = ", ".join(column_label(f) for f in re.findall(r"'([^']+)'", problem))
            return Message("pengajuan.dokumen", {"problem": say("isian.tidak_ada", fields=fields)})
        if problem == "document is not a JSON object":
            return Message("pengajuan.dokumen", {"problem": say("isian.bukan_objek")})
        if known := _document_problem(problem):
            return Message("pengajuan.dokumen", {"problem": known})
        return Message("pengajuan.dokumen", {"problem": _field_problems(problem)})
    return Message("pengajuan.lain")


def submission_reason(reason: object) -> str:
    return str(submission_reason_message(reason))


# ---------------------------------------------------------------- the review queue

_AGENCY_QUESTION = re.compile(r"^agency name (?P<name>'.*'|\".*\")(?: \(type (?P<type>[^)]*)\))?$")
_PAIR_QUESTION = re.compile(
    r"^same innovation of (?P<agency>\S+)\? (?P<a>'.*'|\".*\") / (?P<b>'.*'|\".*\")$"
)
_PAIR_EVIDENCE = {
    "one acronym, two different expansions": "tinjauan.akronim_dua_arti",
    "an acronym alone that fits the other title's words": "tinjauan.akronim_cocok_kata",
    "an acronym alone, several innovations": "tinjauan.akronim_banyak",
}


def review_kind(kind: object) -> str:
    code = f"tinjauan.jenis.{kind}"
    return say(code) if code in MESSAGES else str(kind)


def review_question(description: object) -> str:
    text = description.strip() if isinstance(description, str) else ""
    if m := _AGENCY_QUESTION.match(text):
        name = _quoted(_unquote(m["name"]))
        if m["type"]:
            return say(
                "tinjauan.nama_instansi_jenis",
                name=name,
                type=AGENCY_TYPES.get(m["type"], m["type"]),
            )
        return say("tinjauan.nama_instansi", name=name)
    if m := _PAIR_QUESTION.match(text):
        return say(
            "tinjauan.pasangan",
            agency=m["agency"],
            a=_quoted(_unquote(m["a"])),
            b=_quoted(_unquote(m["b"])),
        )
    return say("tinjauan.lain")


def review_evidence(kind: object, evidence: object) -> str:
    text = evidence.strip() if isinstance(evidence, str) else ""
    if kind == "pair" or text in _PAIR_EVIDENCE:
        code = _PAIR_EVIDENCE.get(text)
        return say(code) if code else say("tinjauan.lain")
    return agency_note(text)


def match_rule(rule: object) -> str:
    code = f"aturan.{rule}"
    return say(code) if code in MESSAGES else say("aturan.lain")


# ---------------------------------------------------------------- the quality gate

_GATE_NOTES: list[tuple[str, str]] = [
    ("public columns only", "gerbang.kolom_publik"),
    ("required columns are present", "gerbang.kolom_wajib"),
    ("one row per innovation", "gerbang.satu_baris"),
    ("is a key or required field", "gerbang.terisi"),
    ("exists in agencies", "gerbang.instansi_terdaftar"),
    ("plausible years", "gerbang.tahun_wajar"),
    ("completeness is a fraction", "gerbang.pecahan"),
    ("counted from zero", "gerbang.dari_nol"),
    ("SDGs are integers", "gerbang.sdgs"),
    ("http(s) URLs", "gerbang.tautan"),
    ("no e-mail addresses", "gerbang.tanpa_email"),
    ("no phone numbers", "gerbang.tanpa_telepon"),
    ("provenance names programmes", "gerbang.asal_data"),
    ("at most 5 innovation ids", "gerbang.serupa"),
    ("against the published version", "gerbang.jumlah_baris"),
    ("vocabulary", "gerbang.daftar_baku"),
    ("category list", "gerbang.daftar_baku"),
    ("agency types", "gerbang.daftar_baku"),
    ("stages", "gerbang.daftar_baku"),
]
_GATE_EXPECTATIONS = {
    "expect_column_values_to_be_unique": "gerbang.unik",
    "expect_column_values_to_not_be_null": "gerbang.terisi",
    "expect_column_values_to_be_in_set": "gerbang.daftar_baku",
    "expect_column_values_to_be_between": "gerbang.rentang",
    "expect_column_values_to_match_regex": "gerbang.format",
    "expect_table_columns_to_match_set": "gerbang.kolom_tabel",
    "expect_table_row_count_to_be_between": "gerbang.jumlah_baris",
}


def expectation_message(expectation: object, column: object, note: object) -> Message:
    """A gate expectation in words (never code or a list of column names)."""
    text = note if isinstance(note, str) else ""
    params = {"column": column_label(column)}
    for needle, code in _GATE_NOTES:
        if needle in text:
            return Message(code, params)
    return Message(_GATE_EXPECTATIONS.get(str(expectation), "gerbang.lain"), params)


def expectation_text(expectation: object, column: object, note: object) -> str:
    text = str(expectation_message(expectation, column, note))
    return text[:1].upper() + text[1:]


# ---------------------------------------------------------------- a source that failed to read


def source_failure(error: object) -> str:
    text = error if isinstance(error, str) else ""
    if m := re.search(r"gave up on .* after (?P<tries>\d+) tries", text):
        return say("sumber_gagal.menyerah", tries=m["tries"])
    if "not found" in text:
        return say("sumber_gagal.tidak_ada")
    if re.search(r"not an? .*(workbook|CSV|xlsx)|usable page|header", text):
        return say("sumber_gagal.format")
    return say("sumber_gagal.lain")
