"""The self-contained data-quality page (Bahasa Indonesia, inline CSS/SVG/JS, printable on A4).

Every value that came from a source or an innovator passes through `esc` before it is rendered.
"""

from __future__ import annotations

from datetime import datetime
from html import escape

import pandas as pd

from ..links import DATA_DOCS_PAGE, report_href
from .data import ReportData

BULAN = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember"]
JENIS = {"kementerian": "Kementerian", "lembaga": "Lembaga", "provinsi": "Provinsi", "kabupaten": "Kabupaten",
         "kota": "Kota", "bumn": "BUMN", "bumd": "BUMD"}
PROGRAM = {"KIPP": "KIPP (KemenPANRB)", "IGA": "IGA (Kemendagri)", "INOLAN": "InoLAN (LAN)"}
EXPECTATIONS_ID = {
    "expect_column_values_to_be_unique": "nilai unik", "expect_column_values_to_not_be_null": "tidak boleh kosong",
    "expect_column_values_to_be_in_set": "nilai dari daftar baku", "expect_column_values_to_be_between": "dalam rentang",
    "expect_column_values_to_match_regex": "sesuai format", "expect_column_values_to_not_match_regex": "tanpa data pribadi",
    "expect_table_columns_to_match_set": "kolom tabel", "expect_table_row_count_to_be_between": "jumlah baris wajar",
}


def esc(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return escape(str(value), quote=True)


def angka(n: object) -> str:
    """Indonesian thousands separator: 1.065."""
    try:
        return f"{int(n):,}".replace(",", ".")
    except (TypeError, ValueError):
        return "–"


def persen(x: float | None, digits: int = 1) -> str:
    if x is None or x != x:
        return "–"
    return f"{x * 100:.{digits}f}".replace(".", ",") + "%"


def tanggal(iso: str | None) -> str:
    if not iso:
        return "–"
    ts = datetime.fromisoformat(iso)
    return f"{ts.day} {BULAN[ts.month - 1]} {ts.year}, {ts.hour:02d}.{ts.minute:02d} UTC"


def _bars(rows: list[tuple[str, int, int]], width: int = 560) -> str:
    """Horizontal stacked bars: updated (green) and pending (amber)."""
    if not rows:
        return "<p>Tidak ada data.</p>"
    top = max(u + p for _, u, p in rows) or 1
    bar_w, label_w, h = width - 260, 170, 26
    out = [f'<svg class="chart" role="img" width="{width}" height="{h * len(rows) + 30}" '
           f'viewBox="0 0 {width} {h * len(rows) + 30}" xmlns="http://www.w3.org/2000/svg">']
    for i, (label, upd, pend) in enumerate(rows):
        y = 8 + i * h
        wu, wp = bar_w * upd / top, bar_w * pend / top
        out.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" class="lbl">{esc(label)}</text>'
                   f'<rect x="{label_w}" y="{y}" width="{wu:.1f}" height="18" class="upd"><title>{angka(upd)} sudah</title></rect>'
                   f'<rect x="{label_w + wu:.1f}" y="{y}" width="{wp:.1f}" height="18" class="pend"><title>{angka(pend)} belum</title></rect>'
                   f'<text x="{label_w + wu + wp + 6:.1f}" y="{y + 14}" class="num">{angka(upd)} / {angka(pend)}</text>')
    y = 10 + len(rows) * h
    out.append(f'<rect x="{label_w}" y="{y}" width="10" height="10" class="upd"/><text x="{label_w + 14}" y="{y + 9}" '
               f'class="num">sudah dimutakhirkan</text><rect x="{label_w + 150}" y="{y}" width="10" height="10" '
               f'class="pend"/><text x="{label_w + 164}" y="{y + 9}" class="num">belum</text></svg>')
    return "".join(out)


def _histogram(values: pd.Series, width: int = 560) -> str:
    bins = [round(i / 8, 3) for i in range(9)]
    # 8 required fields: every innovation's completeness is one of k/8
    counts = [int((values.round(3) == b).sum()) for b in bins]
    top = max(counts) or 1
    bw, height = (width - 40) / len(bins), 170
    out = [f'<svg class="chart" role="img" width="{width}" height="{height + 40}" viewBox="0 0 {width} {height + 40}" '
           'xmlns="http://www.w3.org/2000/svg">']
    for i, (b, c) in enumerate(zip(bins, counts)):
        h = (height - 20) * c / top
        x = 20 + i * bw
        out.append(f'<rect x="{x + 4:.1f}" y="{height - h:.1f}" width="{bw - 8:.1f}" height="{h:.1f}" class="hist">'
                   f'<title>{angka(c)} inovasi</title></rect><text x="{x + bw / 2:.1f}" y="{height - h - 4:.1f}" '
                   f'text-anchor="middle" class="num">{angka(c)}</text><text x="{x + bw / 2:.1f}" y="{height + 16}" '
                   f'text-anchor="middle" class="lbl">{persen(b, 0 if b * 100 == int(b * 100) else 1)}</text>')
    out.append("</svg>")
    return "".join(out)


def _table(headers: list[str], rows: list[list[str]], cls: str = "", attrs: str = "") -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return f'<table class="{cls}" {attrs}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def _gate_section(data: ReportData, public_base_url: str | None = None) -> str:
    parts = []
    for suite, result in data.gates.items():
        if not result:
            parts.append(f"<h3>{esc(suite)}</h3><p>Belum pernah diperiksa.</p>")
            continue
        ok = result.get("success")
        rows = [[esc(EXPECTATIONS_ID.get(o["expectation"], o["expectation"])), esc(o.get("column") or "tabel"),
                 '<span class="ok">Lulus</span>' if o["success"] else '<span class="bad">Gagal</span>',
                 angka(o["unexpected_count"]) if o.get("unexpected_count") is not None else esc(o.get("observed")),
                 esc(", ".join(map(str, (o.get("sample_keys") or [])[:5]))), esc(o.get("note"))]
                for o in result["outcomes"]]
        page = data.docs_pages.get(suite)  # relative to the output folder: works on file:// and over HTTP
        docs = f' <a class="data-docs" data-suite="{esc(suite)}" href="{esc(report_href(page, public_base_url))}">' \
            'Rincian di Data Docs</a>' \
            if page else ""
        parts.append(
            f'<h3>{esc(suite)} — <span class="{"ok" if ok else "bad"}">{"LULUS" if ok else "GAGAL"}</span></h3>'
            f'<p>Diperiksa {esc(tanggal(result.get("evaluated_at")))} atas {angka(result.get("rows"))} baris.{docs}</p>'
            + _table(["Pemeriksaan", "Kolom", "Hasil", "Tidak sesuai", "Contoh kunci", "Keterangan"], rows, "gate"))
    return "".join(parts)


CSS = """
body{font-family:"Noto Sans","DejaVu Sans",Arial,sans-serif;margin:0;color:#1d2733;background:#f4f6f8}
header{background:#0b4f8a;color:#fff;padding:18px 28px}header h1{margin:0;font-size:24px}
header p{margin:4px 0 0;opacity:.9}main{padding:18px 28px;max-width:1180px}
section{background:#fff;border-radius:8px;padding:14px 20px;margin:0 0 16px;box-shadow:0 1px 3px #0002}
h2{font-size:19px;margin:4px 0 10px;color:#0b4f8a}h3{font-size:16px;margin:14px 0 6px}
.headline{font-size:22px;font-weight:700;margin:6px 0 12px}
.cards{display:flex;gap:12px;flex-wrap:wrap}.card{flex:1;min-width:160px;border:1px solid #d5dde5;border-radius:8px;padding:10px 14px}
.card b{display:block;font-size:28px}.card span{color:#556}
.grid{display:flex;gap:20px;flex-wrap:wrap}
table{border-collapse:collapse;width:100%;font-size:13px;margin:6px 0}th,td{border-bottom:1px solid #e3e8ee;padding:5px 7px;text-align:left;vertical-align:top}
th{background:#eef3f8;cursor:pointer;user-select:none}td.n,th.n{text-align:right}
.ok{color:#17803d;font-weight:700}.bad{color:#b3261e;font-weight:700}
.upd{fill:#2e8b57}.pend{fill:#e0a526}.hist{fill:#0b6fb8}.lbl{font-size:12px;fill:#333}.num{font-size:11px;fill:#333}
input.filter{padding:6px 8px;width:320px;margin:4px 0 8px;border:1px solid #aab;border-radius:4px}
details{margin:4px 0}summary{cursor:pointer;font-weight:600}ul{margin:4px 0 8px 18px;padding:0}
.muted{color:#667;font-size:12px}
@page{size:A4;margin:14mm}
@media print{body{background:#fff}header{background:#fff;color:#000;border-bottom:2px solid #000;padding:0 0 6px}
main{padding:0;max-width:none}section{box-shadow:none;padding:0;margin:0 0 10px;break-inside:avoid-page}
input.filter{display:none}th{cursor:auto}table{font-size:10px}a{color:#000;text-decoration:none}
.pagebreak{break-before:page}.chart{max-width:100%}}
"""

JS = """
document.querySelectorAll('table.sortable th').forEach(function(th, col){
  th.title='Klik untuk mengurutkan';
  th.addEventListener('click', function(){
    var tbody=th.closest('table').tBodies[0], rows=Array.from(tbody.rows);
    var asc=th.dataset.asc!=='1'; th.dataset.asc=asc?'1':'0';
    var num=function(s){return parseFloat(s.replace(/\\./g,'').replace(',','.').replace('%',''));};
    rows.sort(function(a,b){var x=a.cells[col].textContent,y=b.cells[col].textContent,nx=num(x),ny=num(y);
      var r=(!isNaN(nx)&&!isNaN(ny))?nx-ny:x.localeCompare(y,'id');return asc?r:-r;});
    rows.forEach(function(r){tbody.appendChild(r);});
  });
});
var f=document.getElementById('agency-filter');
if(f){f.addEventListener('input',function(){var q=f.value.toLowerCase();
  document.querySelectorAll('#agency-table tbody tr').forEach(function(r){
    r.style.display=r.textContent.toLowerCase().indexOf(q)>=0?'':'none';});});}
window.addEventListener('beforeprint',function(){document.querySelectorAll('details').forEach(function(d){d.open=true;});});
"""


def _history_section(data: ReportData) -> str:
    """Campaign progress by day (KIPP, national) and what moved since the previous snapshot."""
    if data.history.empty:
        return ""
    d = data.history_deltas
    if d:
        def change(key: str, pct: bool = False) -> str:
            delta = d[key]["delta"]
            if delta is None:
                return "–"
            text = persen(abs(delta)) if pct else angka(abs(delta))
            return ("+" if delta > 0 else "−" if delta < 0 else "±") + text
        since = (f'<p id="sejak-laporan-sebelumnya">Sejak {esc(d["previous_date"])}: sudah dimutakhirkan '
                 f'<b>{change("updated")}</b>, belum <b>{change("pending")}</b>, jumlah inovasi '
                 f'<b>{change("innovations")}</b>, kelengkapan rata-rata <b>{change("completeness_mean", True)}</b>.</p>')
    else:
        since = '<p class="muted">Baru ada satu catatan harian; perubahan tampil mulai laporan berikutnya.</p>'
    rows = [[esc(r.snapshot_date), angka(r.innovations), angka(r.updated), angka(r.pending),
             persen(r.completeness_mean)] for r in data.history.tail(30).itertuples()]
    return (f'<section id="riwayat"><h2>Perkembangan pemutakhiran KIPP</h2>{since}'
            + _table(["Tanggal", "Inovasi", "Sudah", "Belum", "Kelengkapan"], rows) + "</section>")


def render(data: ReportData, public_base_url: str | None = None) -> str:
    hl = data.headline()
    nat = data.national
    by_type = nat[nat["dimension"] == "agency_type"]
    by_prog = nat[nat["dimension"] == "programme"]
    type_rows = [(JENIS.get(r.value, r.value), int(r.updated), int(r.pending)) for r in by_type.itertuples()]
    prog_rows = [(PROGRAM.get(r.value, r.value), int(r.updated), int(r.pending)) for r in by_prog.itertuples()]
    all_row = nat[nat["dimension"] == "all"]
    total_all = int(all_row["innovations"].iloc[0]) if len(all_row) else 0
    headline = (f'{angka(hl["innovations"])} inovasi; {angka(hl["updated"])} sudah dimutakhirkan; '
                f'{angka(hl["pending"])} dari {angka(hl["agencies_with_pending"])} instansi belum')
    ag = data.agencies.sort_values(["kipp_pending", "innovations_pending"], ascending=False) \
        if len(data.agencies) else data.agencies
    agency_rows = [[esc(r.agency_name), esc(JENIS.get(r.agency_type, r.agency_type)), esc(r.agency_id),
                    angka(r.innovations_total), angka(r.innovations_updated), angka(r.innovations_pending),
                    persen(r.completeness_mean), angka(r.kipp_total), angka(r.kipp_pending)]
                   for r in ag.itertuples()]
    pending_blocks = []
    for (agency_id, agency_name), g in data.pending.groupby(["agency_id", "agency_name"], sort=True):
        items = "".join(f"<li><b>{esc(r.title)}</b> <span class='muted'>({esc(r.innovation_id)})</span> — "
                        f"belum diisi: {esc(r.missing) or 'pengajuan pemutakhiran belum diterima'}</li>"
                        for r in g.itertuples())
        pending_blocks.append(f"<details><summary>{esc(agency_name)} ({esc(agency_id)}) — {angka(len(g))} inovasi"
                              f"</summary><ul>{items}</ul></details>")
    rej_rows = [[esc(r.source), esc(r.kind), angka(r.count), esc(r.example)] for r in data.rejected_rows.itertuples()]
    sub_rows = [[esc(r.kind), angka(r.count), esc(r.example)] for r in data.rejected_submissions.itertuples()]
    m = data.manifest
    downloads = ", ".join(f'<a href="{esc(report_href(f"portal/innovations.{ext}", public_base_url))}">{ext.upper()}</a>'
                          for ext in ("csv", "json", "parquet"))
    version = (f"Versi <b>{esc(m['version'])}</b>, {angka(m['row_count'])} inovasi, terbit {esc(tanggal(m['published_at']))}"
               f" <span class='muted'>(checksum {esc(m['checksum'][:16])}…)</span> — unduh {downloads}"
               if m else "Belum ada versi yang terbit.")
    gates_ok = all((g or {}).get("success") for g in data.gates.values()) and all(data.gates.values())
    gate_line = ('<span class="ok">Gerbang mutu LULUS: data terbit.</span>' if gates_ok else
                 '<span class="bad">Gerbang mutu GAGAL atau belum dijalankan: versi terbit sebelumnya tetap '
                 'dipertahankan.</span>')
    stale = "".join(
        f'<p class="bad" id="sumber-usang-{esc(src["programme"].lower())}">Data {esc(PROGRAM.get(src["programme"]))} '
        f'usang: pembacaan terakhir gagal pada {esc(tanggal(src["failed_at"]))} ({esc(src.get("error"))}); laporan '
        f'ini memakai data hasil pembacaan {esc(tanggal(src["read_at"])) if src.get("read_at") else "–"}.</p>'
        for src in data.sources if src.get("stale"))
    return f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Laporan Mutu Data JIPPNas</title><style>{CSS}</style></head>
<body><header><h1>Laporan Mutu Data JIPPNas</h1>
<p>Jaringan Inovasi Pelayanan Publik Nasional — dibuat {esc(tanggal(data.generated_at))}</p></header><main>
<section id="ringkasan"><h2>Pemutakhiran data inovasi KIPP</h2>
<p class="headline" id="headline">{headline}</p>
<div class="cards">
<div class="card"><b id="fig-total">{angka(hl["innovations"])}</b><span>inovasi KIPP terbaik</span></div>
<div class="card"><b id="fig-updated">{angka(hl["updated"])}</b><span>sudah dimutakhirkan ({persen(hl["updated"] / hl["innovations"] if hl["innovations"] else None)})</span></div>
<div class="card"><b id="fig-pending">{angka(hl["pending"])}</b><span>belum dimutakhirkan</span></div>
<div class="card"><b id="fig-agencies">{angka(hl["agencies_with_pending"])}</b><span>instansi masih harus melengkapi</span></div>
</div><p>Seluruh basis data: {angka(total_all)} inovasi dari KIPP, IGA dan InoLAN. {gate_line}</p>
<p>Dataset portal: {version}</p>{stale}</section>
{_history_section(data)}
<section><h2>Sudah dan belum dimutakhirkan</h2><div class="grid">
<div><h3>Menurut jenis instansi</h3>{_bars(type_rows)}</div>
<div><h3>Menurut program</h3>{_bars(prog_rows)}</div></div></section>
<section><h2>Sebaran kelengkapan data</h2><p class="muted">Kelengkapan = bagian dari 8 isian wajib yang sudah terisi, untuk semua inovasi.</p>
{_histogram(data.completeness)}</section>
<section class="pagebreak"><h2>Per instansi</h2>
<input class="filter" id="agency-filter" type="search" placeholder="Saring instansi (nama, jenis, kode)…">
{_table(["Instansi", "Jenis", "Kode", "Inovasi", "Sudah", "Belum", "Kelengkapan", "KIPP", "KIPP belum"],
        agency_rows, "sortable", 'id="agency-table"')}</section>
<section class="pagebreak"><h2>Inovasi KIPP yang belum dimutakhirkan, per instansi</h2>
{"".join(pending_blocks) or "<p>Semua inovasi sudah dimutakhirkan.</p>"}</section>
<section><h2>Baris sumber yang dikarantina</h2>
{_table(["Sumber", "Masalah", "Jumlah", "Contoh"], rej_rows, "sortable") if rej_rows else "<p>Tidak ada.</p>"}</section>
<section><h2>Pencocokan rekaman sumber</h2>
<p class="muted">Alasan setiap rekaman sumber tergabung ke inovasinya (aturan pencocokan).</p>
{_table(["Aturan", "Rekaman"], [[esc(r.match_rule), angka(r.records)] for r in data.match_rules.itertuples()])
 if len(data.match_rules) else "<p>Belum ada.</p>"}
<h3>Antrean tinjauan ({angka(len(data.reviews))} terbuka)</h3>
<p class="muted">Nama instansi dan pasangan rekaman yang tidak dapat diputuskan otomatis.
Putuskan dengan <code>jippnas review list|accept|reject|assign</code>.</p>
{_table(["ID", "Jenis", "Rekaman", "Pertanyaan", "Bukti"],
        [[esc(r.review_id), esc(r.kind), angka(r.record_count), esc(r.description), esc(r.evidence)]
         for r in data.reviews.head(100).itertuples()], "sortable") if len(data.reviews) else "<p>Kosong.</p>"}
</section>
<section><h2>Pengajuan pemutakhiran yang ditolak</h2>
{_table(["Alasan", "Jumlah", "Contoh"], sub_rows, "sortable") if sub_rows else "<p>Tidak ada.</p>"}</section>
<section class="pagebreak"><h2>Gerbang mutu (Great Expectations)</h2>
<p><a id="data-docs-link" href="{esc(report_href(DATA_DOCS_PAGE, public_base_url))}">Buka Data Docs</a></p>{_gate_section(data, public_base_url)}</section>
</main><script>{JS}</script></body></html>"""
