"""Great Expectations as a resource: runs the gate suites of quality.suites (imported lazily)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import pandas as pd
from dagster import ConfigurableResource

from jippnas_orchestration import settings


class ExpectationsResource(ConfigurableResource):
    """Results and Data Docs go to `output_dir` ($JIPPNAS_OUTPUT_DIR)."""

    output_dir: Optional[str] = None

    def validate(
        self,
        suite: str,
        df: pd.DataFrame,
        parameters: dict,
        key_column: str | None = "innovation_id",
        checksum: str | None = None,
        table_rows: int | None = None,
    ):
        from jippnas_orchestration.quality.gate import run_suite  # pulls in great_expectations

        output = Path(self.output_dir) if self.output_dir else settings.output_dir()
        return run_suite(
            suite, df, parameters, key_column, output, checksum=checksum, table_rows=table_rows
        )
