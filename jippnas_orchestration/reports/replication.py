"""The report's "Replikasi dan pemerataan" section: the most replicated innovations, a tile-grid
map of how many government affairs each province's regions cover, and the regions with the widest
gaps with their first suggestions (jippnas_orchestration.replication.summary gathers them)."""

from __future__ import annotations

import pandas as pd

# One tile per province (Kemendagri code), placed roughly where it lies: column west to east,
# row north to south. A tile grid reads faster than a choropleth of islands of very unequal size.
TILES = {
    "11": (0, 0, "ACEH"),
    "12": (1, 1, "SUMUT"),
    "14": (2, 1, "RIAU"),
    "21": (3, 1, "KEPRI"),
    "13": (1, 2, "SUMBAR"),
    "15": (2, 2, "JAMBI"),
    "19": (3, 2, "BABEL"),
    "17": (1, 3, "BKL"),
    "16": (2, 3, "SUMSEL"),
    "18": (3, 3, "LPG"),
    "36": (3, 4, "BANTEN"),
    "31": (4, 4, "DKI"),
    "32": (5, 4, "JABAR"),
    "33": (6, 4, "JATENG"),
    "34": (6, 5, "DIY"),
    "35": (7, 4, "JATIM"),
    "51": (8, 4, "BALI"),
    "52": (9, 4, "NTB"),
    "53": (10, 4, "NTT"),
    "65": (6, 0, "KALTARA"),
    "61": (5, 1, "KALBAR"),
    "64": (6, 1, "KALTIM"),
    "62": (5, 2, "KALTENG"),
    "63": (6, 2, "KALSEL"),
    "71": (9, 0, "SULUT"),
    "75": (8, 0, "GTLO"),
    "76": (7, 1, "SULBAR"),
    "72": (8, 1, "SULTENG"),
    "73": (7, 2, "SULSEL"),
    "74": (8, 2, "SULTRA"),
    "82": (10, 1, "MALUT"),
    "81": (10, 2, "MALUKU"),
    "96": (11, 1, "PBD"),
    "92": (12, 1, "PB"),
    "94": (12, 2, "PTENG"),
    "91": (13, 2, "PAPUA"),
    "95": (13, 3, "PPEG"),
    "93": (12, 3, "PSEL"),
}
TILE, GAP = 54, 4
# share of affair cells covered -> colour, light to dark (a legend names each band)
BANDS = [
    (0.0, "#f1f5f9", "belum ada"),
    (0.05, "#c7e9e4", "di bawah 10%"),
    (0.10, "#7fcdbb", "10–25%"),
    (0.25, "#2c9a8c", "25–50%"),
    (0.50, "#0b5d56", "50% ke atas"),
]
AFFAIR_LABELS = {
    "kesehatan": "kesehatan",
    "adminduk": "administrasi kependudukan",
    "pendidikan": "pendidikan",
    "sosial": "sosial",
    "pendapatan": "pendapatan daerah",
    "perizinan": "perizinan dan penanaman modal",
    "aduan": "pengaduan masyarakat",
    "lingkungan": "lingkungan hidup",
    "bencana": "penanggulangan bencana",
    "pertanian": "pertanian",
    "kelautan": "kelautan dan perikanan",
    "kehutanan": "kehutanan",
    "pangan": "pangan",
    "umkm": "koperasi dan UMKM",
    "perdagangan": "perdagangan",
    "perindustrian": "perindustrian",
    "perempuan_anak": "pemberdayaan perempuan dan perlindungan anak",
    "tenaga_kerja": "tenaga kerja",
    "pekerjaan_umum": "pekerjaan umum",
    "perumahan": "perumahan dan permukiman",
    "trantibum": "ketenteraman dan ketertiban umum",
    "pertanahan": "pertanahan",
    "desa": "pemberdayaan masyarakat dan desa",
    "keluarga_berencana": "pengendalian penduduk dan keluarga berencana",
    "perhubungan": "perhubungan",
    "kominfo": "komunikasi dan informatika",
    "kepegawaian": "kepegawaian",
    "keuangan": "keuangan daerah",
    "pengawasan": "pengawasan",
    "pariwisata": "pariwisata",
    "kebudayaan": "kebudayaan",
    "pemuda_olahraga": "kepemudaan dan olahraga",
    "perpustakaan": "perpustakaan dan kearsipan",
    "energi": "energi dan sumber daya mineral",
    "hukum": "hukum",
}


def affair_label(affair: object) -> str:
    return AFFAIR_LABELS.get(str(affair), str(affair).replace("_", " "))


def band(share: float | None) -> tuple[str, str]:
    """The colour and the legend's words for a share of covered cells."""
    colour, words = BANDS[0][1], BANDS[0][2]
    for floor, c, w in BANDS:
        if share is not None and share > 0 and share >= floor:
            colour, words = c, w
    return colour, words


def tile_map(coverage: pd.DataFrame) -> dict:
    """SVG geometry of the province tiles: position, colour, label and the hover title."""
    by_code = {str(r.province_code): r for r in coverage.itertuples()}
    tiles = []
    for code, (col, row, abbr) in TILES.items():
        r = by_code.get(code)
        # from the counts, not the rounded share: the tile and its title agree to the last digit
        share = int(r.covered) / int(r.cells) if r is not None and int(r.cells) else None
        colour, _ = band(share)
        name = r.province_name if r is not None and isinstance(r.province_name, str) else abbr
        tiles.append(
            {
                "x": col * (TILE + GAP),
                "y": row * (TILE + GAP),
                "fill": colour,
                "dark": share is not None and share >= BANDS[3][0],
                "abbr": abbr,
                "share": share,
                "title": name,
                "covered": int(r.covered) if r is not None else 0,
                "cells": int(r.cells) if r is not None else 0,
            }
        )
    width = (max(c for c, _, _ in TILES.values()) + 1) * (TILE + GAP)
    height = (max(r for _, r, _ in TILES.values()) + 1) * (TILE + GAP)
    legend = [{"fill": c, "words": w} for _, c, w in BANDS]
    return {"tiles": tiles, "width": width, "height": height, "tile": TILE, "legend": legend}


def section(summary, gaps_shown: int = 8, firsts_shown: int = 2) -> dict | None:
    """What the template shows, or None before the replication tables exist."""
    if summary is None:
        return None
    gaps = []
    for r in summary.widest_gaps.head(gaps_shown).itertuples():
        firsts = [
            {
                "affair": affair_label(s["affair"]),
                "title": s["title"],
                "agency": s["source_agency_name"],
                "reason": s["reason"],
            }
            for s in list(r.first_suggestions)[:firsts_shown]
        ]
        gaps.append(
            {
                "agency": r.agency_name,
                "uncovered": int(r.uncovered),
                "with_suggestions": int(r.with_suggestions),
                "firsts": firsts,
            }
        )
    cov = summary.coverage_by_province
    cells, covered = int(cov["cells"].sum()), int(cov["covered"].sum())
    return {
        "most": list(summary.most_replicated.itertuples()),
        "map": tile_map(cov),
        "gaps": gaps,
        "gaps_total": len(summary.widest_gaps),
        "cells": cells,
        "covered": covered,
        "share": covered / cells if cells else None,
        "regions": int(cov["regions"].sum()),
    }


def opportunities_by_province(opportunities: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The workbook's sheets: every opportunity of a province's regions (the province's own
    government included), in agency, affair and rank order."""
    if opportunities.empty:
        return {}
    df = opportunities.assign(_prov=opportunities["agency_id"].astype(str).str.slice(0, 2))
    df = df.sort_values(["agency_id", "affair", "rank"])
    return {p: g.drop(columns="_prov") for p, g in df.groupby("_prov", sort=True)}
