"""Failpoints for the fault drills: hold a process at a named point so a test can kill it there.

`JIPPNAS_FAILPOINT=name:/path/marker` makes the first process that reaches `name` create the
marker file and wait until the file `marker.release` exists (or forever); later processes pass,
so a retried run goes through. Unset (always, outside the drills) it costs one environment lookup.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def failpoint(name: str) -> None:
    spec = os.environ.get("JIPPNAS_FAILPOINT")
    if not spec or not spec.startswith(name + ":"):
        return
    marker = Path(spec.split(":", 1)[1])
    try:
        with marker.open("x") as fh:  # exclusive create: only the first process stops here
            fh.write(str(os.getpid()))
    except FileExistsError:
        return
    release = marker.with_name(marker.name + ".release")
    while not release.exists():
        time.sleep(0.05)
