"""The contract's command and variables, on sources the project has never seen (a fresh seed, IGA over HTTP)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from dagster import AssetKey, DagsterInstance

from jippnas_orchestration.generator.write import generate
from jippnas_orchestration.settings import PROJECT_ROOT
from jippnas_orchestration.testing.iga_server import IgaServer
from jippnas_orchestration.warehouse import Warehouse

BIN = Path(sys.executable).parent


@pytest.mark.subprocess
def test_materialize_command_reads_the_contract_variables(pg_url, tmp_path):
    src = tmp_path / "unseen"
    summary = generate(src, scale=1, seed=77)
    home = tmp_path / "home"
    home.mkdir()
    with IgaServer(src / "iga") as iga:
        env = dict(
            os.environ,
            DAGSTER_HOME=str(home),
            JIPPNAS_WAREHOUSE_URL=pg_url,
            JIPPNAS_KIPP_SOURCE=str(src / "kipp"),
            JIPPNAS_IGA_SOURCE=iga.url,
            JIPPNAS_INOLAN_SOURCE=str(src / "inolan.csv"),
            JIPPNAS_OUTPUT_DIR=str(tmp_path / "out"),
        )
        proc = subprocess.run(
            [
                str(BIN / "dagster"),
                "asset",
                "materialize",
                "-m",
                "jippnas_orchestration.definitions",
                "--select",
                "raw_kipp,raw_iga,raw_inolan",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert proc.returncode == 0, proc.stderr[-3000:]
    wh = Warehouse(pg_url)
    read = 0
    with DagsterInstance.from_config(str(home)) as instance:
        for name, source in (("raw_kipp", "KIPP"), ("raw_iga", "IGA"), ("raw_inolan", "INOLAN")):
            meta = {
                k: v.value
                for k, v in instance.get_latest_materialization_event(
                    AssetKey(name)
                ).asset_materialization.metadata.items()
            }
            rejected = wh.read_sql(
                "SELECT COUNT(*) FROM rejected_source_rows WHERE source = :s", {"s": source}
            ).iloc[0, 0]
            assert (meta["rows_landed"], meta["rows_rejected"]) == (wh.count(name), rejected)
            assert (
                meta["rows_read"]
                == meta["rows_landed"] + meta["rows_rejected"] + meta["exact_repeats"]
            )
            read += meta["rows_read"]
    assert read == summary["source_records"]  # every line the generator wrote was read
    assert wh.read_table("raw_iga")["source_location"].str.startswith(iga.url).all()
    assert (
        not (tmp_path / ".jippnas").exists() and not (PROJECT_ROOT / "output" / "unseen").exists()
    )
