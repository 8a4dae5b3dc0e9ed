"""tindak-lanjut.xlsx: the follow-up workbook for contacting agencies about pending innovations.

Every sheet is written by `_sheet`: formula-like text (a title beginning with `=`, …) is written
as text behind an apostrophe (jippnas_orchestration.cells), never as a formula; numbers as numbers.
XlsxWriter streams the rows (constant memory): the workbook holds every opportunity of every
province, tens of thousands of rows on the sample, which openpyxl took ~20 s to write.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import xlsxwriter

from ..cells import safe_cell
from ..fileio import replacing
from ..vocab import AGENCY_TYPE_LABELS
from . import messages, replication
from .data import ReportData
from .html import DIMENSI, hari, tanggal

PENDING_SHEET = "Inovasi Belum Dimutakhirkan"
AGENCY_SHEET = "Ringkasan per Instansi"
HISTORY_SHEET = "Riwayat per Instansi"
SIMILAR_SHEET = "Inovasi Serupa"
ALL_AGENCIES_SHEET = "Semua Instansi"
REJECTED_SHEET = "Data Ditolak dari Sumber"
SUBMISSIONS_SHEET = "Pengajuan Ditolak"
REVIEW_SHEET = "Menunggu Keputusan"
GATE_SHEET = "Gerbang Mutu"
ABOUT_SHEET = "Keterangan"
HISTORY_DAYS = 180  # day columns in the history sheet


@dataclass
class _Book:
    """The workbook being written and the formats every sheet shares."""

    workbook: xlsxwriter.Workbook
    bold: object  # the header row
    share: object  # a share shown as a percentage


def _text(value: str) -> str:
    """Text as the cell holds it: formula policy applied, a carriage return as the line break a
    spreadsheet shows."""
    return safe_cell(value).replace("\r\n", "\n").replace("\r", "\n")


def _sheet(book: _Book, title: str, header: list[str], rows, percent: tuple[int, ...] = ()) -> None:
    """One sheet: a bold, frozen, filterable header, then `rows` as they come (text as text, numbers
    as numbers, missing as an empty cell); columns as wide as their longest text (10 to 60
    characters)."""
    ws = book.workbook.add_worksheet(title)
    write_string, write_number = ws.write_string, ws.write_number
    widths = [len(str(h)) for h in header]
    ws.write_row(0, 0, header, book.bold)
    # names, labels and reasons repeat down a sheet (tens of thousands of opportunity rows)
    texts: dict[str, str] = {}
    n = 0
    for n, values in enumerate(rows, start=1):
        for col, value in enumerate(values):
            if isinstance(value, str):
                text = texts.get(value)
                if text is None:
                    text = texts[value] = _text(value)
                value = text
                write_string(n, col, value)
            elif value is None or value is pd.NA or value != value:  # missing (NaN, NaT too)
                continue
            else:
                write_number(n, col, value, book.share if col in percent else None)
            if col >= len(widths):
                widths.append(0)
            width = len(value) if isinstance(value, str) else len(str(value))
            if width > widths[col]:
                widths[col] = width
    for col, width in enumerate(widths):
        ws.set_column(col, col, min(60, max(10, width + 2)))
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, n, max(len(header), len(widths)) - 1)


def _history_sheet(book, history: pd.DataFrame, days: int = HISTORY_DAYS) -> None:
    """KIPP pending innovations per agency (rows) and day (columns, the newest `days` snapshots)."""
    header = ["Kode Instansi", "Instansi", "Inovasi KIPP"]
    if history.empty:
        _sheet(book, HISTORY_SHEET, header, [])
        return
    keep = sorted(history["snapshot_date"].unique())[-days:]
    h = history[history["snapshot_date"].isin(keep)]
    wide = h.pivot(index="agency_id", columns="snapshot_date", values="pending").reindex(
        columns=keep
    )
    latest = h.sort_values("snapshot_date").groupby("agency_id").last()
    order = latest.sort_values(["pending", "innovations"], ascending=False).index
    rows = (
        [
            agency_id,
            latest.loc[agency_id, "agency_name"],
            int(latest.loc[agency_id, "innovations"]),
            *(None if pd.isna(v) else int(v) for v in row),
        ]
        for agency_id, row in wide.reindex(order).iterrows()
    )
    _sheet(book, HISTORY_SHEET, header + [f"Belum per {hari(day)}" for day in keep], rows)


def _number(value: object, digits: int | None = None) -> int | float | None:
    """A count (or a share rounded to `digits`) as a number; empty when unknown."""
    if value is None or pd.isna(value):
        return None
    return round(float(value), digits) if digits is not None else int(value)


def _detail_sheets(book, data: ReportData) -> None:
    """What the page cuts short, whole: every agency, quarantined row, rejected submission, open
    question and gate check; all in Indonesian, never a row's raw content or who submitted."""
    columns = [
        "agency_id",
        "agency_name",
        "agency_type",
        "kipp_total",
        "kipp_pending",
        "innovations_total",
        "innovations_pending",
        "completeness_mean",
    ]
    ag = data.agencies.reindex(columns=columns)
    ag = ag.sort_values(["kipp_pending", "innovations_pending", "agency_id"], ascending=False)
    _sheet(
        book,
        ALL_AGENCIES_SHEET,
        [
            "Kode Instansi",
            "Instansi",
            "Jenis Instansi",
            "Inovasi KIPP",
            "KIPP Belum Dimutakhirkan",
            "Semua Inovasi",
            "Semua Belum Dimutakhirkan",
            "Kelengkapan Rata-rata",
        ],
        (
            [
                r.agency_id,
                r.agency_name,
                AGENCY_TYPE_LABELS.get(r.agency_type, r.agency_type),
                _number(r.kipp_total),
                _number(r.kipp_pending),
                _number(r.innovations_total),
                _number(r.innovations_pending),
                _number(r.completeness_mean, 4),
            ]
            for r in ag.itertuples()
        ),
    )
    rej = data.rejected_detail
    _sheet(
        book,
        REJECTED_SHEET,
        ["Program", "Nomor Rekaman", "Letak di Sumber", "Masalah", "Keterangan"],
        (
            [r.programme, r.source_record_id, r.place, r.problem_kind, r.problem]
            for r in rej.itertuples()
        )
        if len(rej)
        else [],
    )
    subs = data.submissions_detail
    _sheet(
        book,
        SUBMISSIONS_SHEET,
        ["ID Pengajuan", "ID Inovasi", "Diterima (WIB)", "Alasan", "Keterangan"],
        (
            [r.submission_id, r.innovation_id, tanggal(r.received_at), r.kind, r.text]
            for r in subs.itertuples()
        )
        if len(subs)
        else [],
    )
    _sheet(
        book,
        REVIEW_SHEET,
        ["Nomor", "Jenis", "Rekaman", "Pertanyaan", "Bukti", "Dibuka (WIB)"],
        (
            [
                r.review_id,
                r.kind,
                int(r.record_count),
                r.description,
                r.evidence,
                tanggal(r.created_at),
            ]
            for r in data.reviews.itertuples()
        ),
    )
    gate_rows = []
    for suite, result in data.gates.items():
        for o in (result or {}).get("outcomes", []):
            gate_rows.append(
                [
                    messages.suite_label(suite),
                    messages.expectation_text(o.get("expectation"), o.get("column"), o.get("note")),
                    DIMENSI.get(o.get("dimension"), o.get("dimension") or "lainnya"),
                    "lulus" if o.get("success") else "gagal",
                    o.get("unexpected_count"),
                    tanggal(result.get("evaluated_at")),
                ]
            )
    _sheet(
        book,
        GATE_SHEET,
        [
            "Data yang Diperiksa",
            "Pemeriksaan",
            "Dimensi",
            "Hasil",
            "Tidak Sesuai (baris)",
            "Diperiksa (WIB)",
        ],
        gate_rows,
    )
    hl = data.headline()
    _sheet(
        book,
        ABOUT_SHEET,
        ["Keterangan", "Nilai"],
        [
            ["Laporan Mutu Data JIPPNas, keadaan per", tanggal(data.generated_at)],
            ["Inovasi KIPP terbaik", hl["innovations"]],
            ["Inovasi KIPP sudah dimutakhirkan", hl["updated"]],
            ["Inovasi KIPP belum dimutakhirkan", hl["pending"]],
            ["Instansi yang masih harus melengkapi", hl["agencies_with_pending"]],
            ["Semua waktu dalam buku kerja ini", "WIB (Asia/Jakarta)"],
        ],
    )


OPPORTUNITY_SHEET = "Peluang {code} {name}"  # one per province, cut to Excel's 31 characters
OPPORTUNITY_HEADER = [
    "Kode Instansi",
    "Instansi",
    "Urusan",
    "Peringkat",
    "ID Inovasi",
    "Judul Inovasi",
    "Instansi Asal",
    "Skor",
    "Alasan",
]


def _opportunity_sheets(book, data: ReportData) -> None:
    """Replication opportunities, one sheet per province (its government and its regions)."""
    names = {}
    if data.replication_summary is not None:
        cov = data.replication_summary.coverage_by_province
        names = dict(zip(cov["province_code"].astype(str), cov["province_name"]))
    for code, rows in replication.opportunities_by_province(data.opportunities).items():
        name = str(names.get(code) or "").removeprefix("Provinsi ").removeprefix("Pemerintah ")
        c = {column: rows[column].tolist() for column in rows.columns}  # lists iterate fastest
        rendered = zip(
            c["agency_id"],
            c["agency_name"],
            map(replication.affair_label, c["affair"]),
            map(int, c["rank"]),
            c["innovation_id"],
            c["title"],
            c["source_agency_name"],
            (round(float(score), 3) for score in c["score"]),
            c["reason"],
        )
        _sheet(
            book,
            OPPORTUNITY_SHEET.format(code=code, name=name).strip()[:31],
            OPPORTUNITY_HEADER,
            rendered,
        )


def write_workbook(data: ReportData, path: Path) -> None:
    with replacing(path) as tmp:
        workbook = xlsxwriter.Workbook(str(tmp), {"constant_memory": True})
        book = _Book(
            workbook, workbook.add_format({"bold": True}), workbook.add_format({"num_format": "0%"})
        )
        _sheet(
            book,
            PENDING_SHEET,
            [
                "Kode Instansi",
                "Instansi",
                "Jenis Instansi",
                "ID Inovasi",
                "Judul Inovasi",
                "Kelengkapan",
                "Isian yang belum lengkap",
            ],
            (
                [
                    r.agency_id,
                    r.agency_name,
                    AGENCY_TYPE_LABELS.get(r.agency_type, r.agency_type),
                    r.innovation_id,
                    r.title,
                    float(r.completeness) if r.completeness == r.completeness else None,
                    r.missing or "pengajuan pemutakhiran belum diterima",
                ]
                for r in data.pending.itertuples()
            ),
            percent=(5,),
        )
        _agency_sheet(book, data)
        _history_sheet(book, data.agency_history)
        _similar_sheet(book, data)
        _detail_sheets(book, data)
        _opportunity_sheets(book, data)
        workbook.close()


def _agency_sheet(book, data: ReportData) -> None:
    per = data.pending.groupby(["agency_id", "agency_name", "agency_type"], as_index=False).size()
    totals = data.agencies.set_index("agency_id") if len(data.agencies) else None

    def row(r) -> list:
        total = (
            int(totals.loc[r.agency_id, "kipp_total"])
            if totals is not None and r.agency_id in totals.index
            else None
        )
        return [
            r.agency_id,
            r.agency_name,
            AGENCY_TYPE_LABELS.get(r.agency_type, r.agency_type),
            total,
            None if total is None else total - int(r.size),
            int(r.size),
        ]

    _sheet(
        book,
        AGENCY_SHEET,
        [
            "Kode Instansi",
            "Instansi",
            "Jenis Instansi",
            "Inovasi KIPP",
            "Sudah Dimutakhirkan",
            "Belum Dimutakhirkan",
        ],
        (row(r) for r in per.sort_values("size", ascending=False).itertuples()),
    )


def _similar_sheet(book, data: ReportData) -> None:
    _sheet(
        book,
        SIMILAR_SHEET,
        [
            "Kode Instansi",
            "Instansi",
            "ID Inovasi",
            "Judul Inovasi",
            "Alasan",
            "ID Inovasi Serupa",
            "Judul Inovasi Serupa",
            "Instansi Inovasi Serupa",
            "Kemiripan",
            "Kesamaan",
        ],
        (
            [
                r.agency_id,
                r.agency_name,
                r.innovation_id,
                r.title,
                "belum dimutakhirkan" if r.why == "pending" else "data lemah",
                r.similar_innovation_id,
                r.similar_title,
                r.similar_agency_name,
                round(float(r.score), 3),
                r.reason,
            ]
            for r in data.replication.itertuples()
        ),
    )
