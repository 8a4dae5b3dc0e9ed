"""Run a Great Expectations 1.x suite (quality.suites) on a DataFrame; keep results and Data Docs.

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

from ..fileio import write_text_replacing
from .data_docs import build_data_docs
from .suites import HARMONIZED, PORTAL, suite

GATE_SUITES = (HARMONIZED, PORTAL)  # the suites that gate publication


@dataclass
class ExpectationOutcome:
    expectation: str
    column: str | None
    success: bool
    unexpected_count: int | None
    observed: object
    sample_keys: list = field(default_factory=list)
    note: str = ""
    dimension: str = ""


@dataclass
class GateResult:
    suite: str
    success: bool
    rows: int
    evaluated_at: str
    outcomes: list[ExpectationOutcome]
    results_path: str | None = None
    data_docs_index: str | None = None
    scope: str = "table"  # or "changed": an incremental run's changed rows (table_rows given)
    checksum: str | None = (
        None  # of exactly the data validated (publication.publish.content_checksum)
    )

    @property
    def failed(self) -> list[ExpectationOutcome]:
        return [o for o in self.outcomes if not o.success]

    def to_dict(self) -> dict:
        return asdict(self)


# expectations about the whole table rather than each row (checked on table_rows when incremental)
TABLE_LEVEL = ("expect_table_row_count_to_be_between",)


def _row_count(spec: dict, rows: int, parameters: dict) -> ExpectationOutcome:
    """expect_table_row_count_to_be_between on the table's row count, with the suite's parameters."""

    def value(v):
        return parameters.get(v["$PARAMETER"]) if isinstance(v, dict) else v

    lo, hi = value(spec["kwargs"].get("min_value")), value(spec["kwargs"].get("max_value"))
    return ExpectationOutcome(
        expectation=spec["type"],
        column=None,
        success=(lo is None or rows >= lo) and (hi is None or rows <= hi),
        unexpected_count=None,
        observed=rows,
        note=spec["meta"].get("notes", ""),
        dimension=spec["meta"]["dimension"],
    )


COLUMNS_MATCH = "expect_table_columns_to_match_set"
COLUMN_MAP = "expect_column_values_to_"  # row by row: vacuously met on no rows


def no_rows(spec: dict, columns: list[str]) -> list[ExpectationOutcome] | None:
    """What Great Expectations reports for `spec` on a batch of no rows with these columns, without
    importing it (seconds per run): an incremental run in which nothing changed. None when an
    expectation is of another kind or names a missing column (Great Expectations then says what)."""
    out = []
    for e in spec["expectations"]:
        kwargs, meta = e["kwargs"], e["meta"]
        if e["type"].startswith(COLUMN_MAP) and kwargs.get("column") in columns:
            success, unexpected, observed = True, 0, None
        elif e["type"] == COLUMNS_MATCH:
            want, have = set(kwargs["column_set"]), set(columns)
            success = want == have if kwargs.get("exact_match", True) else want <= have
            unexpected, observed = None, sorted(columns)
        else:
            return None
        out.append(
            ExpectationOutcome(
                expectation=e["type"],
                column=kwargs.get("column"),
                success=success,
                unexpected_count=unexpected,
                observed=observed,
                note=meta.get("notes", ""),
                dimension=meta["dimension"],
            )
        )
    return out


def load_suite(name: str) -> dict:
    """The suite as Great Expectations 1.x's JSON form: name, meta, expectations."""
    return suite(name)


def _json_safe(value):
    try:
        json.dumps(value)
        return value
    except TypeError:
        return str(value)


def run_suite(
    name: str,
    df: pd.DataFrame,
    parameters: dict,
    key_column: str | None,
    output_dir: Path,
    checksum: str | None = None,
    table_rows: int | None = None,
) -> GateResult:
    """Validate `df` with suite `name`; write results JSON and rebuild Data Docs under output_dir.

    An incremental run in which no row changed validates nothing row by row: its outcomes are
    what Great Expectations reports on no rows (`no_rows`), without importing it, and it adds no
    Data Docs page; it is recorded like any other evaluation.

    `table_rows` set: `df` holds only the rows that changed in a table of that many rows (an
    incremental run). Row-level expectations hold for the table when they hold for every changed
    row (the others passed before); the row-count bounds are then checked on `table_rows`.
    """
    spec = load_suite(name)
    table_level = []
    if table_rows is not None:
        table_level = [e for e in spec["expectations"] if e["type"] in TABLE_LEVEL]
        spec = {**spec, "expectations": [e for e in spec["expectations"] if e not in table_level]}
    vacuous = no_rows(spec, list(df.columns)) if table_rows is not None and df.empty else None
    if vacuous is not None:  # nothing changed: no Great Expectations run, no Data Docs page
        return _finish(name, df, vacuous, table_level, parameters, table_rows, output_dir, checksum)
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    import great_expectations as gx
    from great_expectations.core import ExpectationSuite
    from great_expectations.data_context.types.base import ProgressBarsConfig

    ctx = gx.get_context(mode="ephemeral")
    ctx.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_def = (
        ctx.data_sources.add_pandas("warehouse")
        .add_dataframe_asset(name)
        .add_batch_definition_whole_dataframe("whole_table")
    )
    suite = ctx.suites.add(
        ExpectationSuite(
            name=spec["name"], expectations=spec["expectations"], meta=spec.get("meta", {})
        )
    )
    validation = ctx.validation_definitions.add(
        gx.ValidationDefinition(name=f"{name}_gate", data=batch_def, suite=suite)
    )
    result_format = {"result_format": "SUMMARY", "partial_unexpected_count": 10}
    if key_column and key_column in df.columns:
        result_format["unexpected_index_column_names"] = [key_column]
    checkpoint = ctx.checkpoints.add(
        gx.Checkpoint(
            name=f"{name}_checkpoint",
            validation_definitions=[validation],
            result_format=result_format,
        )
    )
    run = checkpoint.run(batch_parameters={"dataframe": df}, expectation_parameters=parameters)
    build_data_docs(ctx, run, output_dir)  # kept runs, offline assets: data_docs.py
    vres = next(iter(run.run_results.values()))
    outcomes = []
    for r in vres.results:
        cfg = r.expectation_config
        res = r.result or {}
        keys = [
            k.get(key_column) if isinstance(k, dict) else k
            for k in res.get("partial_unexpected_index_list") or []
        ]
        outcomes.append(
            ExpectationOutcome(
                expectation=cfg.type,
                column=cfg.kwargs.get("column"),
                success=bool(r.success),
                unexpected_count=res.get("unexpected_count"),
                observed=_json_safe(res.get("observed_value")),
                sample_keys=[_json_safe(k) for k in keys[:10]],
                note=cfg.meta.get("notes", ""),
                dimension=cfg.meta["dimension"],
            )
        )
    return _finish(
        name, df, outcomes, table_level, parameters, table_rows, output_dir, checksum, run.success
    )


def _finish(
    name: str,
    df: pd.DataFrame,
    outcomes: list[ExpectationOutcome],
    table_level: list[dict],
    parameters: dict,
    table_rows: int | None,
    output_dir: Path,
    checksum: str | None,
    run_success: bool = True,
) -> GateResult:
    """Add the table-level outcomes, write quality/<suite>.json, return the result."""
    docs_dir = output_dir / "data_docs"
    outcomes = outcomes + [_row_count(e, table_rows, parameters) for e in table_level]
    result = GateResult(
        suite=name,
        success=bool(run_success) and all(o.success for o in outcomes),
        rows=len(df),
        evaluated_at=datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        outcomes=outcomes,
        data_docs_index=str(docs_dir / "index.html"),
        checksum=checksum,
        scope="table" if table_rows is None else "changed",
    )
    quality_dir = output_dir / "quality"
    quality_dir.mkdir(parents=True, exist_ok=True)
    path = quality_dir / f"{name}.json"
    result.results_path = str(path)
    text = json.dumps(result.to_dict(), ensure_ascii=False, indent=1, default=str)
    write_text_replacing(path, text)
    return result


def read_result(name: str, output_dir: Path) -> dict | None:
    path = output_dir / "quality" / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None
