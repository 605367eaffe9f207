"""The gate runner: Great Expectations 1.x over pandas frames, results and Data Docs under the data dir.

GX's SQL datasource cannot read DuckDB (STACK-NOTES), so every gate reads its tables into pandas
first and validates the frames through a pandas datasource with one dataframe asset per suite and a
whole-dataframe batch definition. Suites are defined in code (expectations/landing.py, marts.py) and
written into the file context on every run, so the code is the single source of truth and the JSON
under `<data>/gx/` is a record of what ran.

    <data>/gx/great_expectations.yml                 the file data context
    <data>/gx/expectations/<suite>.json              suites as last run
    <data>/gx/uncommitted/validations/...            every validation result
    <data>/gx/uncommitted/data_docs/local_site/      Data Docs (index.html)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livingreview.config import data_dir

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations import ExpectationSuite

DATASOURCE = "livingreview"
# Failures listed per expectation: enough to see the problem without flooding the log.
EXAMPLES_SHOWN = 3


def gx_root() -> Path:
    return data_dir() / "gx"


def data_docs_index() -> Path:
    """Where Data Docs are rendered (GX's default local site of a file context)."""
    return gx_root() / "uncommitted" / "data_docs" / "local_site" / "index.html"


@dataclass
class GateResult:
    gate: str  # "landing" | "marts"
    success: bool
    failed_expectations: list[str] = field(default_factory=list)  # human-readable, one per failure
    data_docs_path: Path = field(default_factory=data_docs_index)
    validations: int = 0  # suite runs (one per frame validated)

    def summary(self) -> str:
        verdict = "passed" if self.success else f"FAILED ({len(self.failed_expectations)} expectations)"
        docs = self.data_docs_path
        return f"gate {self.gate}: {verdict}, {self.validations} validations; Data Docs: {docs}"


class GateFailed(RuntimeError):
    """Raised by callers that must stop on a failed gate (refresh, the DAG); carries the result."""

    def __init__(self, result: GateResult) -> None:
        self.result = result
        listed = "; ".join(result.failed_expectations[:5])
        more = len(result.failed_expectations) - 5
        suffix = f"; and {more} more" if more > 0 else ""
        super().__init__(f"gate {result.gate} failed: {listed}{suffix} (Data Docs: {result.data_docs_path})")


def raise_if_failed(result: GateResult) -> GateResult:
    if not result.success:
        raise GateFailed(result)
    return result


def quiet_gx_logging() -> None:
    """GX logs every registered metric and expectation at INFO/DEBUG: noise in Airflow task logs."""
    logging.getLogger("great_expectations").setLevel(logging.WARNING)


class GateSession:
    """One file data context for one gate run; `validate` each frame, then `finish`."""

    def __init__(self, gate: str) -> None:
        quiet_gx_logging()
        import great_expectations as gx
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.gate = gate
        self.context = gx.get_context(mode="file", project_root_dir=str(data_dir()))
        if self.context.variables.progress_bars is None:
            self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
            self.context.variables.save()
        self.datasource = self._pandas_datasource()
        self.failures: list[str] = []
        self.result_ids: list[Any] = []
        self.checkpoints: dict[str, Any] = {}
        self.validations = 0

    def _pandas_datasource(self) -> Any:
        try:
            return self.context.data_sources.get(DATASOURCE)
        except (KeyError, ValueError):
            return self.context.data_sources.add_pandas(DATASOURCE)

    def _batch_definition(self, asset_name: str) -> Any:
        try:
            asset = self.datasource.get_asset(asset_name)
        except LookupError:
            asset = self.datasource.add_dataframe_asset(asset_name)
        try:
            return asset.get_batch_definition("whole")
        except KeyError:
            return asset.add_batch_definition_whole_dataframe("whole")

    def validate(
        self,
        suite: ExpectationSuite,
        frame: pd.DataFrame,
        label: str,
    ) -> bool:
        """Run `suite` on `frame` through a Checkpoint (results persist); `label` names the run."""
        self.validations += 1
        import great_expectations as gx
        from great_expectations.core.run_identifier import RunIdentifier

        checkpoint = self.checkpoints.get(suite.name)
        if checkpoint is None:  # register the suite once per gate run: storing it is the slow part
            context = self.context
            suite = context.suites.add_or_update(suite)
            definition = context.validation_definitions.add_or_update(
                gx.ValidationDefinition(name=suite.name, data=self._batch_definition(suite.name), suite=suite)
            )
            checkpoint = context.checkpoints.add_or_update(
                gx.Checkpoint(name=suite.name, validation_definitions=[definition], result_format="SUMMARY")
            )
            self.checkpoints[suite.name] = checkpoint
        result = checkpoint.run(
            batch_parameters={"dataframe": frame},
            run_id=RunIdentifier(run_name=label),
        )
        for result_id, run_result in result.run_results.items():
            self.result_ids.append(result_id)
            self.failures.extend(
                f"{suite.name} [{label}]: {describe_failure(outcome)}"
                for outcome in run_result.results
                if not outcome.success
            )
        return bool(result.success)

    def finish(self) -> GateResult:
        """Render Data Docs for this run's results and return the verdict."""
        self.context.build_data_docs(resource_identifiers=self.result_ids)
        return GateResult(
            gate=self.gate,
            success=not self.failures,
            failed_expectations=list(self.failures),
            data_docs_path=data_docs_index(),
            validations=self.validations,
        )


def describe_failure(outcome: Any) -> str:
    """`expect_column_values_to_not_be_null(title): 2 unexpected, e.g. [None]` and the like."""
    config = outcome.expectation_config
    kwargs = config.kwargs
    target = kwargs.get("column") or kwargs.get("column_list") or kwargs.get("column_set")
    if kwargs.get("column_A"):
        target = f"{kwargs['column_A']} vs {kwargs['column_B']}"
    name = f"{config.type}({target})" if target else config.type
    if outcome.exception_info and outcome.exception_info.get("raised_exception"):
        return f"{name}: error {outcome.exception_info.get('exception_message')}"
    details = outcome.result or {}
    if details.get("unexpected_count"):
        examples = [plain(example) for example in (details.get("partial_unexpected_list") or [])]
        return f"{name}: {details['unexpected_count']} unexpected, e.g. {examples[:EXAMPLES_SHOWN]}"
    if "observed_value" in details:
        return f"{name}: observed {plain(details['observed_value'])!r}{_bounds(kwargs)}"
    return name


def plain(value: Any) -> Any:
    """numpy/pandas scalars as Python values and timestamps as ISO text, for readable messages."""
    if isinstance(value, tuple | list):
        return type(value)(plain(item) for item in value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if type(value).__module__ == "numpy":
        import pandas as pd

        return pd.Timestamp(value).isoformat() if "datetime64" in type(value).__name__ else value.item()
    return value


def _bounds(kwargs: dict[str, Any]) -> str:
    wanted = {key: kwargs[key] for key in ("min_value", "max_value", "value_set", "value") if key in kwargs}
    return f", expected {wanted}" if wanted else ""
