"""Running the real pipeline from tests."""

from __future__ import annotations

from pathlib import Path

from dagster import materialize

from resources import SourcesResource, WarehouseResource


def pipeline_defs():
    from jippnas_orchestration.definitions import defs

    return list(defs.assets) + list(defs.asset_checks or [])


def run_pipeline(
    warehouse_url: str, sources_dir: Path, selection=None, raise_on_error: bool = True, **kwargs
):
    from jippnas_orchestration.definitions import defs

    resources = dict(defs.resources)
    resources["warehouse"] = WarehouseResource(url=warehouse_url)
    resources["sources"] = SourcesResource(
        kipp=str(sources_dir / "kipp"),
        iga=str(sources_dir / "iga"),
        inolan=str(sources_dir / "inolan.csv"),
    )
    return materialize(
        pipeline_defs(),
        resources=resources,
        selection=selection,
        raise_on_error=raise_on_error,
        **kwargs,
    )
