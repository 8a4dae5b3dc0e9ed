"""Fetch the third-party files the Great Expectations Data Docs pages load, from their npm packages.

    .venv/bin/python scripts/vendor_data_docs_assets.py          # (re)write jippnas_orchestration/quality/data_docs_assets/
    .venv/bin/python scripts/vendor_data_docs_assets.py --check  # download again and compare with what is committed

Packages and versions are pinned in jippnas_orchestration/quality/data_docs.py (PACKAGES). `npm pack` checks each
tarball against the registry's integrity hash; the files taken are recorded in SHA256SUMS, and for the two scripts
GE's templates pin with SRI (popper.js, bootstrap.min.js) the npm bytes are checked against GE's hashes, i.e. they
are the very files the CDN serves. Writes THIRD_PARTY_LICENSES.md with each package's licence.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from jippnas_orchestration.quality.data_docs import ASSETS_DIR, CDN_FILES, PACKAGES, Package  # noqa: E402

GE_TEMPLATE = "render/view/templates/js_script_imports.j2"

# Licence texts for the two packages whose tarballs carry none (their package.json says the licence).
POPPER_MIT = """Copyright (C) Federico Zivolo 2017

Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
documentation files (the "Software"), to deal in the Software without restriction, including without limitation the
rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit
persons to whom the Software is furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or substantial portions of the
Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE
WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR
OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""
MISSING_LICENSE_NOTE = {
    "popper.js": (
        "The npm tarball has no licence file; package.json says MIT and popper.min.js's header says "
        '"Copyright (C) Federico Zivolo 2017. Distributed under the MIT License". The MIT text:',
        POPPER_MIT,
    ),
    "vega": (
        'The npm tarball has no licence file; package.json says BSD-3-Clause, author "UW Interactive Data Lab". '
        "The BSD-3-Clause text below is the one the same lab ships in vega-lite's LICENSE. vega.min.js also "
        "bundles its dependencies, among them d3 modules (ISC).",
        None,
    ),
}


def npm_pack(pkg: Package, dest: Path) -> tuple[Path, dict]:
    out = subprocess.run(
        ["npm", "pack", f"{pkg.name}@{pkg.version}", "--json", "--pack-destination", str(dest)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    info = json.loads(out)[0]
    return dest / info["filename"], info


def extract(tgz: Path, pkg: Package) -> dict[str, bytes]:
    wanted = [*pkg.files, *([pkg.license_file] if pkg.license_file else [])]
    got = {}
    with tarfile.open(tgz) as tar:
        for name in wanted:
            member = tar.getmember(
                f"package/{name}"
            )  # KeyError names a file the pinned version lacks
            got[name] = tar.extractfile(member).read()
    return got


def check_sri(files: dict[str, bytes]) -> None:
    import great_expectations

    template = (Path(great_expectations.__file__).parent / GE_TEMPLATE).read_text()
    for url, digest in re.findall(r'src="([^"]+)" integrity="sha384-([^"]+)"', template):
        data = files[CDN_FILES[url]]
        actual = base64.b64encode(hashlib.sha384(data).digest()).decode()
        if actual != digest:
            sys.exit(f"{CDN_FILES[url]} from npm differs from what GE pins for {url}")
        print(f"  SRI ok: {CDN_FILES[url]} = {url}")


def licences(packs: list[tuple[Package, dict, dict[str, bytes]]]) -> str:
    lines = [
        "# Third-party files shipped for the Great Expectations Data Docs",
        "",
        "Copied unchanged from their npm packages by `scripts/vendor_data_docs_assets.py` so that the Data Docs",
        "pages need no network; `data_docs.py` points the pages at them. SHA256SUMS lists every file.",
        "",
        "| package | version | licence | npm tarball integrity | files |",
        "|---|---|---|---|---|",
    ]
    for pkg, info, _ in packs:
        lines.append(
            f"| {pkg.name} | {pkg.version} | {pkg.spdx} | `{info['integrity']}` | "
            + ", ".join(f"`{f}`" for f in pkg.files)
            + " |"
        )
    lines.append("")
    vega_lite_text = next(
        files["LICENSE"] for p, _, files in packs if p.name == "vega-lite"
    ).decode()
    for pkg, _, files in packs:
        lines += [f"## {pkg.name} {pkg.version} ({pkg.spdx})", ""]
        if pkg.license_file:
            text = files[pkg.license_file].decode("utf-8", "replace")
            lines += [f"From the package's `{pkg.license_file}` (copied beside the files):", ""]
        else:
            note, text = MISSING_LICENSE_NOTE[pkg.name]
            text = text or vega_lite_text
            lines += [note, ""]
        lines += ["```", text.strip(), "```", ""]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--check", action="store_true", help="compare a fresh download with the committed files"
    )
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        packs = []
        for pkg in PACKAGES:
            tgz, info = npm_pack(pkg, Path(tmp))
            print(f"{pkg.name}@{pkg.version}: {info['integrity']}")
            packs.append((pkg, info, extract(tgz, pkg)))
    files = {pkg.local(name): data for pkg, _, got in packs for name, data in got.items()}
    check_sri(files)
    sums = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {path}\n" for path, data in sorted(files.items())
    )
    outputs = {
        **files,
        "SHA256SUMS": sums.encode(),
        "THIRD_PARTY_LICENSES.md": licences(packs).encode(),
    }
    if args.check:
        bad = [
            p
            for p, data in outputs.items()
            if not (ASSETS_DIR / p).exists() or (ASSETS_DIR / p).read_bytes() != data
        ]
        print("differs: " + ", ".join(bad) if bad else "committed assets match npm")
        return 1 if bad else 0
    for path, data in outputs.items():
        (ASSETS_DIR / path).parent.mkdir(parents=True, exist_ok=True)
        (ASSETS_DIR / path).write_bytes(data)
    print(
        f"wrote {len(files)} files, {sum(map(len, files.values())) / 1e6:.2f} MB, to {ASSETS_DIR}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
