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
from .data import ReportData

PENDING_SHEET = "Inovasi Belum Dimutakhirkan"
AGENCY_SHEET = "Ringkasan per Instansi"
HISTORY_SHEET = "Riwayat per Instansi"
SIMILAR_SHEET = "Inovasi Serupa"
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
        ws.cell(row=1, column=4 + i, value=f"Belum {day}")
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
                r.agency_type,
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
                r.agency_type,
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
    for sheet in (ws, summary, wb[HISTORY_SHEET], similar):
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        _autosize(sheet)
    with replacing(path) as tmp:
        wb.save(tmp)
