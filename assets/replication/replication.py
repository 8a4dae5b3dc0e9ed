from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from jippnas_orchestration.incremental import update_for
from jippnas_orchestration.replication.affair_coverage import AFFAIR_COVERAGE
from jippnas_orchestration.replication.innovation_replications import INNOVATION_REPLICATIONS
from jippnas_orchestration.replication.replication_opportunities import (
    REPLICATION_OPPORTUNITIES,
)
from resources import WAREHOUSE_POOL, WarehouseResource


@asset(
    group_name="replication",
    kinds={"pandas", "sql"},
    pool=WAREHOUSE_POOL,
    deps=["harmonized_innovations", "innovation_change_log"],
    description="Where each innovation has spread: one row per (innovation, replicating agency) from the "
    "accepted submissions' replicated_by (the current list; first and last report, the submission "
    "that reported it first), and per innovation the replication count as reported and as listed "
    "(innovation_replication_counts). A submission run recomputes only the changed innovations.",
)
def innovation_replications(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    wh = warehouse.get()
    update = update_for(context, wh, INNOVATION_REPLICATIONS)
    counts = wh.read_sql(
        "SELECT COUNT(*) AS innovations, COALESCE(SUM(CASE WHEN counts_disagree THEN 1 ELSE 0 END), 0) "
        "AS disagree FROM innovation_replication_counts WHERE replication_count_listed > 0"
    ).iloc[0]
    return MaterializeResult(
        metadata={
            "dagster/row_count": update.built.result,
            **update.metadata,
            "innovations_replicated": int(counts["innovations"]),
            "innovations_counts_disagree": int(counts["disagree"]),
        }
    )


@asset(
    group_name="replication",
    kinds={"pandas", "sql"},
    pool=WAREHOUSE_POOL,
    deps=[
        "harmonized_innovations",
        "innovation_replications",
        "agencies",
        "staged_source_records",
        "innovation_source_map",
        "innovation_change_log",
    ],
    description="Every regional government (provinsi, kabupaten, kota) x every government affair of the "
    "lexicon: covered when it has an active innovation there, its own or one it replicated. Also "
    "writes innovation_affairs (each innovation's affair and how it was decided: IGA urusan, "
    "lexicon, KIPP category, none) and affair_coverage_links. A submission run recomputes only "
    "the agencies the changed innovations count for (before or after).",
)
def affair_coverage(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    wh = warehouse.get()
    update = update_for(context, wh, AFFAIR_COVERAGE)
    share = wh.read_sql(
        "SELECT COUNT(*) AS cells, COALESCE(SUM(CASE WHEN covered THEN 1 ELSE 0 END), 0) AS covered "
        "FROM affair_coverage"
    ).iloc[0]
    decided = wh.read_sql(
        "SELECT decided_by, COUNT(*) AS n FROM innovation_affairs GROUP BY decided_by"
    )
    return MaterializeResult(
        metadata={
            "dagster/row_count": update.built.result,
            **update.metadata,
            "cells_covered": int(share["covered"]),
            "cells": int(share["cells"]),
            "affairs_decided_by": MetadataValue.json(
                {str(k): int(n) for k, n in zip(decided["decided_by"], decided["n"])}
            ),
        }
    )


@asset(
    group_name="replication",
    kinds={"pandas", "sql"},
    pool=WAREHOUSE_POOL,
    deps=[
        "affair_coverage",
        "harmonized_innovations",
        "innovation_replications",
        "innovation_change_log",
    ],
    description="For each regional government x affair without coverage, up to five active innovations "
    "of other regional governments to replicate, ranked by readiness (active, complete, updated), "
    "award level, replications so far and comparability (same province, same type), each with an "
    "Indonesian reason. Published as portal/opportunities.csv and .json. A submission run "
    "recomputes only the affairs its innovations had or have.",
)
def replication_opportunities(
    context: AssetExecutionContext, warehouse: WarehouseResource
) -> MaterializeResult:
    wh = warehouse.get()
    update = update_for(context, wh, REPLICATION_OPPORTUNITIES)
    cells = wh.read_sql(
        "SELECT COUNT(DISTINCT agency_id || '|' || affair) AS n FROM replication_opportunities"
    ).iloc[0]
    return MaterializeResult(
        metadata={
            "dagster/row_count": update.built.result,
            **update.metadata,
            "cells_with_suggestions": int(cells["n"]),
        }
    )
