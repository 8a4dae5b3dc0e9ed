"""Replace a file whole: readers (a web server, a browser) see the old file or the new one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """Yield a hidden sibling of `path` to write; rename it over `path` when the block succeeds."""
    tmp = path.with_name(f".{path.name}.incoming")
    try:
        yield tmp
        os.replace(tmp, path)  # atomic within one file system, hence the sibling
    finally:
        tmp.unlink(missing_ok=True)


def write_text_replacing(path: Path, text: str) -> None:
    with replacing(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
