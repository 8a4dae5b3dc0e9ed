"""tindak-lanjut.xlsx: the follow-up workbook for contacting agencies about pending innovations.

Every row goes in through `_append`: formula-like text (a title beginning with `=`, …) is written
as text behind an apostrophe (jippnas_orchestration.cells), never as a formula; numbers as numbers.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..cells import safe_row
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


def _append(ws, values) -> None:
    """A row of the workbook. openpyxl stores a string beginning with `=` as a formula: the text
    of the data goes through the formula-text policy first (headers are the workbook's own)."""
    ws.append(safe_row(values))


def _autosize(ws) -> None:
    for i, column in enumerate(ws.columns, start=1):
        width = max(len(str(c.value or "")) for c in column)
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(10, width + 2))


def _history_sheet(ws, history: pd.DataFrame, days: int = HISTORY_DAYS) -> None:
    """KIPP pending innovations per agency (rows) and day (columns, the newest `days` snapshots)."""
    ws.append(["Kode Instansi", "Instansi", "Inovasi KIPP"])
    if history.empty:
        return
    keep = sorted(history["snapshot_date"].unique())[-days:]
    h = history[history["snapshot_date"].isin(keep)]
    wide = h.pivot(index="agency_id", columns="snapshot_date", values="pending").reindex(
        columns=keep
    )
    latest = h.sort_values("snapshot_date").groupby("agency_id").last()
    for i, day in enumerate(keep):
        ws.cell(row=1, column=4 + i, value=f"Belum per {hari(day)}")
    order = latest.sort_values(["pending", "innovations"], ascending=False).index
    for agency_id, row in wide.reindex(order).iterrows():
        _append(
            ws,
            [
                agency_id,
                latest.loc[agency_id, "agency_name"],
                int(latest.loc[agency_id, "innovations"]),
                *(None if pd.isna(v) else int(v) for v in row),
            ],
        )


def _number(value: object, digits: int | None = None) -> int | float | None:
    """A count (or a share rounded to `digits`) as a number; empty when unknown."""
    if value is None or pd.isna(value):
        return None
    return round(float(value), digits) if digits is not None else int(value)


def _sheet(wb, title: str, header: list[str], rows) -> None:
    ws = wb.create_sheet(title)
    ws.append(header)
    for row in rows:
        _append(ws, row)


def _detail_sheets(wb, data: ReportData) -> None:
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
        wb,
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
        wb,
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
        wb,
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
        wb,
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
        wb,
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
        wb,
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


def _opportunity_sheets(wb, data: ReportData) -> None:
    """Replication opportunities, one sheet per province (its government and its regions)."""
    names = {}
    if data.replication_summary is not None:
        cov = data.replication_summary.coverage_by_province
        names = dict(zip(cov["province_code"].astype(str), cov["province_name"]))
    for code, rows in replication.opportunities_by_province(data.opportunities).items():
        name = str(names.get(code) or "").removeprefix("Provinsi ").removeprefix("Pemerintah ")
        rendered = (
            [
                r.agency_id,
                r.agency_name,
                replication.affair_label(r.affair),
                int(r.rank),
                r.innovation_id,
                r.title,
                r.source_agency_name,
                round(float(r.score), 3),
                r.reason,
            ]
            for r in rows.itertuples()
        )
        _sheet(
            wb,
            OPPORTUNITY_SHEET.format(code=code, name=name).strip()[:31],
            OPPORTUNITY_HEADER,
            rendered,
        )


def write_workbook(data: ReportData, path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = PENDING_SHEET
    ws.append(
        [
            "Kode Instansi",
            "Instansi",
            "Jenis Instansi",
            "ID Inovasi",
            "Judul Inovasi",
            "Kelengkapan",
            "Isian yang belum lengkap",
        ]
    )
    for r in data.pending.itertuples():
        _append(
            ws,
            [
                r.agency_id,
                r.agency_name,
                AGENCY_TYPE_LABELS.get(r.agency_type, r.agency_type),
                r.innovation_id,
                r.title,
                float(r.completeness) if r.completeness == r.completeness else None,
                r.missing or "pengajuan pemutakhiran belum diterima",
            ],
        )
    for cell in ws["F"][1:]:
        cell.number_format = "0%"
    summary = wb.create_sheet(AGENCY_SHEET)
    summary.append(
        [
            "Kode Instansi",
            "Instansi",
            "Jenis Instansi",
            "Inovasi KIPP",
            "Sudah Dimutakhirkan",
            "Belum Dimutakhirkan",
        ]
    )
    per = data.pending.groupby(["agency_id", "agency_name", "agency_type"], as_index=False).size()
    totals = data.agencies.set_index("agency_id") if len(data.agencies) else None
    for r in per.sort_values("size", ascending=False).itertuples():
        total = (
            int(totals.loc[r.agency_id, "kipp_total"])
            if totals is not None and r.agency_id in totals.index
            else None
        )
        _append(
            summary,
            [
                r.agency_id,
                r.agency_name,
                AGENCY_TYPE_LABELS.get(r.agency_type, r.agency_type),
                total,
                None if total is None else total - int(r.size),
                int(r.size),
            ],
        )
    _history_sheet(wb.create_sheet(HISTORY_SHEET), data.agency_history)
    similar = wb.create_sheet(SIMILAR_SHEET)
    similar.append(
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
        ]
    )
    for r in data.replication.itertuples():
        _append(
            similar,
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
            ],
        )
    _detail_sheets(wb, data)
    _opportunity_sheets(wb, data)
    for sheet in wb.worksheets:
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        _autosize(sheet)
    with replacing(path) as tmp:
        wb.save(tmp)
