from datetime import timedelta

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AutomationCondition,
    FreshnessPolicy,
    MaterializeResult,
    MetadataValue,
    asset,
)

from assets.quality.gates import PORTAL_GATE, PORTAL_GATE_SPEC, run_gate
from jippnas_orchestration.incremental import in_submission_run, update_for
from jippnas_orchestration.links import PORTAL_MANIFEST
from jippnas_orchestration.publication.gatekeeper import LINEAGE_TABLE, lineage_row
from jippnas_orchestration.publication.portal_candidate import PORTAL_CANDIDATE
from jippnas_orchestration.publication.publish import candidate_content, current_manifest, publish
from jippnas_orchestration.replication.portal import opportunity_files
from resources import WAREHOUSE_POOL, ExpectationsResource, OutputResource, WarehouseResource

# daily_refresh_schedule starts at 02:00 WIB; the portal must have been (re)published by 06:00 WIB
PORTAL_FRESHNESS = FreshnessPolicy.cron(
    deadline_cron="0 6 * * *", lower_bound_delta=timedelta(hours=4), timezone="Asia/Jakarta"
)


@asset(
    group_name="publication",
    kinds={"pandas", "sql", "greatexpectations"},
    pool=WAREHOUSE_POOL,
    deps=[
        "harmonized_innovations",
        "agencies",
        "field_provenance",
        "similar_innovations",
        "innovation_change_log",
    ],
    check_specs=[PORTAL_GATE_SPEC],
    description="What would be published: public fields only, e-mail addresses and phone numbers scrubbed "
    "from free text, with `similar` (ids of suggested innovations of other agencies) and "
    "`provenance` (programmes and years per field, or submission), validated by portal_candidate_gate as stored. Records which "
    "harmonized_innovations content it was built from (portal_candidate_lineage). A submission run "
    "rewrites only the changed innovations' rows and those suggesting them, and validates those "
    "rows with the row count of the whole.",
)
def portal_candidate(
    context: AssetExecutionContext,
    warehouse: WarehouseResource,
    expectations: ExpectationsResource,
    output: OutputResource,
) -> MaterializeResult:
    wh = warehouse.get()
    similar = context.instance.get_latest_materialization_event(AssetKey("similar_innovations"))
    token = f"{similar.run_id}@{similar.timestamp}" if similar else None
    update = update_for(context, wh, PORTAL_CANDIDATE, similar_token=token)
    wh.replace_table(
        LINEAGE_TABLE,
        lineage_row(update.checksum, update.built.result, update.rows, context.run_id),
    )
    # a full build validates the whole table; a submission run the rows it rewrote, with the
    # whole table's checksum and row count
    check = run_gate(
        wh,
        expectations,
        output,
        "portal_candidate",
        PORTAL_GATE,
        update.validate,
        context.run_id,
        checksum=update.checksum,
        table_rows=None if update.mode == "full" else update.rows,
        published_rows=(current_manifest(output.path()) or {}).get("row_count"),
    )
    return MaterializeResult(
        check_results=[check],
        metadata={
            "dagster/row_count": update.rows,
            "checksum": update.checksum,
            **update.metadata,
            "rows_rewritten": len(update.validate),
        },
    )


@asset(
    group_name="publication",
    kinds={"pandas", "sql"},
    pool=WAREHOUSE_POOL,
    deps=["portal_candidate", "replication_opportunities", "agencies"],
    automation_condition=AutomationCondition.eager()
    & AutomationCondition.all_deps_blocking_checks_passed(),
    freshness_policy=PORTAL_FRESHNESS,
    description="The published portal dataset (table portal_innovations and $JIPPNAS_OUTPUT_DIR/portal/ "
    "CSV, Parquet, JSON and manifest.json; opportunities.csv and .json from replication_opportunities). Publishes only a candidate whose exact content passed "
    "both gate suites (quality_history), however the run was started; otherwise fails and leaves "
    "table and files as they were. Older versions are kept under portal_versions/ within the "
    "retention (JIPPNAS_PORTAL_KEEP_VERSIONS, JIPPNAS_PORTAL_KEEP_DAYS).",
)
def portal_innovations(
    context: AssetExecutionContext, warehouse: WarehouseResource, output: OutputResource
) -> MaterializeResult:
    wh = warehouse.get()
    out = output.path()
    # a submission run reads only the parts it publishes anew; any other run checks every part
    manifest = publish(
        wh,
        candidate_content(wh, verify_all=not in_submission_run(context)),
        out,
        extras=opportunity_files(wh),
    )
    context.log.info(
        f"portal version {manifest['version']}{' (unchanged)' if manifest.get('unchanged') else ''}"
    )
    return MaterializeResult(
        metadata={
            "dagster/row_count": manifest["row_count"],
            "version": manifest["version"],
            "checksum": manifest["checksum"],
            "unchanged": bool(manifest.get("unchanged")),
            "published_at": manifest["published_at"],
            "gate": MetadataValue.json(manifest.get("gate") or {}),
            "portal_dir": MetadataValue.path(str(out / "portal")),
            "manifest": MetadataValue.url(output.url(PORTAL_MANIFEST)),
            "innovations_csv": MetadataValue.url(output.url("portal/innovations.csv")),
            "opportunities_csv": MetadataValue.url(output.url("portal/opportunities.csv")),
        }
    )
