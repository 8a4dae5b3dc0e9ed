"""The test helpers that stand in for a slower plain search (tests/helpers.py) find what it finds."""

import random

import xlsxwriter
from openpyxl import load_workbook

from .helpers import formula_cells, leaked, workbook_texts


def test_leaked_finds_what_a_plain_search_finds():
    rng = random.Random(7)
    alphabet = "abcde@.-0 "
    texts = ["".join(rng.choice(alphabet) for _ in range(5000)) for _ in range(3)]
    # values taken from the texts (found), near misses (one character changed) and random ones
    values = set()
    for _ in range(300):
        text = rng.choice(texts)
        start, n = rng.randrange(4900), rng.randrange(6, 40)
        value = text[start : start + n]
        values.add(value)
        i = rng.randrange(len(value))
        values.add(value[:i] + rng.choice(alphabet) + value[i + 1 :])
        values.add("".join(rng.choice(alphabet) for _ in range(n)))
    expected = sorted(v for v in values if any(v in t for t in texts))
    assert sorted(leaked(values, texts)) == expected
    assert 0 < len(expected) < len(values)


def test_formula_cells_finds_each_formula_and_nothing_else(tmp_path):
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(str(path))
    first, second = book.add_worksheet("a"), book.add_worksheet("b")
    first.write_string(0, 0, "=SUM(1,2)")  # formula-like text, stored as text
    first.write_number(0, 1, 3)
    first.write_formula(2, 3, "=1+1")
    second.write_string(0, 0, "<f>")  # markup in a text is escaped in the XML
    second.write_formula(4, 0, "=A1")
    book.close()
    assert formula_cells(path) == ["xl/worksheets/sheet1.xml: D3", "xl/worksheets/sheet2.xml: A5"]


def test_workbook_texts_reads_what_openpyxl_reads(tmp_path):
    texts = ["biasa", "a & b < c > d \"e\" 'f'", "baris\nbaru", "garis_bawah", "  spasi  "]
    for options in ({"constant_memory": True}, {}):  # inline strings, shared strings
        path = tmp_path / f"book{len(options)}.xlsx"
        book = xlsxwriter.Workbook(str(path), options)
        for n, title in enumerate(["Satu & Dua", "Tiga"]):
            sheet = book.add_worksheet(title)
            for row, value in enumerate(texts[n:]):
                sheet.write_string(row, 0, value)
                sheet.write_number(row, 1, row)
        book.close()
        wb = load_workbook(path, read_only=True)
        expected = [
            (ws.title, cell)
            for ws in wb.worksheets
            for row in ws.iter_rows(values_only=True)
            for cell in row
            if isinstance(cell, str)
        ]
        assert workbook_texts(path) == expected and len(expected) == 2 * len(texts) - 1
