"""tindak-lanjut.xlsx: the follow-up workbook for contacting agencies about pending innovations."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ..fileio import replacing
from .data import ReportData

PENDING_SHEET = "Inovasi Belum Dimutakhirkan"
AGENCY_SHEET = "Ringkasan per Instansi"


def _autosize(ws) -> None:
    for i, column in enumerate(ws.columns, start=1):
        width = max(len(str(c.value or "")) for c in column)
        ws.column_dimensions[get_column_letter(i)].width = min(60, max(10, width + 2))


def write_workbook(data: ReportData, path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = PENDING_SHEET
    ws.append(["Kode Instansi", "Instansi", "Jenis Instansi", "ID Inovasi", "Judul Inovasi", "Kelengkapan",
               "Isian yang belum lengkap"])
    for r in data.pending.itertuples():
        ws.append([r.agency_id, r.agency_name, r.agency_type, r.innovation_id, r.title,
                   float(r.completeness) if r.completeness == r.completeness else None,
                   r.missing or "pengajuan pemutakhiran belum diterima"])
    for cell in ws["F"][1:]:
        cell.number_format = "0%"
    summary = wb.create_sheet(AGENCY_SHEET)
    summary.append(["Kode Instansi", "Instansi", "Jenis Instansi", "Inovasi KIPP", "Sudah Dimutakhirkan",
                    "Belum Dimutakhirkan"])
    per = data.pending.groupby(["agency_id", "agency_name", "agency_type"], as_index=False).size()
    totals = data.agencies.set_index("agency_id") if len(data.agencies) else None
    for r in per.sort_values("size", ascending=False).itertuples():
        total = int(totals.loc[r.agency_id, "kipp_total"]) if totals is not None and r.agency_id in totals.index else None
        summary.append([r.agency_id, r.agency_name, r.agency_type, total,
                        None if total is None else total - int(r.size), int(r.size)])
    for sheet in (ws, summary):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        _autosize(sheet)
    with replacing(path) as tmp:
        wb.save(tmp)
