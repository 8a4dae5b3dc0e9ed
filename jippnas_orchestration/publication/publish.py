"""Publish a gated portal candidate: table swap in one transaction, files written aside and renamed.

Layout under $JIPPNAS_OUTPUT_DIR:
  portal/innovations.{csv,parquet,json}, portal/manifest.json   the published version
  portal_versions/<version>/...                                 every published version, for restore
The table `portal_innovations` swaps in one transaction; `portal_innovations_previous` keeps the
version before it.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from ..warehouse import Warehouse

FILES = ("innovations.csv", "innovations.parquet", "innovations.json")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def content_checksum(df: pd.DataFrame) -> str:
    """Checksum of the dataset's content, independent of when it was written."""
    return hashlib.sha256(df.to_csv(index=False).encode("utf-8")).hexdigest()


def _records_for_search(df: pd.DataFrame) -> list[dict]:
    out = df.astype(object).where(df.notna(), None).to_dict("records")
    for rec in out:
        rec["sdgs"] = [int(s) for s in rec["sdgs"].split(",")] if rec.get("sdgs") else []
        rec["sources"] = rec["sources"].split(",") if rec.get("sources") else []
        rec["awards"] = rec["awards"].split("; ") if rec.get("awards") else []
        rec["replicated_by"] = rec["replicated_by"].split(",") if rec.get("replicated_by") else []
    return out


def write_files(df: pd.DataFrame, directory: Path) -> dict[str, str]:
    directory.mkdir(parents=True, exist_ok=True)
    df.to_csv(directory / "innovations.csv", index=False)
    df.to_parquet(directory / "innovations.parquet", index=False)
    (directory / "innovations.json").write_text(
        json.dumps(_records_for_search(df), ensure_ascii=False, default=str), encoding="utf-8")
    return {name: _sha256(directory / name) for name in FILES}


def current_manifest(output_dir: Path) -> dict | None:
    path = output_dir / "portal" / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else None


def publish(warehouse: Warehouse, candidate: pd.DataFrame, output_dir: Path, gate: dict | None = None) -> dict:
    """Publish `candidate` as a new version unless it equals the published one."""
    checksum = content_checksum(candidate)
    previous = current_manifest(output_dir)
    if previous and previous.get("checksum") == checksum and warehouse.has_table("portal_innovations"):
        return {**previous, "unchanged": True}
    now = datetime.now(timezone.utc)
    version = f"{now.strftime('%Y%m%dT%H%M%SZ')}-{checksum[:8]}"
    archive = output_dir / "portal_versions" / version
    files = write_files(candidate, archive)
    manifest = {"version": version, "row_count": len(candidate), "checksum": checksum,
                "checksum_algorithm": "sha256 of the dataset as CSV", "files": files,
                "published_at": now.isoformat(timespec="seconds"),
                "previous_version": previous.get("version") if previous else None, "gate": gate or {}}
    (archive / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    _swap_table(warehouse, candidate)
    _install(archive, output_dir / "portal")
    return manifest


def _swap_table(warehouse: Warehouse, df: pd.DataFrame) -> None:
    with warehouse.begin() as conn:
        conn.exec_driver_sql('DROP TABLE IF EXISTS "portal_innovations_previous"')
        if sa.inspect(conn).has_table("portal_innovations"):
            conn.exec_driver_sql('ALTER TABLE "portal_innovations" RENAME TO "portal_innovations_previous"')
            if warehouse.is_postgres:
                conn.exec_driver_sql('ALTER TABLE "portal_innovations_previous" RENAME CONSTRAINT '
                                     '"portal_innovations_pkey" TO "portal_innovations_previous_pkey"')
        warehouse.replace_table("portal_innovations", df, primary_key=["innovation_id"], conn=conn)


def _install(archive: Path, portal: Path) -> None:
    """Copy each file next to its final name, then rename it into place; the manifest goes last."""
    portal.mkdir(parents=True, exist_ok=True)
    for name in (*FILES, "manifest.json"):
        tmp = portal / f".{name}.incoming"
        shutil.copyfile(archive / name, tmp)
        os.replace(tmp, portal / name)


def restore(warehouse: Warehouse, output_dir: Path, version: str) -> dict:
    """Put an archived version back in place: files and table."""
    archive = output_dir / "portal_versions" / version
    if not (archive / "manifest.json").exists():
        raise FileNotFoundError(f"no archived portal version {version!r} under {archive.parent}")
    df = pd.read_parquet(archive / "innovations.parquet")
    _swap_table(warehouse, df)
    _install(archive, output_dir / "portal")
    return json.loads((archive / "manifest.json").read_text())
