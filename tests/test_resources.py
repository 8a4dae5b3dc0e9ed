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
    monkeypatch.setattr(resources.warehouse, "ensure_schema", lambda engine: calls.append(engine) or real(engine))
    for _ in range(3):
        ctx = build_sensor_context(resources={"warehouse": WarehouseResource(url=sqlite_url)})
        assert isinstance(submission_sensor(ctx), SkipReason)
    assert len(calls) == 1
    # and the tables are there: the first tick made them
    assert WarehouseResource(url=sqlite_url).get().has_table("innovation_submissions")


def test_a_campaign_start_that_is_not_a_date_is_named():
    assert str(CampaignResource(start="2024-02-01").start_date()) == "2024-02-01"
    with pytest.raises(ValueError, match="JIPPNAS_CAMPAIGN_START='1 Januari 2024' is not an ISO date"):
        CampaignResource(start="1 Januari 2024").start_date()
