"""Dagster resources: the warehouse, the source locations, outputs, the campaign and Great Expectations."""

from .alerts import AlertMailerResource
from .expectations import ExpectationsResource
from .settings import CampaignResource, OutputResource
from .sources import SourcesResource
from .warehouse import WAREHOUSE_POOL, WarehouseResource

__all__ = [
    "WAREHOUSE_POOL",
    "AlertMailerResource",
    "CampaignResource",
    "ExpectationsResource",
    "OutputResource",
    "SourcesResource",
    "WarehouseResource",
]
