"""The three ingestion assets materialized by Dagster into SQLite and a real PostgreSQL server."""

import shutil

import pytest
from dagster import DagsterInstance, materialize

from assets.sources import raw_iga, raw_inolan, raw_kipp
from jippnas_orchestration.settings import PROJECT_ROOT
from jippnas_orchestration.testing.iga_server import IgaServer
from jippnas_orchestration.warehouse import Warehouse
from resources import SourcesResource, WarehouseResource

ASSETS = [raw_kipp, raw_iga, raw_inolan]


def _sources(sample_dir):
    return SourcesResource(
        kipp=str(sample_dir / "kipp"),
        iga=str(sample_dir / "iga"),
        inolan=str(sample_dir / "inolan.csv"),
    )


def _metadata(result, key):
    mats = [m for m in result.asset_materializations_for_node(key)]
    return {k: v.value for k, v in mats[0].metadata.items()}


def test_sample_rows_read_equal_landed_plus_rejected(warehouse_url, sample_dir):
    result = materialize(
        ASSETS,
        resources={
            "warehouse": WarehouseResource(url=warehouse_url),
            "sources": _sources(sample_dir),
        },
    )
    assert result.success
    wh = Warehouse(warehouse_url)
    rejected = wh.read_sql("SELECT source, COUNT(*) AS n FROM rejected_source_rows GROUP BY source")
    rejected = dict(zip(rejected["source"], rejected["n"]))
    for name, source in (("raw_kipp", "KIPP"), ("raw_iga", "IGA"), ("raw_inolan", "INOLAN")):
        meta = _metadata(result, name)
        assert (
            meta["rows_read"] == meta["rows_landed"] + meta["rows_rejected"] + meta["exact_repeats"]
        )
        assert wh.count(name) == meta["rows_landed"]
        assert rejected[source] == meta["rows_rejected"] > 0
        assert "preview" in meta and "@" not in meta["preview"]  # no e-mail addresses in the UI
    kipp = wh.read_table("raw_kipp")
    assert kipp["kode_nri"].str.fullmatch(r"\d{6}").all()
    assert {"source_record_id", "ingested_at", "email_inovator"} <= set(kipp.columns)


def test_rematerializing_replaces_rather_than_appends(pg_url, sample_dir):
    resources = {"warehouse": WarehouseResource(url=pg_url), "sources": _sources(sample_dir)}
    assert materialize(ASSETS, resources=resources).success
    wh = Warehouse(pg_url)
    first = (wh.count("raw_iga"), wh.count("rejected_source_rows"))
    assert materialize(ASSETS, resources=resources).success
    assert (wh.count("raw_iga"), wh.count("rejected_source_rows")) == first


def test_assets_on_a_postgres_backed_dagster_instance(
    pg_server, pg_url, sample_dir, tmp_path, monkeypatch
):
    home = tmp_path / "pg_home"
    home.mkdir()
    shutil.copy(PROJECT_ROOT / "deploy" / "postgres" / "dagster.yaml", home / "dagster.yaml")
    dagster_db = pg_server.create_database(
        "dagster_storage_" + tmp_path.name[-8:].lower().replace("-", "_")
    )
    monkeypatch.setenv("DAGSTER_PG_HOST", "127.0.0.1")
    monkeypatch.setenv("DAGSTER_PG_PORT", str(pg_server.port))
    monkeypatch.setenv("DAGSTER_PG_USERNAME", pg_server.user)
    monkeypatch.setenv("DAGSTER_PG_PASSWORD", pg_server.password)
    monkeypatch.setenv("DAGSTER_PG_DB", dagster_db.rsplit("/", 1)[1])
    with DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        result = materialize(
            ASSETS,
            instance=instance,
            resources={"warehouse": WarehouseResource(url=pg_url), "sources": _sources(sample_dir)},
        )
        assert result.success
        runs = instance.get_runs()
        assert len(runs) == 1 and runs[0].run_id == result.run_id
        event = instance.get_latest_materialization_event(raw_kipp.key)
        assert event is not None and event.run_id == result.run_id


def test_unreachable_source_fails_the_asset_with_a_clear_message(sqlite_url, tmp_path):
    resources = {
        "warehouse": WarehouseResource(url=sqlite_url),
        "sources": SourcesResource(kipp=str(tmp_path / "nope")),
    }
    result = materialize([raw_kipp], resources=resources, raise_on_error=False)
    assert not result.success
    error = result.get_step_failure_events()[0].event_specific_data.error
    assert error.cause.cls_name == "KippFormatError"
    assert error.cause.message.endswith(f"{tmp_path / 'nope'}: KIPP source not found\n")


def _attempts(result, step_key):
    """How often the step ran: its first try plus each retry the RetryPolicy granted."""
    events = [e for e in result.all_events if e.step_key == step_key]
    starts = [e for e in events if e.event_type_value in ("STEP_START", "STEP_RESTARTED")]
    retries = [e for e in events if e.event_type_value == "STEP_UP_FOR_RETRY"]
    return len(starts), len(retries)


def _failure_message(result):
    """The innermost error's message (what the report shows), without its class name."""
    error = result.get_step_failure_events()[0].event_specific_data.error
    while error.cause is not None:
        error = error.cause
    return error.message.strip().split(": ", 1)[1]


@pytest.mark.parametrize("kind", ["garbage-xlsx", "comma-csv", "utf16-csv"])
def test_a_wrong_format_source_fails_at_once_naming_the_file(sqlite_url, tmp_path, kind):
    """A permanent error (wrong format) is not retried like an outage: one attempt, a plain message."""
    if kind == "garbage-xlsx":
        (tmp_path / "kipp").mkdir()
        bad = tmp_path / "kipp" / "a.xlsx"
        bad.write_bytes(b"\x00garbage, not a workbook" * 20)
        asset, sources = raw_kipp, SourcesResource(kipp=str(tmp_path / "kipp"))
        expected = f"{bad}: not an Excel workbook (the file is not a valid .xlsx zip archive)"
    else:
        bad = tmp_path / "inolan.csv"
        header = "external_id;judul_inovasi;tahun;inovator;unit_kerja"
        if kind == "comma-csv":
            bad.write_text(header.replace(";", ",") + "\nLAN-1,Judul,2021,A,B\n")
            expected = (
                f"{bad}, line 1: the header is comma-separated; InoLAN exports are ';'-separated"
            )
        else:
            bad.write_bytes((header + "\nLAN-1;Judul;2021;A;B\n").encode("utf-16"))
            expected = f"{bad}: UTF-16 text; expected UTF-8 or Windows-1252"
        asset, sources = raw_inolan, SourcesResource(inolan=str(bad))
    assert asset.op.retry_policy is not None and asset.op.retry_policy.max_retries >= 1
    result = materialize(
        [asset],
        resources={"warehouse": WarehouseResource(url=sqlite_url), "sources": sources},
        raise_on_error=False,
    )
    assert not result.success
    assert _attempts(result, asset.key.path[-1]) == (1, 0)  # no retry, no backoff sleep
    assert _failure_message(result) == expected
    failure = result.get_step_failure_events()[0].event_specific_data
    assert "not retried" in failure.error.message
    assert failure.user_failure_data.metadata["source_error"].value == expected


def test_iga_answering_503_is_still_retried_by_the_policy(sqlite_url, sample_dir):
    """A transient failure (HTTP 503 on every try) keeps the RetryPolicy's retries."""
    with IgaServer(sample_dir / "iga", {"tahun": ["503"] * 100}) as server:
        sources = SourcesResource(iga=server.url, iga_max_tries=2, iga_backoff_s=0.01)
        result = materialize(
            [raw_iga],
            resources={"warehouse": WarehouseResource(url=sqlite_url), "sources": sources},
            raise_on_error=False,
        )
        tries = server.requests.count("tahun")
    assert not result.success
    retries = raw_iga.op.retry_policy.max_retries
    assert _attempts(result, "raw_iga") == (retries + 1, retries)
    assert tries == 2 * (retries + 1)  # the reader's own tries, in every attempt
    assert _failure_message(result).startswith(f"IGA: gave up on {server.url}/tahun after 2 tries")
    assert "HTTP 503" in _failure_message(result)
