"""One factory for the three ingestion assets: read, land, report the balance as metadata."""

import os
from collections.abc import Callable

from dagster import (
    AssetExecutionContext,
    Backoff,
    Jitter,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    asset,
)

from jippnas_orchestration.sources.common import IngestResult
from jippnas_orchestration.sources.landing import land, public_preview
from jippnas_orchestration.testing.failpoints import failpoint
from resources import WAREHOUSE_POOL, SourcesResource, WarehouseResource

GROUP = "sources"


def source_retry_policy() -> RetryPolicy:
    """A source that is down gets the whole read again, later: 3 more tries, 30 s, 60 s, 120 s (+-jitter)."""
    delay = float(os.environ.get("JIPPNAS_SOURCE_RETRY_DELAY_S", "30"))
    return RetryPolicy(
        max_retries=int(os.environ.get("JIPPNAS_SOURCE_RETRIES", "3")),
        delay=delay,
        backoff=Backoff.EXPONENTIAL,
        jitter=Jitter.PLUS_MINUS,
    )


# what each programme's export is, for the asset's kind badges in the UI
SOURCE_FORMATS = {"KIPP": "excel", "IGA": "json", "INOLAN": "csv"}


def build_source_asset(
    name: str, programme: str, read: "Callable[[SourcesResource], IngestResult]", description: str
):
    @asset(
        name=name,
        group_name=GROUP,
        description=description,
        kinds={SOURCE_FORMATS[programme], "pandas", "sql"},
        tags={"programme": programme},
        retry_policy=source_retry_policy(),
        pool=WAREHOUSE_POOL,
    )
    def _source_asset(
        context: AssetExecutionContext, warehouse: WarehouseResource, sources: SourcesResource
    ) -> MaterializeResult:
        result = read(sources)
        if not result.balanced:  # a bug, never data: every row read must be accounted for
            raise RuntimeError(
                f"{name}: rows read {result.rows_read} != landed {len(result.records)} "
                f"+ rejected {len(result.rejected)} + repeats {result.exact_duplicates}"
            )
        land(warehouse.get(), name, result)
        failpoint(f"{name}.landed")  # drills: hold a run inside a warehouse writer
        context.log.info(
            f"{name}: {len(result.records)} landed, {len(result.rejected)} quarantined "
            f"from {result.origin}"
        )
        return MaterializeResult(
            metadata={
                "dagster/row_count": len(result.records),
                "rows_read": result.rows_read,
                "rows_landed": len(result.records),
                "rows_rejected": len(result.rejected),
                "exact_repeats": result.exact_duplicates,
                "source": MetadataValue.path(result.origin),
                "source_checksum": result.checksum,
                "notes": MetadataValue.md("\n".join(f"- {n}" for n in result.notes) or "-"),
                "rejected_reasons": MetadataValue.md(
                    "\n".join(f"- {r}" for r in result.rejected["reason"].head(20)) or "none"
                ),
                "preview": MetadataValue.md(
                    public_preview(result.records).to_markdown(index=False)
                ),
            }
        )

    return _source_asset
