"""Publish a gated portal candidate: archive, table update (the commit point), then one atomic switch of files.

Layout under $JIPPNAS_OUTPUT_DIR:
  portal_versions/<version>/innovations.{csv,parquet,json}, manifest.json   one folder per version
  portal_versions/<version>/parts/<part>.{csv,json,parquet}                the same data by part
  portal -> portal_versions/<version>                                        a relative symlink
The manifest lists every part with its digest, rows and files (publication.parts). A new version
renders only the parts whose digest changed; the others are hard links to the published
version's files, and the combined files are the parts put together.
Order of a publication: (1) the archive folder is written aside and renamed into place whole;
(2) one transaction brings `portal_innovations` to the new version (the changed parts' rows, or
the whole table when it does not hold the version built on) and appends the version to
`portal_publications` — that commit is the publication; (3) the `portal` symlink is switched
with one rename. A process killed between (2) and (3) leaves the files one version behind the
table: `recover` (run before every publication and restore) rolls the files forward to the
committed version. Nothing is written at all unless `authorize` finds passing results of both
gate suites for exactly this content (quality_history).
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

from ..failpoints import failpoint
from ..incremental.digests import BY_PART, rows_of_parts
from ..incremental.digests import kept as digests_kept
from ..quality.retention import Retention, kept, parse_time
from ..schema import portal_publications
from ..warehouse import Tx, Warehouse
from .gatekeeper import PublicationRefused, authorize
from .parts import (
    CHECKSUM_ALGORITHM,
    FORMATS,
    PARTS_DIR,
    canonical,
    combine,
    content_checksum,  # noqa: F401  (re-exported: the gate and tests take it from here)
    csv_rows,
    dataset_checksum,
    json_text,
    part_digest,
    sha256_file,
    split,
    write_parts,
)

FILES = ("innovations.csv", "innovations.parquet", "innovations.json")
# what older archives may drop: rebuilt from their parts (or, before parts, from the Parquet)
REGENERATED = ("innovations.csv", "innovations.json")
VERSIONS = "portal_versions"
CANDIDATE = "portal_candidate"


class Content:
    """What a publication publishes, by part: every part's digest and rows; frames only where needed."""

    def __init__(self, columns: list[str], digests: dict[str, tuple[str, int]], load):
        self.columns = list(columns)
        self.digests = digests
        self._load = load  # parts -> {part: canonical frame}
        self._frames: dict[str, pd.DataFrame] = {}

    @property
    def checksum(self) -> str:
        return dataset_checksum(self.columns, {p: d for p, (d, _) in self.digests.items()})

    @property
    def rows(self) -> int:
        return sum(n for _, n in self.digests.values())

    def frames(self, parts) -> dict[str, pd.DataFrame]:
        wanted = set(parts) - set(self._frames)
        if wanted:
            self._frames |= self._load(wanted)
        return {p: self._frames[p] for p in sorted(set(parts))}

    def whole(self) -> pd.DataFrame:
        frames = list(self.frames(self.digests).values())
        return (
            pd.concat(frames, ignore_index=True)
            if frames
            else canonical(pd.DataFrame(columns=self.columns))
        )


def frame_content(df: pd.DataFrame) -> Content:
    """A whole dataset given as a DataFrame (tests, benchmarks, a table read whole)."""
    frame = canonical(df)
    parts = split(frame)
    digests = {p: (part_digest(csv_rows(f)), len(f)) for p, f in parts.items()}
    return Content(list(frame.columns), digests, lambda wanted: {p: parts[p] for p in wanted})


def candidate_content(warehouse: Warehouse, verify_all: bool = True) -> Content:
    """portal_candidate as its asset stored and validated it: the digests it recorded, each part's
    rows checked against its digest when read. `verify_all` reads and checks every part (a hand
    edit anywhere shows); otherwise only the parts published anew are read (submission runs)."""
    with warehouse.transaction() as tx:
        digests = digests_kept(tx, CANDIDATE)
        columns = tx.columns(CANDIDATE) if digests else None
    if not digests:  # built before parts: read it whole
        return frame_content(
            warehouse.read_sql(f'SELECT * FROM "{CANDIDATE}" ORDER BY innovation_id')
        )

    def load(wanted: set[str]) -> dict[str, pd.DataFrame]:
        with warehouse.transaction() as tx:
            if wanted == set(digests):
                rows = tx.conform(CANDIDATE, tx.query(f'SELECT * FROM "{CANDIDATE}"'))
            else:
                rows = rows_of_parts(tx, CANDIDATE, wanted)
        frames = split(canonical(rows))
        for part in sorted(wanted | (set(frames) if wanted == set(digests) else set())):
            got = part_digest(csv_rows(frames[part])) if part in frames else None
            if got != digests.get(part, (None,))[0]:
                raise PublicationRefused(
                    "portal_innovations refused to publish: the portal_candidate table is not what "
                    f"the portal_candidate asset built and validated (part {part} changed since); "
                    "materialize portal_candidate again. The published version stays in place."
                )
        return frames

    content = Content(columns, digests, load)
    if verify_all:
        content.frames(digests)
    return content


def write_files(
    df: pd.DataFrame, directory: Path, names: tuple[str, ...] = FILES
) -> dict[str, str]:
    """The three files of a version published before parts, rendered as they were then (before the
    formula-text policy too: these bytes must reproduce the sha256s of that version's manifest)."""
    directory.mkdir(parents=True, exist_ok=True)
    if "innovations.csv" in names:
        df.to_csv(directory / "innovations.csv", index=False)
    if "innovations.parquet" in names:
        df.to_parquet(directory / "innovations.parquet", index=False)
    if "innovations.json" in names:
        (directory / "innovations.json").write_text(json_text(df), encoding="utf-8")
    return {name: sha256_file(directory / name) for name in names}


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
    candidate: pd.DataFrame | Content,
    output_dir: Path,
    now: datetime | None = None,
    retention: Retention | None = None,
    extras: dict[str, bytes] | None = None,
) -> dict:
    """Publish `candidate` as a new version unless it equals the published one; refuse an unvalidated one.

    Only the parts whose content changed since the published version are rendered and written to
    the table; the other parts' files are linked from the published version. `extras` are further
    whole files of the version (opportunities.csv/json), listed in the manifest's `files`; a
    version whose extras differ from the published ones is new even with the same candidate."""
    recover(warehouse, output_dir)
    content = candidate if isinstance(candidate, Content) else frame_content(candidate)
    checksum = content.checksum
    previous = current_manifest(output_dir)
    gate = authorize(warehouse, checksum, content.rows, previous)
    extras = extras or {}
    sums = {name: hashlib.sha256(data).hexdigest() for name, data in extras.items()}
    if (
        previous
        and previous.get("checksum") == checksum
        and all(previous.get("files", {}).get(n) == h for n, h in sums.items())
        and warehouse.has_table("portal_innovations")
    ):
        return {**previous, "unchanged": True}
    now = now or datetime.now(timezone.utc)
    version = f"{now.strftime('%Y%m%dT%H%M%SZ')}-{checksum[:8]}"
    manifest = {
        "version": version,
        "row_count": content.rows,
        "checksum": checksum,
        "checksum_algorithm": CHECKSUM_ALGORITHM,
        "columns": content.columns,
        "files": {},
        "published_at": now.isoformat(timespec="seconds"),
        "previous_version": previous.get("version") if previous else None,
        "gate": gate,
        "parts": {},
    }
    base = _reusable(previous, versions_dir(output_dir), content.columns)
    redone = _write_archive(content, versions_dir(output_dir), manifest, base, extras)
    failpoint("publish.archived")
    _commit_table(warehouse, content, manifest, base, redone)
    failpoint("publish.table_swapped")
    _point_portal(output_dir, version)
    failpoint("publish.installed")
    prune(warehouse, output_dir, retention or Retention.from_env(), now)
    return manifest


def _reusable(previous: dict | None, root: Path, columns: list[str]) -> dict | None:
    """The published version's parts, if the new version may link them (same columns, files there)."""
    if not previous or not previous.get("parts") or previous.get("columns") != columns:
        return None
    folder = root / previous["version"] / PARTS_DIR
    if not folder.is_dir():
        return None
    return {"version": previous["version"], "folder": folder, "parts": previous["parts"]}


def _write_archive(
    content: Content, root: Path, manifest: dict, base: dict | None, extras: dict[str, bytes]
) -> list[str]:
    """Write the version's folder aside and rename it into place, so an archive is whole or absent.

    Parts whose digest equals the published version's are hard links to its files (immutable
    once published); the others are rendered. Returns the parts rendered."""
    final = root / manifest["version"]
    incoming = root / f".{manifest['version']}.incoming"
    shutil.rmtree(incoming, ignore_errors=True)
    folder = incoming / PARTS_DIR
    folder.mkdir(parents=True)
    old = base["parts"] if base else {}
    redone = [p for p, (d, _) in content.digests.items() if old.get(p, {}).get("digest") != d]
    frames = content.frames(redone)
    written = write_parts(frames, folder)
    for part, (digest, rows) in sorted(content.digests.items()):
        if part in written:
            files = written[part]
        else:
            for fmt in FORMATS:
                _link(base["folder"] / f"{part}.{fmt}", folder / f"{part}.{fmt}")
            files = old[part]["files"]
        manifest["parts"][part] = {"digest": digest, "rows": rows, "files": files}
    manifest["files"] = combine(folder, incoming, sorted(content.digests), content.columns)
    for name, data in sorted(extras.items()):
        (incoming / name).write_bytes(data)
        manifest["files"][name] = hashlib.sha256(data).hexdigest()
    (incoming / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    if (
        final.exists()
    ):  # the same content published again within one second: the folder is identical
        shutil.rmtree(incoming)
    else:
        os.replace(incoming, final)
    return sorted(frames)


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:  # a file system without hard links
        shutil.copy2(src, dst)


def _commit_table(
    warehouse: Warehouse,
    content: Content,
    manifest: dict,
    base: dict | None,
    redone: list[str],
) -> None:
    """The commit point: portal_innovations becomes the new version and the version is logged.

    When the table holds the version the new one was built on (the committed current version, with
    the same columns), only the rows of the parts rendered anew or gone are replaced; otherwise the
    whole table is."""
    with warehouse.begin() as conn:
        columns = (
            list(conn.exec_driver_sql('SELECT * FROM "portal_innovations" WHERE 1 = 0').keys())
            if sa.inspect(conn).has_table("portal_innovations")
            else None
        )
        current = conn.execute(
            sa.select(portal_publications.c.version)
            .order_by(portal_publications.c.publication_id.desc())
            .limit(1)
        ).scalar()
        if base and columns == content.columns and current == base["version"]:
            gone = set(base["parts"]) - set(content.digests)
            frames = list(content.frames(redone).values())
            Tx(warehouse, conn).delete_where_in("portal_innovations", BY_PART, set(redone) | gone)
            if frames:
                warehouse.insert_frame(conn, "portal_innovations", pd.concat(frames))
        else:
            conn.exec_driver_sql('DROP TABLE IF EXISTS "portal_innovations_previous"')  # pre-parts
            warehouse.replace_table(
                "portal_innovations", content.whole(), primary_key=["innovation_id"], conn=conn
            )
        _log_publication(conn, manifest, "publish")


def _log_publication(conn, manifest: dict, action: str) -> None:
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
    """Regenerate an archive's combined CSV and JSON if they were dropped; prove the bytes equal."""
    manifest = json.loads((archive / "manifest.json").read_text())
    missing = tuple(n for n in REGENERATED if not (archive / n).exists())
    if missing:
        tmp = archive / ".regenerating"
        shutil.rmtree(tmp, ignore_errors=True)
        if manifest.get("parts"):  # the parts put together again
            tmp.mkdir()
            sums = combine(
                archive / PARTS_DIR, tmp, sorted(manifest["parts"]), manifest["columns"], missing
            )
        else:  # published before parts: rendered again from the Parquet
            sums = write_files(pd.read_parquet(archive / "innovations.parquet"), tmp, missing)
        wrong = [n for n in missing if sums[n] != manifest["files"][n]]
        if wrong:
            shutil.rmtree(tmp)
            raise RuntimeError(
                f"{archive}: regenerating {', '.join(wrong)} did not reproduce the "
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
    with warehouse.begin() as conn:
        conn.exec_driver_sql('DROP TABLE IF EXISTS "portal_innovations_previous"')  # pre-parts
        warehouse.replace_table("portal_innovations", df, primary_key=["innovation_id"], conn=conn)
        _log_publication(conn, manifest, "restore")
    _point_portal(output_dir, version)
    return manifest


def compact(archive: Path) -> bool:
    """Drop the combined CSV and JSON from an older archive once they are proven to regenerate.

    With parts, the proof is that every part file they are put together from is there (part files
    are never rewritten once published); before parts, that the Parquet renders them byte for byte."""
    present = tuple(n for n in REGENERATED if (archive / n).exists())
    if not present:
        return False
    manifest = json.loads((archive / "manifest.json").read_text())
    if manifest.get("parts"):
        folder = archive / PARTS_DIR
        formats = [n.rsplit(".", 1)[1] for n in present]
        if not all((folder / f"{p}.{f}").is_file() for p in manifest["parts"] for f in formats):
            return False
    else:
        tmp = archive / ".verifying"
        shutil.rmtree(tmp, ignore_errors=True)
        sums = write_files(pd.read_parquet(archive / "innovations.parquet"), tmp, present)
        shutil.rmtree(tmp)
        if any(sums[n] != manifest["files"][n] for n in present):
            return False  # keep the published bytes rather than an archive that could not reproduce them
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
