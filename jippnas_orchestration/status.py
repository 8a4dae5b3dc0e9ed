"""`jippnas status`: where the warehouse and the campaign stand, for an operator's terminal."""

from __future__ import annotations

import json
from typing import TextIO

from . import settings
from .warehouse import Warehouse

SUBMISSION_STATES = ("pending", "accepted", "rejected")


def submission_line(wh: Warehouse) -> str:
    """Submissions received, by state: pending (not decided yet), accepted, rejected."""
    counts = wh.read_sql(
        "SELECT state, COUNT(*) AS n FROM innovation_submissions GROUP BY state ORDER BY state"
    )
    by = {str(r.state): int(r.n) for r in counts.itertuples()}
    states = [*SUBMISSION_STATES, *sorted(set(by) - set(SUBMISSION_STATES))]
    return f"submissions: {sum(by.values())} received; " + ", ".join(
        f"{by.get(s, 0)} {s}" for s in states
    )


def print_status(out: TextIO) -> int:
    wh = Warehouse(settings.warehouse_url())
    print(f"warehouse: {wh.engine.url.render_as_string(hide_password=True)}", file=out)
    for table in (
        "raw_kipp",
        "raw_iga",
        "raw_inolan",
        "rejected_source_rows",
        "harmonized_innovations",
        "innovation_submissions",
        "portal_innovations",
    ):
        print(f"  {table:<24} {wh.count(table) if wh.has_table(table) else '-':>8}", file=out)
    if wh.has_table("innovation_submissions"):
        print(submission_line(wh), file=out)
    if wh.has_table("harmonized_innovations"):
        kipp = wh.read_sql(
            "SELECT update_status, COUNT(*) AS n, COUNT(DISTINCT agency_id) AS agencies "
            "FROM harmonized_innovations WHERE sources LIKE '%KIPP%' GROUP BY update_status"
        )
        by = {r.update_status: (int(r.n), int(r.agencies)) for r in kipp.itertuples()}
        total = sum(n for n, _ in by.values())
        upd, pend = by.get("updated", (0, 0)), by.get("pending", (0, 0))
        print(
            f"KIPP campaign: {total} innovations; {upd[0]} updated; {pend[0]} pending from {pend[1]} agencies",
            file=out,
        )
    manifest = settings.output_dir() / "portal" / "manifest.json"
    if manifest.exists():
        m = json.loads(manifest.read_text())
        print(
            f"portal dataset: version {m.get('version')}, {m.get('row_count')} rows, "
            f"published {m.get('published_at')}",
            file=out,
        )
    return 0
