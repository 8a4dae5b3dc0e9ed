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
    assert (tmp_path / "a" / "inolan.csv").read_bytes() != (tmp_path / "b" / "inolan.csv").read_bytes()
