"""`dagster definitions validate` loads the code location as the webserver and daemon do."""

import subprocess
import sys
from pathlib import Path

import pytest

from jippnas_orchestration.settings import PROJECT_ROOT

DAGSTER = Path(sys.executable).parent / "dagster"


def validate(*target: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(DAGSTER), "definitions", "validate", *target],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.subprocess
def test_the_code_location_validates():
    done = validate("-m", "jippnas_orchestration.definitions")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "All code locations passed validation" in done.stdout + done.stderr


@pytest.mark.subprocess
def test_a_broken_location_fails_validation(tmp_path):
    # an asset whose resource is missing: the command must say so, or the test above proves nothing
    bad = tmp_path / "broken_defs.py"
    bad.write_text(
        "from dagster import Definitions, asset\n\n"
        "@asset(required_resource_keys={'warehouse'})\ndef needs_warehouse():\n    return 1\n\n"
        "defs = Definitions(assets=[needs_warehouse])\n"
    )
    done = validate("-f", str(bad))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "warehouse" in done.stdout + done.stderr
