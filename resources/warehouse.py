"""The warehouse as a Dagster resource (JIPPNAS_WAREHOUSE_URL, SQLite under .jippnas/ by default)."""

from __future__ import annotations

from typing import Optional

from dagster import ConfigurableResource

from jippnas_orchestration import settings
from jippnas_orchestration.schema import ensure_schema
from jippnas_orchestration.warehouse import Warehouse


class WarehouseResource(ConfigurableResource):
    """SQLAlchemy URL of the warehouse; unset means the environment's JIPPNAS_WAREHOUSE_URL."""

    url: Optional[str] = None

    def get(self) -> Warehouse:
        warehouse = Warehouse(self.url or settings.warehouse_url())
        ensure_schema(warehouse.engine)
        return warehouse
