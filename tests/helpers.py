"""Running the real pipeline from tests, and reading what it wrote: the published files searched
for personal values, the follow-up workbook's texts and formula cells."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import zipfile
from html import unescape
from pathlib import Path

from dagster import materialize

from resources import SourcesResource, WarehouseResource


def pipeline_defs():
    from jippnas_orchestration.definitions import defs

    return list(defs.assets) + list(defs.asset_checks or [])


def run_pipeline(
    warehouse_url: str, sources_dir: Path, selection=None, raise_on_error: bool = True, **kwargs
):
    from jippnas_orchestration.definitions import defs

    resources = dict(defs.resources)
    resources["warehouse"] = WarehouseResource(url=warehouse_url)
    resources["sources"] = SourcesResource(
        kipp=str(sources_dir / "kipp"),
        iga=str(sources_dir / "iga"),
        inolan=str(sources_dir / "inolan.csv"),
    )
    return materialize(
        pipeline_defs(),
        resources=resources,
        selection=selection,
        raise_on_error=raise_on_error,
        **kwargs,
    )


def dagster_home(kind: str, home: Path, pg_server=None) -> dict[str, str]:
    """A DAGSTER_HOME as deployed: `sqlite` is the project's .dagster/dagster.yaml (the default,
    run-sharded SQLite storage), `postgres` is deploy/postgres/dagster.yaml on a fresh database of
    the test server. Returns the environment the instance needs (DAGSTER_HOME, DAGSTER_PG_*)."""
    import shutil
    import uuid

    from jippnas_orchestration.settings import PROJECT_ROOT

    home.mkdir(parents=True, exist_ok=True)
    env = {"DAGSTER_HOME": str(home)}
    if kind == "sqlite":
        shutil.copy(PROJECT_ROOT / ".dagster" / "dagster.yaml", home / "dagster.yaml")
        return env
    assert kind == "postgres", kind
    db = f"dagster_{uuid.uuid4().hex[:12]}"
    pg_server.create_database(db)
    shutil.copy(PROJECT_ROOT / "deploy" / "postgres" / "dagster.yaml", home / "dagster.yaml")
    return env | {
        "DAGSTER_PG_HOST": "127.0.0.1",
        "DAGSTER_PG_PORT": str(pg_server.port),
        "DAGSTER_PG_USERNAME": pg_server.user,
        "DAGSTER_PG_PASSWORD": pg_server.password,
        "DAGSTER_PG_DB": db,
    }


def stop_process_group(proc: subprocess.Popen) -> int:
    """Stop a service started in its own process group (daemon, webserver) as Ctrl-C would; kill it
    if it does not end within a minute."""
    os.killpg(proc.pid, signal.SIGINT)
    try:
        return proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        raise


def leaked(values, texts, k: int = 6) -> list[str]:
    """The values (each at least `k` characters) found in any of the texts, as `value in text`
    finds them. A value can occur only if each of its k-character windows occurs, so the texts'
    windows are collected once and only a value whose windows all occur is searched for: seconds,
    where searching ten megabytes for each of ~7,000 values took minutes."""
    texts = [t for t in set(texts) if t]
    windows = set()
    for text in texts:
        windows.update(text[i : i + k] for i in range(len(text) - k + 1))
    found = []
    for value in values:
        assert len(value) >= k, value
        if all(value[i : i + k] in windows for i in range(len(value) - k + 1)):
            if any(value in text for text in texts):
                found.append(value)
    return found


def formula_cells(xlsx: Path) -> list[str]:
    """The cells of a workbook that hold a formula (an `<f>` element in a sheet's XML), as
    "sheet file: cell". Read from the XML: loading every cell of a ~500,000-cell workbook through
    openpyxl to look at its type takes tens of seconds."""
    found = []
    with zipfile.ZipFile(xlsx) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = z.read(name).decode("utf-8")
                for f in re.finditer(r"<f[ >/]", xml):  # the cell it is in: the last one opened
                    start = xml.rfind('<c r="', 0, f.start()) + len('<c r="')
                    end = xml.index('"', start)
                    found.append(f"{name}: {xml[start:end]}")
    return found


def workbook_texts(xlsx: Path) -> list[tuple[str, str]]:
    """(sheet title, text) for every text cell of a workbook, in sheet order, read from the XML
    (inline or shared strings) as openpyxl reads them, in a fraction of its time. Sheets are
    taken as XlsxWriter lays them out (sheetN.xml in the workbook's order); a control character
    stays in the spreadsheet's escaped form (_xHHHH_)."""

    def text(xml: str) -> str:  # a string item: the text of its runs
        return "".join(unescape(t) for t in re.findall(r"<t(?: [^>]*)?>(.*?)</t>", xml, re.S))

    with zipfile.ZipFile(xlsx) as z:
        names = set(z.namelist())
        shared = []
        if "xl/sharedStrings.xml" in names:
            items = re.findall(r"<si>(.*?)</si>", z.read("xl/sharedStrings.xml").decode(), re.S)
            shared = [text(si) for si in items]
        titles = re.findall(r'<sheet name="([^"]*)"', z.read("xl/workbook.xml").decode())
        out = []
        for i, title in enumerate(titles, start=1):
            xml = z.read(f"xl/worksheets/sheet{i}.xml").decode()
            for attrs, body in re.findall(r"<c ([^>]*?)(?:/>|>(.*?)</c>)", xml, re.S):
                if 't="inlineStr"' in attrs:
                    out.append((unescape(title), text(body)))
                elif 't="s"' in attrs:
                    out.append((unescape(title), shared[int(re.search(r"<v>(\d+)</v>", body)[1])]))
    return out
