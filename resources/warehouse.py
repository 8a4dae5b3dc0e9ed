"""The warehouse as a Dagster resource (JIPPNAS_WAREHOUSE_URL, SQLite under .jippnas/ by default)."""

from __future__ import annotations

import threading
from typing import Optional

from dagster import ConfigurableResource, InitResourceContext

from jippnas_orchestration import settings
from jippnas_orchestration.schema import ensure_schema
from jippnas_orchestration.warehouse import Warehouse

_schema_ready: set[str] = set()  # warehouse URLs whose schema this process has already ensured
_lock = threading.Lock()


def open_warehouse(url: str) -> Warehouse:
    """The warehouse at `url`, its schema created the first time this process opens it (not per sensor tick)."""
    warehouse = Warehouse(url)
    if url not in _schema_ready:
        with _lock:
            if url not in _schema_ready:
                ensure_schema(warehouse.engine)
                _schema_ready.add(url)
    return warehouse


# Every asset that writes the warehouse runs in this Dagster concurrency pool (limit 1 in the
# instance's dagster.yaml), so two runs never write at the same time.
WAREHOUSE_POOL = "warehouse"


class WarehouseResource(ConfigurableResource):
    """SQLAlchemy URL of the warehouse; unset means the environment's JIPPNAS_WAREHOUSE_URL."""

    url: Optional[str] = None

    def setup_for_execution(self, context: InitResourceContext) -> None:
        open_warehouse(self._url())

    def _url(self) -> str:
        return self.url or settings.warehouse_url()

    def get(self) -> Warehouse:
        return open_warehouse(self._url())
