"""Resources configured the Dagster way: EnvVar where a variable is set, the schema made once per process."""

import pytest
from dagster import EnvVar, SkipReason, build_sensor_context

import resources.warehouse
from jippnas_orchestration.definitions import from_env
from jippnas_orchestration.sensors import submission_sensor
from resources import CampaignResource, WarehouseResource


def test_settings_come_from_envvar_only_when_the_variable_is_set(monkeypatch):
    monkeypatch.setenv("JIPPNAS_WAREHOUSE_URL", "postgresql+psycopg2://u:secret@db/jippnas")
    value = from_env("JIPPNAS_WAREHOUSE_URL")
    assert isinstance(value, EnvVar) and value.env_var_name == "JIPPNAS_WAREHOUSE_URL"
    assert "secret" not in repr(value)
    monkeypatch.setenv("JIPPNAS_WAREHOUSE_URL", "  ")
    assert from_env("JIPPNAS_WAREHOUSE_URL") is None
    monkeypatch.delenv("JIPPNAS_WAREHOUSE_URL")
    assert from_env("JIPPNAS_WAREHOUSE_URL") is None


def test_the_schema_is_made_once_per_process_not_on_every_sensor_tick(sqlite_url, monkeypatch):
    calls = []
    real = resources.warehouse.ensure_schema
    monkeypatch.setattr(
        resources.warehouse, "ensure_schema", lambda engine: calls.append(engine) or real(engine)
    )
    for _ in range(3):
        ctx = build_sensor_context(resources={"warehouse": WarehouseResource(url=sqlite_url)})
        assert isinstance(submission_sensor(ctx), SkipReason)
    assert len(calls) == 1
    # and the tables are there: the first tick made them
    assert WarehouseResource(url=sqlite_url).get().has_table("innovation_submissions")


def test_a_campaign_start_that_is_not_a_date_is_named():
    assert str(CampaignResource(start="2024-02-01").start_date()) == "2024-02-01"
    with pytest.raises(
        ValueError, match="JIPPNAS_CAMPAIGN_START='1 Januari 2024' is not an ISO date"
    ):
        CampaignResource(start="1 Januari 2024").start_date()


def test_bulk_writes_store_what_sqlalchemy_would_store_for_every_column_type(warehouse_url):
    """replace_table loads with COPY (PostgreSQL) or one plain executemany (SQLite); both must
    round-trip text, nulls, nullable ints, booleans, floats and time-zone-aware timestamps."""
    import pandas as pd

    from jippnas_orchestration.warehouse import Warehouse

    df = pd.DataFrame(
        {
            "innovation_id": ["INV-1", "INV-2", "INV-3"],
            "note": ['café, "kutip"\nbaris', None, ""],
            "count": pd.array([3, None, 0], dtype="Int64"),
            "flag": [True, False, True],
            "score": [0.5, float("nan"), 1.0],
            "at": [
                pd.Timestamp("2026-11-29 05:54:28.230793", tz="UTC"),
                pd.NaT,
                pd.Timestamp("2024-07-12 03:00:00", tz="UTC"),
            ],
        }
    )
    wh = Warehouse(warehouse_url)
    wh.replace_table("bulk_roundtrip", df, primary_key=["innovation_id"])
    back = wh.read_sql("SELECT * FROM bulk_roundtrip ORDER BY innovation_id")
    assert [None if pd.isna(v) else v for v in back["note"]] == ['café, "kutip"\nbaris', None, ""]
    assert [None if pd.isna(v) else int(v) for v in back["count"]] == [3, None, 0]
    assert [bool(v) for v in back["flag"]] == [True, False, True]
    assert pd.isna(back["score"][1]) and back["score"][0] == 0.5
    stamps = pd.to_datetime(back["at"], utc=True)
    assert stamps[0] == df["at"][0] and pd.isna(stamps[1]) and stamps[2] == df["at"][2]
