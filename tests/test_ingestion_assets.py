"""The three ingestion assets materialized by Dagster into SQLite and a real PostgreSQL server."""

import shutil

from dagster import DagsterInstance, materialize

from assets.sources import raw_iga, raw_inolan, raw_kipp
from jippnas_orchestration.settings import PROJECT_ROOT
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
