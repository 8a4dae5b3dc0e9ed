"""The report's Indonesian message catalogue (reports/messages.py) against the texts the pipeline
really records: quarantine reasons made by the source readers' Collector, submission errors made by
the submission model, gate notes of the real suites. A new English reason that the catalogue does
not know shows up here, not on a ministry reader's page."""

import re

import pytest
from pydantic import ValidationError

from jippnas_orchestration.quality.suites import suite
from jippnas_orchestration.reports import messages
from jippnas_orchestration.sources.common import Collector, kind_of_reason
from jippnas_orchestration.submissions.model import Submission, describe_errors, shape_problem

from .test_report import _foreign

KIPP_AT = "/srv/jippnas/data/kipp/top-inovasi-2019-2023.xlsx, sheet 'Top Inovasi', row 501"
IGA_AT = "/srv/jippnas/data/iga/2018/page-3.json, record 73"
IGA_HTTP = "https://iga.example/api/inovasi?tahun=2018&page=3, record 73"
INOLAN_AT = "inolan.csv, line 253"


@pytest.mark.parametrize(
    ("programme", "location", "expected"),
    [
        (
            "KIPP",
            KIPP_AT,
            'KIPP, berkas top-inovasi-2019-2023.xlsx, lembar "Top Inovasi", baris 501',
        ),
        ("IGA", IGA_AT, "IGA, berkas 2018/page-3.json, rekaman ke-73"),
        ("IGA", IGA_HTTP, "IGA, tahun 2018, halaman 3, rekaman ke-73"),
        ("INOLAN", INOLAN_AT, "InoLAN, berkas inolan.csv, baris 253"),
        ("INOLAN", "/srv/x/y/z.csv", "InoLAN, lokasi z.csv"),
        ("KIPP", None, "KIPP"),
    ],
)
def test_a_source_row_is_named_as_a_reader_knows_it(programme, location, expected):
    assert messages.place(programme, location) == expected


def _collected(programme, key_field, location, labels):
    col = Collector(programme, key_field, labels)
    title, year = "judul_inovasi", "tahun"
    rows = [
        {"source_record_id": "1", title: "", year: 2020},  # empty title
        {"source_record_id": "2", title: "A", year: "20019"},  # implausible year
        {"source_record_id": None, title: "B", year: 2020},  # no key
        {"source_record_id": "3", title: "C", year: 2020},
        {"source_record_id": "3", title: "C berbeda", year: 2021},  # same key, other content
    ]
    for i, row in enumerate(rows):
        col.offer(row, location(i), row, title, year)
    col.read += 1
    col.reject(None, location(9), None, "too few fields (3 of 13)", "a;b;c", kind="unreadable_row")
    col.reject(None, location(10), None, "record is not a JSON object", "[]", kind="unreadable_row")
    return col.rejects


@pytest.mark.parametrize(
    ("programme", "key_field", "location", "labels"),
    [
        (
            "KIPP",
            "Kode NRI",
            lambda i: f"/srv/d/top-inovasi-2019-2023.xlsx, sheet 'Top Inovasi', row {i + 5}",
            {"judul_inovasi": "Judul Inovasi", "tahun": "Tahun"},
        ),
        ("IGA", "id", lambda i: f"/srv/d/iga/2023/page-7.json, record {i + 1}", {}),
        ("INOLAN", "external_id", lambda i: f"inolan.csv, line {i + 2}", {}),
    ],
)
def test_every_quarantine_reason_the_readers_write_reads_in_indonesian(
    programme, key_field, location, labels
):
    rejects = _collected(programme, key_field, location, labels)
    assert len(rejects) == 6
    shown = []
    for r in rejects:
        kind, _ = kind_of_reason(r["reason"])
        assert kind == r["kind"]  # the reason is one the pipeline knows how to group
        problem = messages.source_problem_message(
            programme, r["kind"], r["field"], r["reason"], r["detail"]
        )
        assert problem.code != "sumber.lain", r["reason"]
        shown.append(f"{messages.place(programme, r['location'])}: {problem}")
    assert _foreign(shown) == [], shown
    assert any("sudah terbaca di" in s and "dengan isi berbeda" in s for s in shown)


def _errors(doc: dict) -> str:
    with pytest.raises(ValidationError) as exc:
        Submission.model_validate(doc)
    return describe_errors(exc.value)


GOOD = {
    "submission_id": "s-1",
    "innovation": {"innovation_id": "JIP-1"},
    "agency_id": "35.10",
    "submitted_at": "2024-07-12T10:00:00+07:00",
    "changes": {"summary": "ringkas"},
}


@pytest.mark.parametrize(
    "changes",
    [
        {"status": "jalan"},
        {"sdgs": [0, 18]},
        {"replication_count": -1},
        {"video_url": "ftp://x"},
        {"replication_count": "tiga"},
        {"warna": "merah"},
        {},
    ],
)
def test_every_submission_error_the_model_writes_reads_in_indonesian(changes):
    reason = "invalid: " + _errors({**GOOD, "changes": changes})
    assert messages.submission_kind(reason) == "isian tidak sah"
    text = messages.submission_reason(reason)
    assert "nilai tidak sah" not in text, (reason, text)  # a known error, said specifically
    assert _foreign([text]) == [], (reason, text)


def test_the_apply_and_intake_reasons_read_in_indonesian():
    reasons = [
        "not authorized: agency 11.73 does not own innovation JIP-9EA84C0E9B (owner: 17.04 "
        "Kabupaten Kaur); the owner agency must submit this update",
        "unknown innovation: no innovation with id JIP-DOESNOTEXIST",
        "unknown innovation: KIPP record 000000 is not in JIPPNas",
        "unknown innovation: KIPP record 1 maps to JIP-1, which is not published",
        "invalid: changes.replicated_by: unknown agency id(s) 99.99, XX",
        "malformed document: " + shape_problem({"submission_id": "x"}),
        "malformed document: " + shape_problem([]),
        # intake's limits and conflicts
        "rate limit: agency '35.10' has sent 1,000 submissions in the last hour "
        "(JIPPNAS_SUBMIT_MAX_PER_AGENCY_HOUR); send this one again later",
        "conflict: submission_id 's-1' was already received with different content "
        "(the first one stands; send a new submission_id for a new update)",
        "malformed document: the file is 20,000,000 bytes, more than the limit of 10,000,000 "
        "(JIPPNAS_SUBMIT_MAX_FILE_BYTES); split it into smaller files",
        "malformed document: the file holds 20,000 documents, more than the limit of 10,000 "
        "(JIPPNAS_SUBMIT_MAX_DOCUMENTS); split it into smaller files",
        "malformed document: the file is not JSON (Expecting value: line 1 column 1 (char 0))",
        "malformed document: field 'changes.summary' is 90,000 characters long, more than the "
        "limit of 20,000 (JIPPNAS_SUBMIT_MAX_FIELD_CHARS)",
    ]
    texts = [messages.submission_reason(r) for r in reasons]
    assert _foreign(texts) == [], texts
    assert not [t for t in texts if "catatan operator" in t]
    assert "pemiliknya: 17.04 Kabupaten Kaur" in texts[0]
    assert "mengirim 1.000 pengajuan dalam satu jam terakhir" in texts[7]
    assert "ringkasan sepanjang 90.000 karakter" in texts[-1]
    assert [messages.submission_kind(r) for r in reasons[7:9]] == [
        "melebihi batas pengiriman per jam",
        "ID pengajuan sama dengan isi berbeda",
    ]


@pytest.mark.parametrize("name", ["harmonized_innovations", "portal_candidate"])
def test_every_gate_expectation_is_described_in_words(name):
    texts = []
    for e in suite(name)["expectations"]:
        msg = messages.expectation_message(e["type"], e["kwargs"].get("column"), e["meta"]["notes"])
        assert msg.code != "gerbang.lain", e
        texts.append(
            messages.expectation_text(e["type"], e["kwargs"].get("column"), e["meta"]["notes"])
        )
    assert _foreign(texts) == [], texts
    assert not [t for t in texts if "_" in t or "[" in t], texts  # no column names, no lists
    assert "Satu baris per inovasi" in texts
    assert messages.suite_label(name) != name


def test_review_questions_and_evidence_read_in_indonesian():
    shown = [
        messages.review_question("agency name 'Kantor Bersama Samsat Wilayah III' (type lembaga)"),
        messages.review_question("same innovation of 35.10? 'Gerai Sehat' / 'GERAI SEHAT Desa'"),
        messages.review_evidence("agency", "no agency matches 'UPT Pelayanan Terpadu'"),
        messages.review_evidence("agency", "ambiguous region name 'Bandung': 32.04 or 32.73"),
        messages.review_evidence("agency", "'Kota Denapsar' is a typo away from several regions"),
        messages.review_evidence("pair", "one acronym, two different expansions"),
        messages.review_kind("agency"),
        messages.review_kind("pair"),
    ]
    assert _foreign(shown) == [], shown
    assert "“UPT Pelayanan Terpadu”" in shown[2]


def test_unknown_text_is_never_shown_as_written():
    english = "the agency was not found in the record"
    for text in (
        messages.source_problem("KIPP", "other", None, english),
        messages.submission_reason(english),
        messages.review_evidence("agency", english),
        messages.expectation_text("expect_something_new", "title", english),
        messages.source_failure(english),
    ):
        assert english not in text and _foreign([text]) == [], text


def test_every_catalogue_entry_is_indonesian():
    words = re.compile(r"\{[a-z_]+\}")
    assert _foreign([words.sub("", t) for t in messages.MESSAGES.values()]) == []
