"""Fingerprint of the published outputs: a whole run, then a submission run (incremental path).

    python scripts/portal_fingerprint.py DATA_DIR WORK_DIR

Runs `--select '*'` on DATA_DIR (kipp/, iga/, inolan.csv, submissions/) with a fixed clock into a
fresh SQLite warehouse under WORK_DIR, submits DATA_DIR/submissions/*.json, runs submission_job,
and prints the sha256 of every portal file (manifests without their times and evaluation ids). Two releases
that print the same lines published the same bytes: the check behind "no behaviour change".
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

BIN = Path(sys.executable).parent
# a manifest's times and evaluation ids differ from run to run; everything else must not
VOLATILE = {"published_at", "evaluated_at", "evaluation_id", "version", "previous_version"}


def _stable(value):
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [_stable(v) for v in value]
    return value


def _content(path: Path) -> bytes:
    if path.name != "manifest.json":
        return path.read_bytes()
    return json.dumps(_stable(json.loads(path.read_text())), sort_keys=True).encode()


CLOCK = "2026-12-06T10:00:00"


def main(data: Path, work: Path) -> None:
    shutil.rmtree(work, ignore_errors=True)
    (work / "home").mkdir(parents=True)
    env = dict(
        os.environ,
        DAGSTER_HOME=str(work / "home"),
        JIPPNAS_WAREHOUSE_URL=f"sqlite:///{work / 'warehouse.sqlite'}",
        JIPPNAS_KIPP_SOURCE=str(data / "kipp"),
        JIPPNAS_IGA_SOURCE=str(data / "iga"),
        JIPPNAS_INOLAN_SOURCE=str(data / "inolan.csv"),
        JIPPNAS_OUTPUT_DIR=str(work / "output"),
        JIPPNAS_CLOCK=CLOCK,
    )
    root = Path(__file__).resolve().parents[1]

    def run(*args: str) -> None:
        subprocess.run(args, cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)

    module = ("-m", "jippnas_orchestration.definitions")
    run(str(BIN / "dagster"), "asset", "materialize", *module, "--select", "*")
    subs = sorted((data / "submissions").glob("*.json"))
    if subs:
        subprocess.run([str(BIN / "jippnas"), "submit", *map(str, subs)], env=env, cwd=root)
        run(str(BIN / "dagster"), "job", "execute", *module, "-j", "submission_job")
    portal = work / "output" / "portal"
    for path in sorted(p for p in portal.rglob("*") if p.is_file()):
        digest = hashlib.sha256(_content(path)).hexdigest()
        print(f"{digest}  {path.relative_to(portal)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve())
