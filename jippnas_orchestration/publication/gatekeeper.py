"""The last line of defence: publish only content that both gate suites passed, whoever starts the run.

Dagster's blocking checks stop publication inside one run; this check holds across runs. The
portal_candidate asset records which harmonized_innovations content it was built from
(`portal_candidate_lineage`); publication then needs, in quality_history, a passing latest
evaluation of that harmonized checksum by the harmonized_innovations suite and of the
candidate's own checksum by the portal_candidate suite.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd

from ..quality.history import verdict
from ..warehouse import Warehouse

LINEAGE_TABLE = "portal_candidate_lineage"


class PublicationRefused(RuntimeError):
    pass


def lineage_row(
    candidate_checksum: str, harmonized_checksum: str, rows: int, run_id: str | None
) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "candidate_checksum": candidate_checksum,
                "harmonized_checksum": harmonized_checksum,
                "rows": rows,
                "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "run_id": run_id,
            }
        ]
    )


def authorize(warehouse: Warehouse, checksum: str, rows: int, published: dict | None) -> dict:
    """The passing evaluations `checksum` may be published on; PublicationRefused says why not."""
    keep = (
        f" The published version {published['version']} stays in place."
        if published
        else " Nothing has been published."
    )
    head = f"portal_innovations refused to publish the candidate with checksum {checksum[:12]} ({rows} rows):"
    lineage = (
        warehouse.read_table(LINEAGE_TABLE)
        if warehouse.has_table(LINEAGE_TABLE)
        else pd.DataFrame()
    )
    if lineage.empty or lineage["candidate_checksum"].iloc[0] != checksum:
        built = lineage["candidate_checksum"].iloc[0][:12] if not lineage.empty else "none"
        raise PublicationRefused(
            f"{head} the portal_candidate table is not what the portal_candidate asset built "
            f"and validated (built: {built}); materialize portal_candidate again.{keep}"
        )
    wanted = {
        "harmonized_innovations": lineage["harmonized_checksum"].iloc[0],
        "portal_candidate": checksum,
    }
    problems, passed = [], {}
    for suite, ck in wanted.items():
        v = verdict(warehouse, suite, ck)
        if v is None:
            problems.append(
                f"suite {suite} has no result for checksum {ck[:12]} (that content was never validated)"
            )
        elif not v.success:
            problems.append(v.describe())
        else:
            passed[suite] = {
                "success": True,
                "checksum": ck,
                "evaluated_at": v.evaluated_at,
                "evaluation_id": v.evaluation_id,
            }
    if problems:
        raise PublicationRefused(f"{head} " + " | ".join(problems) + "." + keep)
    return passed
