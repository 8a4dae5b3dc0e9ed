"""The self-contained data-quality page (Bahasa Indonesia, inline CSS/SVG/JS, printable on A4).

Laid out by the Jinja2 templates in templates/ with autoescaping on for everything, so a value
from a source or an innovator is text whatever it contains; this module only prepares figures and
chart geometry (plain numbers) for them.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timezone

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..links import DATA_DOCS_PAGE, report_href
from ..metrics.history import JAKARTA
from ..vocab import AGENCY_TYPE_LABELS
from . import messages, replication, trends
from .data import ReportData

BULAN = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
PROGRAM = {
    "KIPP": "KIPP (KemenPANRB)",
    "IGA": "IGA (Kemendagri)",
    "INOLAN": "InoLAN (LAN)",
    "ALL": "Nasional",
}
DIMENSI = {
    "completeness": "kelengkapan",
    "validity": "validitas",
    "uniqueness": "keunikan",
    "consistency": "konsistensi",
    "timeliness": "ketepatan waktu",
    "volume": "volume",
    "conformity": "kesesuaian struktur",
    "privacy": "perlindungan data pribadi",
}
TREND_PROGRAMMES = ("ALL", "KIPP", "IGA", "INOLAN")
# The page prints on a few A4 pages at any scale: long lists are cut here and kept whole in the
# follow-up workbook (tindak-lanjut.xlsx), and the page says so where it cuts.
FOLLOW_UP_FIRST = 8  # agencies the executive summary names
MAX_AGENCIES_SHOWN = 25
MAX_PENDING_AGENCIES = 12
PENDING_SHOWN_PER_AGENCY = 3
MAX_SUGGESTION_AGENCIES = 6
SUGGESTED_SHOWN_PER_AGENCY = 2
SIMILAR_SHOWN = 2
MAX_STALLED_SHOWN = 10
MAX_REVIEWS_SHOWN = 10
MAX_GATE_FAILURES_SHOWN = 15
HISTORY_DAYS_SHOWN = 6

_ENV = Environment(
    loader=PackageLoader("jippnas_orchestration.reports", "templates"),
    autoescape=select_autoescape(default_for_string=True, default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def angka(n: object) -> str:
    """Indonesian thousands separator: 1.065."""
    try:
        return f"{int(n):,}".replace(",", ".")
    except (TypeError, ValueError):
        return "–"


def persen(x: float | None, digits: int = 1) -> str:
    if _missing(x):
        return "–"
    return f"{x * 100:.{digits}f}".replace(".", ",") + "%"


def selisih(delta: float | None, pct: bool = False) -> str:
    """A signed change: +10, −3, ±0 (percentage points for shares)."""
    if _missing(delta):
        return "–"
    text = persen(abs(delta)) if pct else angka(abs(delta))
    return ("+" if delta > 0 else "−" if delta < 0 else "±") + text


def wib(value: object) -> datetime | None:
    """A time (ISO text or datetime; without an offset: UTC, as the warehouse stores it) in WIB."""
    if value is None or value == "" or _missing(value):
        return None
    ts = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return (ts if ts.tzinfo else ts.replace(tzinfo=timezone.utc)).astimezone(JAKARTA)


def tanggal(iso: object) -> str:
    """A moment, in Jakarta time and labelled: 7 Desember 2026, 00.01 WIB."""
    ts = wib(iso)
    if ts is None:
        return "–"
    return f"{ts.day} {BULAN[ts.month - 1]} {ts.year}, {ts.hour:02d}.{ts.minute:02d} WIB"


def hari(iso: object) -> str:
    """A day: 5 Januari 2026. A day (YYYY-MM-DD) is already a Jakarta day (campaign_history);
    a moment is converted to WIB first, so every day boundary on the page is Jakarta's."""
    if iso is None or iso == "" or _missing(iso):
        return "–"
    text_value = str(iso)
    d = date.fromisoformat(text_value) if len(text_value) == 10 else wib(text_value).date()
    return f"{d.day} {BULAN[d.month - 1]} {d.year}"


def text(value: object) -> str:
    """A cell's text: empty for a missing value."""
    return "" if _missing(value) else str(value)


_ENV.globals["len"] = len
for _name, _fn in {
    "angka": angka,
    "persen": persen,
    "selisih": selisih,
    "tanggal": tanggal,
    "hari": hari,
    "text": text,
}.items():
    _ENV.filters[_name] = _fn


def bars(rows: list[tuple[str, int, int]], width: int = 560) -> dict:
    """Horizontal stacked bars: updated (green) and pending (amber)."""
    top = max((u + p for _, u, p in rows), default=0) or 1
    bar_w, label_w, h = width - 260, 170, 26
    items = [
        {
            "label": label,
            "y": 8 + i * h,
            "upd": upd,
            "pend": pend,
            "x": label_w,
            "wu": bar_w * upd / top,
            "wp": bar_w * pend / top,
        }
        for i, (label, upd, pend) in enumerate(rows)
    ]
    return {
        "width": width,
        "height": h * len(rows) + 30,
        "items": items,
        "label_w": label_w,
        "legend_y": 10 + len(rows) * h,
    }


def histogram(values: pd.Series, width: int = 560) -> dict:
    bins = [round(i / 8, 3) for i in range(9)]
    # 8 required fields: every innovation's completeness is one of k/8
    counts = [int((values.round(3) == b).sum()) for b in bins]
    top = max(counts) or 1
    bw, height = (width - 40) / len(bins), 170
    items = []
    for i, (b, c) in enumerate(zip(bins, counts)):
        bar_h = (height - 20) * c / top
        items.append(
            {
                "x": 20 + i * bw,
                "bw": bw,
                "h": bar_h,
                "y": height - bar_h,
                "count": c,
                "label": persen(b, 0 if b * 100 == int(b * 100) else 1),
            }
        )
    return {"width": width, "height": height, "items": items}


def trend_chart(progress: pd.DataFrame, width: int = 720, height: int = 260) -> dict:
    """Share updated per day, one line per programme (national rows); the x axis is time."""
    left, right, top, bottom = 48, 150, 12, 34
    days = sorted({date.fromisoformat(d) for d in progress["snapshot_date"]})
    if not days:
        return {"width": width, "height": height, "series": [], "yticks": [], "xticks": []}
    span = max((days[-1] - days[0]).days, 1)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(day: str) -> float:
        return left + plot_w * (
            (date.fromisoformat(day) - days[0]).days / span if len(days) > 1 else 0.5
        )

    def y(share: float) -> float:
        return top + plot_h * (1 - share)

    series = []
    for programme in TREND_PROGRAMMES:
        g = progress[progress["programme"] == programme].sort_values("snapshot_date")
        g = g[g["share"].notna()]
        if g.empty:
            continue
        points = [
            {
                "x": x(r.snapshot_date),
                "y": y(r.share),
                "date": r.snapshot_date,
                "share": r.share,
                "updated": r.updated,
                "rebuilt": bool(r.rebuilt),
                "innovations": r.innovations,
            }
            for r in g.itertuples()
        ]
        series.append(
            {
                "programme": programme,
                "label": PROGRAM.get(programme, programme),
                "points": points,
                "polyline": " ".join(f"{p['x']:.1f},{p['y']:.1f}" for p in points),
                "label_y": points[-1]["y"],
            }
        )
    # labels at the right end must not overlap: push them apart by 13 px
    for prev, cur in zip(
        sorted(series, key=lambda s: s["label_y"]), sorted(series, key=lambda s: s["label_y"])[1:]
    ):
        cur["label_y"] = max(cur["label_y"], prev["label_y"] + 13)
    step = -(-len(days) // 5)  # at most 5 dates under the axis
    long = span > 90

    def tick(d: date) -> str:
        return f"{BULAN[d.month - 1][:3]} {d.year}" if long else f"{d.day} {BULAN[d.month - 1][:3]}"

    shown = days[::step]
    if shown[-1] != days[-1]:  # the latest day always has its date, its neighbour gives way
        shown = shown[:-1] if x(days[-1].isoformat()) - x(shown[-1].isoformat()) < 70 else shown
        shown = [*shown, days[-1]]
    xticks = [{"x": x(d.isoformat()), "label": tick(d)} for d in shown]
    yticks = [{"y": y(v / 4), "label": persen(v / 4, 0)} for v in range(5)]
    return {
        "width": width,
        "height": height,
        "series": series,
        "xticks": xticks,
        "yticks": yticks,
        "left": left,
        "right": width - right,
        "top": top,
        "bottom": height - bottom,
    }


def sparkline(values: list[float], width: int = 90, height: int = 22) -> dict:
    """A score trend (0-1) as a small line."""
    n = len(values)
    pts = [
        (2 + (width - 4) * (i / (n - 1) if n > 1 else 0.5), 2 + (height - 4) * (1 - v))
        for i, v in enumerate(values)
    ]
    return {
        "width": width,
        "height": height,
        "polyline": " ".join(f"{x:.1f},{y:.1f}" for x, y in pts),
        "last": pts[-1] if pts else None,
    }


def _suggestions(shown: pd.DataFrame) -> list[dict]:
    """Per agency (by id), its innovations in order of first appearance, each with its rows: one
    pass over the records (a pandas group per innovation costs seconds at national scale)."""
    agencies: dict[tuple, dict[str, dict]] = {}
    shown = shown.dropna(subset=["agency_id", "agency_name", "innovation_id"])  # as groupby does
    for rec in shown.sort_values(["agency_id", "agency_name"], kind="stable").to_dict("records"):
        by_innovation = agencies.setdefault((rec["agency_id"], rec["agency_name"]), {})
        entry = by_innovation.get(rec["innovation_id"])
        if entry is None:
            entry = by_innovation[rec["innovation_id"]] = {
                "innovation_id": rec["innovation_id"],
                "title": rec["title"],
                "why": rec["why"],
                "similar": [],
            }
        entry["similar"].append(rec)
    return [
        {"agency_id": a, "agency_name": name, "innovations": list(inner.values())}
        for (a, name), inner in agencies.items()
    ]


def follow_up_first(data: ReportData, n: int | None = None) -> list[dict]:
    """The agencies to contact first: most KIPP innovations still pending, and why (how many, since
    when the count has not moved, how weak their data is)."""
    n = FOLLOW_UP_FIRST if n is None else n
    ag = data.agencies
    if not len(ag) or "kipp_pending" not in ag.columns:
        return []
    ag = ag[ag["kipp_pending"] > 0].sort_values(
        ["kipp_pending", "completeness_mean", "agency_id"], ascending=[False, True, True]
    )
    stalled = (
        data.stalled.set_index("agency_id")["since"].to_dict()
        if len(data.stalled) and "since" in data.stalled.columns
        else {}
    )
    out = []
    for r in ag.head(n).itertuples():
        why = [
            f"{angka(r.kipp_pending)} dari {angka(r.kipp_total)} inovasi KIPP belum dimutakhirkan"
        ]
        if r.agency_id in stalled:
            why.append(f"jumlahnya tidak bergerak sejak {hari(stalled[r.agency_id])}")
        if not _missing(r.completeness_mean) and r.completeness_mean < trends.WEAK_COMPLETENESS:
            why.append(f"kelengkapan data rata-rata hanya {persen(r.completeness_mean, 0)}")
        out.append(
            {
                "agency_id": r.agency_id,
                "agency_name": r.agency_name,
                "jenis": AGENCY_TYPE_LABELS.get(r.agency_type, r.agency_type),
                "pending": int(r.kipp_pending),
                "why": "; ".join(why),
            }
        )
    return out


def gate_view(suite: str, result: dict | None) -> dict:
    """A gate result for the reader: verdict, each expectation in words, failures first."""
    if not result:
        return {"suite": suite, "label": messages.suite_label(suite), "result": None}
    outcomes = [
        {
            "text": messages.expectation_text(o.get("expectation"), o.get("column"), o.get("note")),
            "dimension": DIMENSI.get(o.get("dimension"), o.get("dimension") or "lainnya"),
            "success": bool(o.get("success")),
            "unexpected": o.get("unexpected_count"),
            "keys": ", ".join(str(k) for k in (o.get("sample_keys") or [])[:3]),
        }
        for o in result.get("outcomes", [])
    ]
    failed = [o for o in outcomes if not o["success"]]
    passed_by_dim: dict[str, int] = {}
    for o in outcomes:
        if o["success"]:
            passed_by_dim[o["dimension"]] = passed_by_dim.get(o["dimension"], 0) + 1
    return {
        "suite": suite,
        "label": messages.suite_label(suite),
        "result": result,
        "success": bool(result.get("success")),
        "total": len(outcomes),
        "failed": failed[:MAX_GATE_FAILURES_SHOWN],
        "failed_count": len(failed),
        "passed": sum(passed_by_dim.values()),
        "passed_by_dim": sorted(passed_by_dim.items(), key=lambda kv: -kv[1]),
        "outcomes": outcomes,
    }


def render(data: ReportData, public_base_url: str | None = None) -> str:
    nat = data.national
    by_type = nat[nat["dimension"] == "agency_type"]
    by_prog = nat[nat["dimension"] == "programme"]
    all_row = nat[nat["dimension"] == "all"]
    ag = (
        data.agencies.sort_values(
            ["kipp_pending", "innovations_pending", "agency_id"], ascending=[False, False, True]
        )
        if len(data.agencies)
        else data.agencies
    )
    gates_ok = all((g or {}).get("success") for g in data.gates.values()) and all(
        data.gates.values()
    )
    docs = {
        suite: report_href(page, public_base_url) for suite, page in data.docs_pages.items() if page
    }
    downloads = [
        (ext.upper(), report_href(f"portal/innovations.{ext}", public_base_url))
        for ext in ("csv", "json", "parquet")
    ]
    rep = data.replication
    # agencies in the KIPP campaign first, then those with the most innovations to help
    rank = (
        rep.assign(_p=rep["why"] == "pending")
        .groupby("agency_id")
        .agg(p=("_p", "any"), n=("innovation_id", "nunique"))
        .sort_values(["p", "n"], ascending=False)
    )
    shown = rep[rep["agency_id"].isin(rank.index[:MAX_SUGGESTION_AGENCIES])]
    suggestions = _suggestions(shown)
    pending_counts = data.pending.groupby(["agency_id", "agency_name"], sort=False).size()
    pending_order = pending_counts.reset_index(name="n").sort_values(
        ["n", "agency_name"], ascending=[False, True]
    )
    pending_by = {k: g for k, g in data.pending.groupby(["agency_id", "agency_name"], sort=False)}
    pending_groups = [
        (r.agency_id, r.agency_name, list(pending_by[(r.agency_id, r.agency_name)].itertuples()))
        for r in pending_order.head(MAX_PENDING_AGENCIES).itertuples()
    ]
    as_of = hari(data.generated_at)
    return _ENV.get_template("report.html").render(
        repl=replication.section(data.replication_summary),
        d=data,
        hl=data.headline(),
        as_of=as_of,
        gates_ok=gates_ok,
        docs=docs,
        downloads=downloads,
        data_docs_href=report_href(DATA_DOCS_PAGE, public_base_url),
        total_all=int(all_row["innovations"].iloc[0]) if len(all_row) else 0,
        type_bars=bars(
            [
                (AGENCY_TYPE_LABELS.get(r.value, r.value), int(r.updated), int(r.pending))
                for r in by_type.itertuples()
            ]
        ),
        prog_bars=bars(
            [
                (PROGRAM.get(r.value, r.value), int(r.updated), int(r.pending))
                for r in by_prog.itertuples()
            ]
        ),
        hist=histogram(data.completeness),
        follow_up=follow_up_first(data),
        agencies_rows=[
            [
                r.agency_name,
                AGENCY_TYPE_LABELS.get(r.agency_type, r.agency_type),
                r.agency_id,
                angka(r.kipp_total),
                angka(r.kipp_pending),
                angka(r.innovations_total),
                angka(r.innovations_pending),
                persen(r.completeness_mean),
            ]
            for r in ag.head(MAX_AGENCIES_SHOWN).itertuples()
        ],
        agencies_total=len(ag),
        pending_groups=pending_groups,
        pending_agencies_total=len(pending_order),
        rejected_rows=[
            [r.source, r.kind, angka(r.count), r.example] for r in data.rejected_rows.itertuples()
        ],
        rejected_total=int(data.rejected_rows["count"].sum()) if len(data.rejected_rows) else 0,
        submission_rows=[
            [r.kind, angka(r.count), r.example] for r in data.rejected_submissions.itertuples()
        ],
        submissions_total=(
            int(data.rejected_submissions["count"].sum()) if len(data.rejected_submissions) else 0
        ),
        match_rows=[[r.match_rule, angka(r.records)] for r in data.match_rules.itertuples()],
        review_rows=[
            [r.review_id, r.kind, angka(r.record_count), r.description, r.evidence]
            for r in data.reviews.head(MAX_REVIEWS_SHOWN).itertuples()
        ],
        trend=trend_chart(data.progress),
        suggestions=suggestions,
        suggestions_cut=len(rank) - len(suggestions),
        pending_shown=PENDING_SHOWN_PER_AGENCY,
        suggested_shown=SUGGESTED_SHOWN_PER_AGENCY,
        similar_shown=SIMILAR_SHOWN,
        stalled_shown=MAX_STALLED_SHOWN,
        history_days=HISTORY_DAYS_SHOWN,
        dimensions=[
            {**r, "spark": sparkline(r["trend"])}
            for r in data.quality_dimensions.to_dict("records")
        ],
        gate_views=[gate_view(s, g) for s, g in data.gates.items()],
        stale=[
            {**s, "why": messages.source_failure(s.get("error"))}
            for s in data.sources
            if s.get("stale")
        ],
        stalled_days=trends.STALLED_DAYS,
        weak=trends.WEAK_COMPLETENESS,
        runs=trends.DIMENSION_RUNS,
        jump_window=trends.JUMP_WINDOW,
        z_threshold=trends.Z_THRESHOLD,
        min_history=trends.MIN_HISTORY,
        row_count=trends.ROW_COUNT,
        JENIS=AGENCY_TYPE_LABELS,
        PROGRAM=PROGRAM,
        DIMENSI=DIMENSI,
        suite_label=messages.suite_label,
        column_label=messages.column_label,
    )
