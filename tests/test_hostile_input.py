"""Hostile and broken input to `jippnas submit`: each ends stored or rejected with a message naming
the file (and the document and field where it applies), and nothing else of the batch is lost."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from jippnas_orchestration.submissions.intake import submit_files
from jippnas_orchestration.warehouse import Warehouse

from .submission_fixtures import doc, seed_warehouse


def _submit(wh: Warehouse, *paths: Path) -> tuple[int, str]:
    out = io.StringIO()
    code = submit_files(list(paths), out, wh)
    return code, out.getvalue()


def _cli(url: str, *paths: Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "jippnas_orchestration.cli", "submit", *map(str, paths)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={"JIPPNAS_WAREHOUSE_URL": url, "PATH": str(Path(sys.executable).parent), **(env or {})},
    )


def _states(wh: Warehouse) -> dict[str, tuple[str, str | None]]:
    df = wh.read_table("innovation_submissions")
    return {
        r.submission_id: (r.state, r.reason if isinstance(r.reason, str) else None)
        for r in df.itertuples()
    }


def _write(path: Path, docs) -> Path:
    path.write_text(json.dumps(docs))
    return path


@pytest.mark.subprocess
def test_deeply_nested_documents_are_rejected_not_a_traceback(sqlite_url, tmp_path):
    wh = seed_warehouse(sqlite_url)
    good = doc()
    # one document 100,000 levels deep between two good ones: only it is rejected
    mixed = tmp_path / "mixed.json"
    mixed.write_text(
        "[" + json.dumps(good) + "," + "[" * 100_000 + "]" * 100_000 + "," + json.dumps(doc()) + "]"
    )
    code, out = _submit(wh, mixed)
    assert code == 1
    assert f"rejected: {mixed}[1]: document nested deeper than 32 levels" in out
    assert "2 stored as pending, 0 already received, 1 rejected" in out
    states = _states(wh)
    assert states[good["submission_id"]] == ("pending", None)
    assert sum(s == "rejected" for s, _ in states.values()) == 1
    # a whole file of 100,000 levels, through the command: a message, no traceback
    deep = tmp_path / "deep.json"
    deep.write_text('{"a":' * 100_000 + "1" + "}" * 100_000)
    proc = _cli(sqlite_url, deep)
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 1, stdout + stderr
    assert "Traceback" not in stderr and "RecursionError" not in stdout + stderr
    assert f"rejected: {deep}: document nested deeper than 32 levels" in stdout
    assert "0 stored as pending, 0 already received, 1 rejected" in stdout
    assert len(_states(wh)) == 4


def test_oversized_file_is_rejected_unread_and_other_files_stored(
    sqlite_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("JIPPNAS_SUBMIT_MAX_FILE_BYTES", "5000")
    wh = seed_warehouse(sqlite_url)
    small = _write(tmp_path / "small.json", [doc()])
    big_docs = [doc() for _ in range(30)]
    big = _write(tmp_path / "big.json", big_docs)
    assert big.stat().st_size > 5000
    code, out = _submit(wh, big, small)
    assert code == 1
    assert f"error: {big}: the file is {big.stat().st_size:,} bytes, more than the limit" in out
    assert "JIPPNAS_SUBMIT_MAX_FILE_BYTES" in out
    assert "1 stored as pending, 0 already received, 1 rejected" in out
    states = _states(wh)
    assert sorted(s for s, _ in states.values()) == ["pending", "rejected"]
    assert not any(d["submission_id"] in states for d in big_docs)
    assert any("more than the limit" in (r or "") for s, r in states.values() if s == "rejected")


def test_too_many_documents_in_a_file_are_rejected_as_a_whole(sqlite_url, tmp_path, monkeypatch):
    monkeypatch.setenv("JIPPNAS_SUBMIT_MAX_DOCUMENTS", "3")
    wh = seed_warehouse(sqlite_url)
    many = _write(tmp_path / "many.json", [doc() for _ in range(4)])
    ok = _write(tmp_path / "ok.json", [doc() for _ in range(3)])
    code, out = _submit(wh, many, ok)
    assert code == 1
    assert f"error: {many}: the file holds 4 documents, more than the limit of 3" in out
    assert "JIPPNAS_SUBMIT_MAX_DOCUMENTS" in out
    assert "3 stored as pending, 0 already received, 1 rejected" in out
    assert sorted(s for s, _ in _states(wh).values()) == ["pending"] * 3 + ["rejected"]


def test_an_agency_beyond_its_hourly_allowance_is_rejected_and_kept(
    sqlite_url, tmp_path, monkeypatch
):
    monkeypatch.setenv("JIPPNAS_SUBMIT_MAX_PER_AGENCY_HOUR", "3")
    wh = seed_warehouse(sqlite_url)
    first = [doc(agency_id="35.10") for _ in range(2)]
    second = [doc(agency_id="35.10") for _ in range(2)] + [doc(agency_id="35.78")]
    one = _write(tmp_path / "one.json", first)
    two = _write(tmp_path / "two.json", second)
    assert _submit(wh, one)[0] == 0
    code, out = _submit(wh, two)
    assert code == 1
    assert f"rejected: {two}[1]: rate limit: agency '35.10' has sent 3 submissions" in out
    assert "JIPPNAS_SUBMIT_MAX_PER_AGENCY_HOUR" in out
    assert "2 stored as pending, 0 already received, 1 rejected" in out
    states = _states(wh)
    assert states[second[0]["submission_id"]] == ("pending", None)
    assert states[second[2]["submission_id"]] == ("pending", None)  # another agency's allowance
    assert second[1]["submission_id"] not in states
    kept = [r for s, r in states.values() if s == "rejected"]
    assert len(kept) == 1 and kept[0].startswith("rate limit")
    # resending what was already stored is a no-op, not counted against the allowance
    code, out = _submit(wh, one)
    assert code == 0 and "0 stored as pending, 2 already received, 0 rejected" in out


def test_overlong_field_rejects_its_document_naming_the_field(sqlite_url, tmp_path):
    wh = seed_warehouse(sqlite_url)
    docs = [doc(), doc(changes={"summary": "x" * 5_000_000}), doc()]
    path = _write(tmp_path / "long.json", docs)
    code, out = _submit(wh, path)
    assert code == 1
    assert (
        f"rejected: {path}[1]: field 'changes.summary' is 5,000,000 characters long, "
        "more than the limit of 20,000 (JIPPNAS_SUBMIT_MAX_FIELD_CHARS)"
    ) in out
    states = _states(wh)
    assert states[docs[0]["submission_id"]][0] == states[docs[2]["submission_id"]][0] == "pending"
    assert docs[1]["submission_id"] not in states
    (rejected,) = [sid for sid, (s, _) in states.items() if s == "rejected"]
    kept = Warehouse(sqlite_url).read_sql(
        f"SELECT payload FROM innovation_submissions WHERE submission_id = '{rejected}'"
    )["payload"][0]
    assert len(kept) < 25_000  # kept, with the overlong text cut to the limit


def test_non_utf8_file_is_rejected_and_counted(sqlite_url, tmp_path):
    wh = seed_warehouse(sqlite_url)
    latin = tmp_path / "latin1.json"
    latin.write_bytes(
        json.dumps([doc(changes={"summary": "Café"})], ensure_ascii=False).encode("latin-1")
    )
    ok = _write(tmp_path / "ok.json", [doc()])
    code, out = _submit(wh, latin, ok)
    assert code == 1
    assert f"error: {latin}: not UTF-8; kept as a rejected submission" in out
    assert "1 stored as pending, 0 already received, 1 rejected" in out
    states = _states(wh)
    assert sorted(s for s, _ in states.values()) == ["pending", "rejected"]
    assert any("not UTF-8" in (r or "") for r in (r for _, r in states.values()))


def test_same_id_different_content_is_a_reported_conflict(sqlite_url, tmp_path):
    wh = seed_warehouse(sqlite_url)
    first = doc(changes={"outcomes": "Pertama"}, sid="dup-001")
    a = _write(tmp_path / "a.json", [first])
    b = _write(tmp_path / "b.json", [doc(), dict(first, changes={"outcomes": "Kedua"})])
    assert _submit(wh, a)[0] == 0
    code, out = _submit(wh, b)
    assert code == 1
    assert f"rejected: {b}[1]: conflict: submission_id 'dup-001' was already received" in out
    assert "1 stored as pending, 0 already received, 1 rejected" in out
    # an identical resend stays a no-op
    code, out = _submit(wh, a)
    assert code == 0 and "0 stored as pending, 1 already received, 0 rejected" in out
    states = _states(wh)
    assert states["dup-001"] == ("pending", None)
    payload = wh.read_sql(
        "SELECT payload FROM innovation_submissions WHERE submission_id = 'dup-001'"
    )["payload"][0]
    assert json.loads(payload)["changes"] == {"outcomes": "Pertama"}
    conflicts = [r for sid, (s, r) in states.items() if sid.startswith("conflict-")]
    assert len(conflicts) == 1 and "dup-001" in conflicts[0]
    assert len(states) == 3


@pytest.mark.subprocess
def test_concurrent_submitters_with_the_same_id(warehouse_url, tmp_path):
    """Two processes send the same submission_id with different content at once: one is stored,
    the other is reported as a conflict (exit 1), whichever wins; both are kept."""
    wh = seed_warehouse(warehouse_url)
    for round_ in range(3):
        sid = f"race-{round_}"
        files = [
            _write(tmp_path / f"{round_}-{i}.json", [doc(changes={"outcomes": f"v{i}"}, sid=sid)])
            for i in range(2)
        ]
        procs = [_cli(warehouse_url, f) for f in files]
        results = [(p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for p in procs]
        for p in procs:
            p.stdout.close()
            p.stderr.close()
        assert sorted(code for code, _, _ in results) == [0, 1], results
        (loser,) = [(out, f) for (code, out, _), f in zip(results, files) if code == 1]
        assert f"rejected: {loser[1]}[0]: conflict: submission_id '{sid}'" in loser[0]
        assert "0 stored as pending, 0 already received, 1 rejected" in loser[0]
    states = _states(wh)
    assert [states[f"race-{r}"][0] for r in range(3)] == ["pending"] * 3
    assert sum(sid.startswith("conflict-") for sid in states) == 3


def test_path_like_ids_are_rejected_and_the_rest_stored(sqlite_url, tmp_path):
    """A guard (already so before the limits): ids that look like paths never become keys."""
    wh = seed_warehouse(sqlite_url)
    bad_ids = ["../../etc/passwd", "a/b", "..\\x", "/abs", ""]
    docs = [doc(sid=s) for s in bad_ids] + [doc()]
    for d, s in zip(docs, bad_ids):
        d["submission_id"] = s
    path = _write(tmp_path / "paths.json", docs)
    code, out = _submit(wh, path)
    assert code == 1
    for i in range(len(bad_ids)):
        assert f"rejected: {path}[{i}]: 'submission_id' must be text" in out
    states = _states(wh)
    assert states[docs[-1]["submission_id"]] == ("pending", None)
    assert not set(bad_ids) & set(states)
    assert sorted(s for s, _ in states.values()) == ["pending"] + ["rejected"] * len(bad_ids)
