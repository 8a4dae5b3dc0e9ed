"""The sample generator: deterministic, calibrated to contract section 7, scalable."""

import csv
import json

from jippnas_orchestration.generator.write import generate


def test_regenerated_sample_is_identical(tmp_path, sample_dir):
    generate(tmp_path, scale=1, seed=2024)
    ours = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    bundled = sorted(p.relative_to(sample_dir) for p in sample_dir.rglob("*") if p.is_file())
    assert ours == bundled
    for rel in ours:  # byte for byte: the workbooks' zip timestamps are pinned too
        assert (tmp_path / rel).read_bytes() == (sample_dir / rel).read_bytes(), rel


def test_sample_is_calibrated_to_the_published_figures(sample_dir):
    summary = json.loads((sample_dir / "SAMPLE.json").read_text())
    assert (summary["kipp_entries"], summary["kipp_distinct"]) == (1065, 973)
    assert (summary["kipp_pending"], summary["kipp_pending_agencies"]) == (130, 30)
    assert 2700 <= summary["distinct_innovations"] <= 3100
    with (sample_dir / "ground_truth.csv").open() as fh:
        truth = list(csv.DictReader(fh))
    kipp_ok = [t for t in truth if t["source"] == "KIPP" and t["expected"] == "ok"]
    assert len(kipp_ok) == 1065 and len({t["innovation_key"] for t in kipp_ok}) == 973


def test_other_seeds_differ_and_scale_grows(tmp_path):
    a = generate(tmp_path / "a", scale=1, seed=7)
    b = generate(tmp_path / "b", scale=2, seed=7)
    assert a["kipp_distinct"] == 973 and b["kipp_distinct"] == 2 * 973
    assert b["source_records"] > 1.9 * a["source_records"]
    assert (tmp_path / "a" / "inolan.csv").read_bytes() != (
        tmp_path / "b" / "inolan.csv"
    ).read_bytes()


def test_large_vocabulary_keeps_titles_of_one_agency_apart():
    """From LARGE_SCALE on one agency holds thousands of innovations; their titles still never look
    alike (token_sort_ratio < 80, checked here independently over every pair)."""
    import random

    import numpy as np
    from rapidfuzz import fuzz, process

    from jippnas_orchestration.generator import words
    from jippnas_orchestration.generator.entities import TitleFactory

    factory = TitleFactory(random.Random(3), words.LARGE)
    titles = [factory.new("35.10")[1].lower() for _ in range(2500)]
    scores = process.cdist(titles, titles, scorer=fuzz.token_sort_ratio, dtype=np.float32)
    np.fill_diagonal(scores, 0)
    assert scores.max() < 80


def test_large_scale_path_gives_consistent_sources_and_truth(tmp_path, monkeypatch):
    from jippnas_orchestration.generator import build

    monkeypatch.setattr(build, "LARGE_SCALE", 2)  # the scale-300 code path, on a small set
    summary = generate(tmp_path, scale=2, seed=5)
    with (tmp_path / "ground_truth.csv").open() as fh:
        truth = list(csv.DictReader(fh))
    assert (
        len(truth) == summary["source_records"] - 10
    )  # the 10 repeated and conflicting rows have no truth row of their own
    iga_ids = [
        rec["id"]
        for page in (tmp_path / "iga").glob("*/page-*.json")
        for rec in json.loads(page.read_text())["data"]
    ]
    assert len(iga_ids) == summary["iga_records"]
    truth_iga = {t["source_record_id"] for t in truth if t["source"] == "IGA"}
    assert set(iga_ids) == truth_iga and len(truth_iga) == summary["iga_records"] - 4
    assert summary["kipp_distinct"] == 2 * 973
