"""The one code location: every asset, check, job, sensor and schedule, with their resources."""

from __future__ import annotations

from dagster import Definitions, load_assets_from_modules

import assets.sources
from resources import SourcesResource, WarehouseResource

defs = Definitions(
    assets=load_assets_from_modules([assets.sources]),
    resources={"warehouse": WarehouseResource(), "sources": SourcesResource()},
)
