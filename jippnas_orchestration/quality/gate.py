"""Run a Great Expectations 1.x suite (JSON in expectations/) on a DataFrame; keep results and Data Docs.

great_expectations is imported here, inside the functions, and nowhere else: importing it costs
seconds and hundreds of MB, which sensors and the code server must not pay.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import pandas as pd

from ..settings import PROJECT_ROOT
from .data_docs import build_data_docs

SUITES_DIR = PROJECT_ROOT / "expectations"
GATE_SUITES = ("harmonized_innovations", "portal_candidate")  # the suites that gate publication
# data-quality dimension of an expectation whose meta does not name one
DIMENSIONS = {"expect_column_values_to_not_be_null": "completeness", "expect_column_values_to_be_unique": "uniqueness",
              "expect_table_row_count_to_be_between": "volume", "expect_table_columns_to_match_set": "conformity",
              "expect_column_values_to_not_match_regex": "privacy"}
DEFAULT_DIMENSION = "validity"


def dimension_of(expectation_type: str, meta: dict | None) -> str:
    return (meta or {}).get("dimension") or DIMENSIONS.get(expectation_type, DEFAULT_DIMENSION)


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int | None
    observed: object
    sample_keys: list = field(default_factory=list)
    note: str = ""
    dimension: str = DEFAULT_DIMENSION


@dataclass
class GateResult:
    suite: str
    success: bool
    rows: int
    evaluated_at: str
    outcomes: list[ExpectationOutcome]
    results_path: str | None = None
    data_docs_index: str | None = None
    checksum: str | None = None            # of exactly the data validated (publication.publish.content_checksum)

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    def to_dict(self) -> dict:
        return asdict(self)


def load_suite(name: str, suites_dir: Path | None = None) -> dict:
    path = (suites_dir or SUITES_DIR) / f"{name}.json"
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _json_safe(value):
    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)


def run_suite(name: str, df: pd.DataFrame, parameters: dict, key_column: str | None, output_dir: Path,
              suites_dir: Path | None = None, checksum: str | None = None) -> GateResult:
    """Validate `df` with suite `name`; write results JSON and rebuild Data Docs under output_dir."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.core import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig

    spec = load_suite(name, suites_dir)
    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    docs_dir = output_dir / "data_docs"
    batch_def = (ctx.data_sources.add_pandas("warehouse").add_dataframe_asset(name)
                 .add_batch_definition_whole_dataframe("whole_table"))
    suite = ctx.suites.add(ExpectationSuite(name=spec["name"], expectations=spec["expectations"],
                                            meta=spec.get("meta", {})))
    validation = ctx.validation_definitions.add(gx.ValidationDefinition(name=f"{name}_gate", data=batch_def,
                                                                        suite=suite))
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": 10}
    if key_column and key_column in df.columns:
        result_format["unexpected_index_column_names"] = [key_column]
    checkpoint = ctx.checkpoints.add(gx.Checkpoint(
        name=f"{name}_checkpoint", validation_definitions=[validation], result_format=result_format))
    run = checkpoint.run(batch_parameters={"dataframe": df}, expectation_parameters=parameters)
    build_data_docs(ctx, run, output_dir)  # kept runs, offline assets: data_docs.py
    vres = next(iter(run.run_results.values()))
    outcomes = []
    for r in vres.results:
        cfg = r.expectation_config
        res = r.result or {}
        keys = [k.get(key_column) if isinstance(k, dict) else k for k in res.get("partial_unexpected_index_list") or []]
        outcomes.append(ExpectationOutcome(
            expectation=cfg.type, column=cfg.kwargs.get("column"), success=bool(r.success),
            unexpected_count=res.get("unexpected_count"), observed=_json_safe(res.get("observed_value")),
            sample_keys=[_json_safe(k) for k in keys[:10]],
            note=(cfg.meta or {}).get("notes", "") if isinstance(cfg.meta, dict) else "",
            dimension=dimension_of(cfg.type, cfg.meta if isinstance(cfg.meta, dict) else None)))
    result = GateResult(suite=name, success=bool(run.success), rows=len(df),
                        evaluated_at=datetime.now(timezone.utc).isoformat(timespec="milliseconds"), outcomes=outcomes,
                        data_docs_index=str(docs_dir / "index.html"), checksum=checksum)
    quality_dir = output_dir / "quality"
    quality_dir.mkdir(parents=True, exist_ok=True)
    path = quality_dir / f"{name}.json"
    result.results_path = str(path)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result.to_dict(), ensure_ascii=False, indent=1, default=str))
    os.replace(tmp, path)
    return result


def read_result(name: str, output_dir: Path) -> dict | None:
    path = output_dir / "quality" / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None
