"""Dagster resources: the warehouse, the source locations and the Great Expectations runner."""

from .expectations import ExpectationsResource
from .sources import SourcesResource
from .warehouse import WarehouseResource

__all__ = ["ExpectationsResource", "SourcesResource", "WarehouseResource"]
