"""Dagster resources: the warehouse, the source locations, outputs, the campaign and Great Expectations."""

from .expectations import ExpectationsResource
from .settings import CampaignResource, OutputResource
from .sources import SourcesResource
from .warehouse import WarehouseResource

__all__ = ["CampaignResource", "ExpectationsResource", "OutputResource", "SourcesResource", "WarehouseResource"]
