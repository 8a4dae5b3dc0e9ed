"""Dagster resources: the warehouse, the source locations and the Great Expectations runner."""

from .sources import SourcesResource
from .warehouse import WarehouseResource

__all__ = ["SourcesResource", "WarehouseResource"]
