"""Publish a gated portal candidate: archive, table swap (the commit point), then one atomic switch of files.

Layout under $JIPPNAS_OUTPUT_DIR:
  portal_versions/<version>/innovations.{csv,parquet,json}, manifest.json   one folder per version
  portal -> portal_versions/<version>                                        a relative symlink
Order of a publication: (1) the archive folder is written aside and renamed into place whole;
(2) one transaction swaps `portal_innovations` (the version before it goes to
`portal_innovations_previous`) and appends the version to `portal_publications` — that commit
is the publication; (3) the `portal` symlink is switched with one rename. A process killed
between (2) and (3) leaves the files one version behind the table: `recover` (run before every
publication and restore) rolls the files forward to the committed version.
Nothing is written at all unless `authorize` finds passing results of both gate suites for
exactly this content (quality_history).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from ..schema import portal_publications
from ..testing.failpoints import failpoint
from ..warehouse import Warehouse
from .gatekeeper import authorize
from .retention import Retention, kept, parse_time

FILES = ("innovations.csv", "innovations.parquet", "innovations.json")
REGENERATED = (
    "innovations.csv",
    "innovations.json",
)  # what archives may drop: rebuilt from Parquet
VERSIONS = "portal_versions"


def _sha256(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


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
        if "similar" in rec:  # versions published before issue 13 have neither column
            rec["similar"] = rec["similar"].split(",") if rec["similar"] else []
        if "provenance" in rec:
            rec["provenance"] = json.loads(rec["provenance"]) if rec["provenance"] else {}
    return out


def write_files(
    df: pd.DataFrame, directory: Path, names: tuple[str, ...] = FILES
) -> dict[str, str]:
    directory.mkdir(parents=True, exist_ok=True)
    if "innovations.csv" in names:
        df.to_csv(directory / "innovations.csv", index=False)
    if "innovations.parquet" in names:
        df.to_parquet(directory / "innovations.parquet", index=False)
    if "innovations.json" in names:
        (directory / "innovations.json").write_text(
            json.dumps(_records_for_search(df), ensure_ascii=False, default=str), encoding="utf-8"
        )
    return {name: _sha256(directory / name) for name in names}


def versions_dir(output_dir: Path) -> Path:
    return output_dir / VERSIONS


def current_manifest(output_dir: Path) -> dict | None:
    path = output_dir / "portal" / "manifest.json"
    return json.loads(path.read_text()) if path.exists() else None


def publications(warehouse: Warehouse) -> pd.DataFrame:
    return warehouse.read_sql(
        "SELECT publication_id, version, checksum, row_count, published_at, action, gate "
        "FROM portal_publications ORDER BY publication_id"
    )


def committed_versions(warehouse: Warehouse) -> tuple[str | None, str | None]:
    """(current, previous): the versions the table holds now and held before, as committed."""
    log = publications(warehouse)
    if log.empty:
        return None, None
    current = log["version"].iloc[-1]
    earlier = log[log["version"] != current]["version"]
    return current, (earlier.iloc[-1] if not earlier.empty else None)


def publish(
    warehouse: Warehouse,
    candidate: pd.DataFrame,
    output_dir: Path,
    now: datetime | None = None,
    retention: Retention | None = None,
) -> dict:
    """Publish `candidate` as a new version unless it equals the published one; refuse an unvalidated one."""
    recover(warehouse, output_dir)
    checksum = content_checksum(candidate)
    gate = authorize(warehouse, checksum, len(candidate), current_manifest(output_dir))
    previous = current_manifest(output_dir)
    if (
        previous
        and previous.get("checksum") == checksum
        and warehouse.has_table("portal_innovations")
    ):
        return {**previous, "unchanged": True}
    now = now or datetime.now(timezone.utc)
    version = f"{now.strftime('%Y%m%dT%H%M%SZ')}-{checksum[:8]}"
    manifest = {
        "version": version,
        "row_count": len(candidate),
        "checksum": checksum,
        "checksum_algorithm": "sha256 of the dataset as CSV",
        "files": {},
        "published_at": now.isoformat(timespec="seconds"),
        "previous_version": previous.get("version") if previous else None,
        "gate": gate,
    }
    _write_archive(candidate, versions_dir(output_dir), manifest)
    failpoint("publish.archived")
    _swap_table(warehouse, candidate, manifest, "publish")
    failpoint("publish.table_swapped")
    _point_portal(output_dir, version)
    failpoint("publish.installed")
    prune(warehouse, output_dir, retention or Retention.from_env(), now)
    return manifest


def _write_archive(df: pd.DataFrame, root: Path, manifest: dict) -> Path:
    """Write the version's folder aside and rename it into place, so an archive is whole or absent."""
    final = root / manifest["version"]
    incoming = root / f".{manifest['version']}.incoming"
    shutil.rmtree(incoming, ignore_errors=True)
    manifest["files"] = write_files(df, incoming)
    (incoming / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    if (
        final.exists()
    ):  # the same content published again within one second: the folder is identical
        shutil.rmtree(incoming)
    else:
        os.replace(incoming, final)
    return final


def _swap_table(warehouse: Warehouse, df: pd.DataFrame, manifest: dict, action: str) -> None:
    with warehouse.begin() as conn:
        conn.exec_driver_sql('DROP TABLE IF EXISTS "portal_innovations_previous"')
        if sa.inspect(conn).has_table("portal_innovations"):
            conn.exec_driver_sql(
                'ALTER TABLE "portal_innovations" RENAME TO "portal_innovations_previous"'
            )
            if warehouse.is_postgres:
                conn.exec_driver_sql(
                    'ALTER TABLE "portal_innovations_previous" RENAME CONSTRAINT '
                    '"portal_innovations_pkey" TO "portal_innovations_previous_pkey"'
                )
        warehouse.replace_table("portal_innovations", df, primary_key=["innovation_id"], conn=conn)
        conn.execute(
            portal_publications.insert().values(
                version=manifest["version"],
                checksum=manifest["checksum"],
                row_count=manifest["row_count"],
                published_at=manifest["published_at"]
                if action == "publish"
                else datetime.now(timezone.utc).isoformat(timespec="seconds"),
                action=action,
                gate=json.dumps(manifest.get("gate") or {}),
            )
        )


def _point_portal(output_dir: Path, version: str) -> None:
    """Switch `portal` to the version's folder with one rename (readers see the old set or the new set)."""
    portal = output_dir / "portal"
    link = output_dir / ".portal.incoming"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(Path(VERSIONS) / version, target_is_directory=True)
    if portal.is_dir() and not portal.is_symlink():  # the layout before symlinks: a plain folder
        shutil.rmtree(portal)
    os.replace(link, portal)


def portal_version(output_dir: Path) -> str | None:
    """The version the `portal` files are, as their manifest says."""
    manifest = current_manifest(output_dir)
    return manifest.get("version") if manifest else None


def ensure_full(archive: Path) -> dict:
    """Regenerate an archive's CSV and JSON from its Parquet if they were dropped; prove the bytes equal."""
    manifest = json.loads((archive / "manifest.json").read_text())
    missing = tuple(n for n in REGENERATED if not (archive / n).exists())
    if missing:
        df = pd.read_parquet(archive / "innovations.parquet")
        tmp = archive / ".regenerating"
        shutil.rmtree(tmp, ignore_errors=True)
        sums = write_files(df, tmp, missing)
        wrong = [n for n in missing if sums[n] != manifest["files"][n]]
        if wrong:
            shutil.rmtree(tmp)
            raise RuntimeError(
                f"{archive}: regenerating {', '.join(wrong)} from Parquet did not reproduce the "
                "published bytes (sha256 differs from manifest.json)"
            )
        for name in missing:
            os.replace(tmp / name, archive / name)
        tmp.rmdir()
    return manifest


def recover(warehouse: Warehouse, output_dir: Path) -> str | None:
    """Roll the files forward to the version the table committed, after a publication was cut short."""
    current, _ = committed_versions(warehouse)
    if current is None or portal_version(output_dir) == current:
        return None
    archive = versions_dir(output_dir) / current
    if not (archive / "manifest.json").exists():
        raise RuntimeError(
            f"portal_innovations holds version {current}, but its archive {archive} is missing; "
            "restore a kept version with `jippnas portal-restore VERSION`"
        )
    ensure_full(archive)
    _point_portal(output_dir, current)
    return current


def restore(warehouse: Warehouse, output_dir: Path, version: str) -> dict:
    """Put an archived version back in place: files and table (an operator's decision: no gate)."""
    recover(warehouse, output_dir)
    archive = versions_dir(output_dir) / version
    if not (archive / "manifest.json").exists():
        raise FileNotFoundError(f"no archived portal version {version!r} under {archive.parent}")
    manifest = ensure_full(archive)
    df = pd.read_parquet(archive / "innovations.parquet")
    _swap_table(warehouse, df, manifest, "restore")
    _point_portal(output_dir, version)
    return manifest


def compact(archive: Path) -> bool:
    """Drop CSV and JSON from an older archive once its Parquet is proven to regenerate them byte for byte."""
    present = tuple(n for n in REGENERATED if (archive / n).exists())
    if not present:
        return False
    manifest = json.loads((archive / "manifest.json").read_text())
    tmp = archive / ".verifying"
    shutil.rmtree(tmp, ignore_errors=True)
    sums = write_files(pd.read_parquet(archive / "innovations.parquet"), tmp, present)
    shutil.rmtree(tmp)
    if any(sums[n] != manifest["files"][n] for n in present):
        return (
            False  # keep the published bytes rather than an archive that could not reproduce them
        )
    for name in present:
        (archive / name).unlink()
    return True


def archived_versions(output_dir: Path) -> dict[str, datetime]:
    root = versions_dir(output_dir)
    found = {}
    for d in sorted(root.iterdir()) if root.exists() else []:
        if d.is_dir() and not d.name.startswith(".") and (d / "manifest.json").exists():
            found[d.name] = parse_time(
                json.loads((d / "manifest.json").read_text())["published_at"]
            )
    return found


def _uncommitted(versions: dict[str, datetime], warehouse: Warehouse) -> set[str]:
    """Archives written by a publication killed before its commit (older archives predate the log)."""
    log = publications(warehouse)
    if log.empty:
        return set()
    since = parse_time(log["published_at"].iloc[0]) - timedelta(minutes=5)
    return {v for v, at in versions.items() if at >= since and v not in set(log["version"])}


def prune(warehouse: Warehouse, output_dir: Path, policy: Retention, now: datetime) -> dict:
    """Apply the retention to portal_versions/: delete what it does not keep, reduce older archives to Parquet."""
    current, previous = committed_versions(warehouse)
    pinned = {v for v in (current, previous, portal_version(output_dir)) if v}
    versions = archived_versions(output_dir)
    orphans = _uncommitted(versions, warehouse)
    keep = kept(((v, at) for v, at in versions.items() if v not in orphans), policy, now, pinned)
    root = versions_dir(output_dir)
    removed = []
    for name in sorted(set(versions) - keep):
        trash = root / f".{name}.deleting"
        os.replace(root / name, trash)  # gone from the listing at once; the bytes go next
        shutil.rmtree(trash)
        removed.append(name)
    for leftover in root.glob(".*"):  # folders of a publication or deletion cut short
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
    compacted = [name for name in sorted(keep - pinned) if compact(root / name)]
    return {"removed": removed, "compacted": compacted}
