"""fileio.replacing: a file is replaced whole or not at all, and leaves no temporary file behind."""

import pytest

from jippnas_orchestration.fileio import replacing, write_text_replacing


def test_a_failed_write_keeps_the_old_file_and_leaves_nothing_behind(tmp_path):
    page = tmp_path / "site" / "index.html"
    page.parent.mkdir()
    write_text_replacing(page, "lama")
    with pytest.raises(RuntimeError), replacing(page) as tmp:
        tmp.write_text("setengah")
        raise RuntimeError("render failed halfway")
    assert page.read_text() == "lama"
    assert [p.name for p in page.parent.iterdir()] == ["index.html"]


def test_a_finished_write_replaces_the_file(tmp_path):
    page = tmp_path / "site" / "index.html"
    page.parent.mkdir()
    page.write_text("lama")
    with replacing(page) as tmp:
        # a hidden sibling: same file system, so the rename is atomic
        assert tmp.parent == page.parent and tmp.name.startswith(".")
        tmp.write_bytes(b"baru")
    assert page.read_text() == "baru" and [p.name for p in page.parent.iterdir()] == ["index.html"]
