from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from jippnas_orchestration.links import PORTAL_MANIFEST
from jippnas_orchestration.publication.public import portal_frame
from jippnas_orchestration.publication.publish import publish
from jippnas_orchestration.quality.gate import GATE_SUITES, read_result
from resources import OutputResource, WarehouseResource


@asset(group_name="publication", kinds={"python", "sql"}, deps=["innovation_updates"],
       description="What would be published: public fields only, e-mail addresses and phone numbers scrubbed "
                   "from free text. The portal_candidate_gate check must pass before publication.")
def portal_candidate(warehouse: WarehouseResource) -> MaterializeResult:
    wh = warehouse.get()
    df = portal_frame(wh.read_table("harmonized_innovations"))
    wh.replace_table("portal_candidate", df, primary_key=["innovation_id"])
    return MaterializeResult(metadata={"dagster/row_count": len(df)})


@asset(group_name="publication", kinds={"python", "sql"}, deps=["portal_candidate"],
       description="The published portal dataset (table portal_innovations and $JIPPNAS_OUTPUT_DIR/portal/ "
                   "CSV, Parquet, JSON and manifest.json). Swapped in atomically, only after the gate passed; "
                   "every version is archived under portal_versions/ and can be restored.")
def portal_innovations(context: AssetExecutionContext, warehouse: WarehouseResource,
                       output: OutputResource) -> MaterializeResult:
    wh = warehouse.get()
    out = output.path()
    gate = {name: (read_result(name, out) or {}).get("success") for name in GATE_SUITES}
    manifest = publish(wh, wh.read_table("portal_candidate"), out, gate=gate)
    context.log.info(f"portal version {manifest['version']}{' (unchanged)' if manifest.get('unchanged') else ''}")
    return MaterializeResult(metadata={
        "dagster/row_count": manifest["row_count"], "version": manifest["version"],
        "checksum": manifest["checksum"], "unchanged": bool(manifest.get("unchanged")),
        "published_at": manifest["published_at"],
        "portal_dir": MetadataValue.path(str(out / "portal")),
        "manifest": MetadataValue.url(output.url(PORTAL_MANIFEST)),
        "innovations_csv": MetadataValue.url(output.url("portal/innovations.csv")),
    })
