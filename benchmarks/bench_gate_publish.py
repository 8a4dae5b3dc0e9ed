"""The Great Expectations gate plus publication on the scaled set (run bench_harmonize.py first).

usage: python benchmarks/bench_gate_publish.py POSTGRES_URL OUTPUT_DIR
"""

import sys
import time
from datetime import date
from pathlib import Path

from benchmarks.common import save, timed
from jippnas_orchestration.publication.gatekeeper import LINEAGE_TABLE, lineage_row
from jippnas_orchestration.publication.public import portal_frame
from jippnas_orchestration.publication.publish import content_checksum, publish
from jippnas_orchestration.quality import history
from jippnas_orchestration.schema import ensure_schema
from jippnas_orchestration.warehouse import Warehouse


def main(url: str, out: str) -> None:
    output = Path(out)
    wh = Warehouse(url)
    ensure_schema(wh.engine)
    t: dict = {}
    start = time.perf_counter()
    with timed(t, "import_great_expectations_s"):
        import great_expectations  # noqa: F401  (paid once per process; measured apart)
    from jippnas_orchestration.quality.gate import run_suite

    params = {
        "agency_ids": wh.read_table("agencies", ["agency_id"])["agency_id"].tolist(),
        "max_year": date.today().year + 1,
    }
    with timed(
        t, "candidate_s"
    ):  # as the portal_candidate asset does it: from and to the tables as stored
        h = wh.read_sql("SELECT * FROM harmonized_innovations ORDER BY innovation_id")
        wh.replace_table("portal_candidate", portal_frame(h), primary_key=["innovation_id"])
        candidate = wh.read_sql("SELECT * FROM portal_candidate ORDER BY innovation_id")
        wh.replace_table(
            LINEAGE_TABLE,
            lineage_row(content_checksum(candidate), content_checksum(h), len(candidate), None),
        )
    with timed(t, "gate_harmonized_s"):
        g1 = run_suite(
            "harmonized_innovations",
            h,
            params,
            "innovation_id",
            output,
            checksum=content_checksum(h),
        )
        history.record(wh, g1)
    with timed(t, "gate_portal_s"):
        g2 = run_suite(
            "portal_candidate",
            candidate,
            {**params, "min_rows": 1, "max_rows": None},
            "innovation_id",
            output,
            checksum=content_checksum(candidate),
        )
        history.record(wh, g2)
    with timed(t, "publish_s"):
        manifest = publish(wh, candidate, output)
    t["gate_total_s"] = round(t["gate_harmonized_s"] + t["gate_portal_s"], 2)
    t["total_s"] = round(time.perf_counter() - start, 2)
    t.update(
        rows=len(candidate), gates_passed=[g1.success, g2.success], version=manifest["version"]
    )
    save("gate_publish", t)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
