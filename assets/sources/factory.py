"""One factory for the three ingestion assets: read, land, report the balance as metadata."""

import os
from collections.abc import Callable

from dagster import (
    AssetExecutionContext,
    Backoff,
    Failure,
    Jitter,
    MaterializeResult,
    MetadataValue,
    RetryPolicy,
    asset,
)

from jippnas_orchestration.failpoints import failpoint
from jippnas_orchestration.sources.common import IngestResult, PermanentSourceError
from jippnas_orchestration.sources.landing import land, public_preview
from resources import WAREHOUSE_POOL, SourcesResource, WarehouseResource

GROUP = "sources"


def source_retry_policy() -> RetryPolicy:
    """A source that is down gets the whole read again, later: 3 more tries, 30 s, 60 s, 120 s (+-jitter).

    Only transient failures use it (an API that times out, refuses connections or answers 429/5xx
    after the reader's own tries, or an unexpected error). A permanent one (an unreadable file, a
    wrong format, a URL the API refuses) is raised as a Failure with allow_retries=False
    (read_source), which Dagster fails at once, without the policy's retries."""
    delay = float(os.environ.get("JIPPNAS_SOURCE_RETRY_DELAY_S", "30"))
    return RetryPolicy(
        max_retries=int(os.environ.get("JIPPNAS_SOURCE_RETRIES", "3")),
        delay=delay,
        backoff=Backoff.EXPONENTIAL,
        jitter=Jitter.PLUS_MINUS,
    )


# what each programme's export is, for the asset's kind badges in the UI
SOURCE_FORMATS = {"KIPP": "excel", "IGA": "json", "INOLAN": "csv"}


def read_source(
    name: str, read: "Callable[[SourcesResource], IngestResult]", sources: SourcesResource
) -> IngestResult:
    """The source's read; a permanent error becomes a Failure the RetryPolicy does not retry.

    The reader's exception stays the Failure's cause: its message (file, sheet or line, and what
    is wrong) is what the data-quality report shows for a stale source."""
    try:
        return read(sources)
    except PermanentSourceError as exc:
        raise Failure(
            description=f"{name}: {exc} (a permanent error: not retried; fix the source and run again)",
            metadata={"source_error": str(exc), "error_kind": type(exc).__name__},
            allow_retries=False,
        ) from exc


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
        result = read_source(name, read, sources)
        if not result.balanced:  # a bug, never data: every row read must be accounted for
            raise Failure(
                f"{name}: rows read {result.rows_read} != landed {len(result.records)} "
                f"+ rejected {len(result.rejected)} + repeats {result.exact_duplicates}",
                allow_retries=False,
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
