"""The weekly chain without Airflow: harvest -> gate landing -> dbt build -> gate marts -> publish.

`livingreview refresh` calls `refresh`; the Airflow DAG calls the same step functions, one per task:

    harvest_source(source, start, end, base_url=None) -> list[str]          one mapped task per source
    landing_windows(start, end, sources=None) -> list[Path]                 the run's landed windows
    gate_landing_windows(batch_id, windows) -> GateResult                   gate 1
    build_warehouse(batch_id, windows) -> BuildSummary                      (the DAG uses cosmos instead)
    gate_warehouse(batch_id, windows) -> GateResult                         gate 2
    publish_batch(batch_id) -> PublishResult                                atomic publish
    fail_batch(batch_id, windows, stage, error, warehouse=None) -> Path     quarantine + failure record

Every step that fails quarantines the batch (its landing windows move to data/quarantine/<batch>/,
so the next build no longer reads them), records the failure in data/failures/failures.jsonl and
raises BatchFailed; nothing is published, so the published warehouse stays byte-identical.
Heavy modules (GX, pandas, duckdb, the harvest clients) are imported inside the steps: DAG files
import this module at parse time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livingreview.config import landing_dir, load_protocol, warehouse_path
from livingreview.publish import PublishResult, publish_warehouse, quarantine_batch, record_failure

if TYPE_CHECKING:
    from expectations.runner import GateResult
    from ingestion.harvest import HarvestResult
    from livingreview.build import BuildSummary

Report = Callable[[str], None]


class BatchFailed(RuntimeError):
    """A step failed: the batch is quarantined at `quarantine` and the failure recorded."""

    def __init__(
        self,
        stage: str,
        batch_id: str,
        reason: str,
        quarantine: Path | None,
        details: list[str] | None = None,
    ) -> None:
        self.stage = stage
        self.batch_id = batch_id
        self.reason = reason
        self.quarantine = quarantine
        self.details = details or []  # e.g. every failed expectation
        where = f"; batch quarantined in {quarantine}" if quarantine else ""
        super().__init__(f"{stage} failed: {reason}{where}")


@dataclass
class RefreshResult:
    batch_id: str
    windows: list[Path]
    landing: GateResult
    build: BuildSummary
    marts: GateResult
    publication: PublishResult
    harvests: list[HarvestResult] = field(default_factory=list)
    seconds: float = 0.0


def refresh(
    start: date,
    end: date,
    sources: list[str] | None = None,
    base_url: str | None = None,
    report: Report = lambda line: None,
) -> RefreshResult:
    """Harvest every 7-day window of [start, end) from each source, audit, build, audit, publish."""
    started = time.monotonic()
    windows_wanted = weekly_windows(start, end)
    sources = check_sources(sources)
    batch_id = new_batch_id(start, end)
    report(
        f"refresh {start}..{end}: {len(windows_wanted)} windows x {len(sources)} sources, batch {batch_id}"
    )
    harvests = harvest_batch(batch_id, windows_wanted, sources, base_url, report)
    windows = [result.window for result in harvests]
    landing = timed(report, lambda: gate_landing_windows(batch_id, windows), lambda result: result.summary())
    timed(report, update_screening_model, lambda outcome: outcome)
    build = timed(report, lambda: build_warehouse(batch_id, windows), lambda result: result.line())
    marts = timed(report, lambda: gate_warehouse(batch_id, windows), lambda result: result.summary())
    publication = timed(report, lambda: publish_batch(batch_id), lambda result: result.summary())
    seconds = time.monotonic() - started
    report(f"refresh done in {seconds:.1f} s")
    return RefreshResult(batch_id, windows, landing, build, marts, publication, harvests, seconds)


def timed(report: Report, step: Callable[[], Any], describe: Callable[[Any], str]) -> Any:
    """Run one step and report its one-line outcome with how long it took."""
    started = time.monotonic()
    result = step()
    report(f"{describe(result)} [{time.monotonic() - started:.1f} s]")
    return result


# ---------------------------------------------------------------- windows and batches


def weekly_windows(start: date, end: date) -> list[tuple[date, date]]:
    """[start, end) cut into the protocol's windows (7 days); the span must be whole windows."""
    length = int(load_protocol().cadence["window_days"])
    days = (end - start).days
    if days <= 0 or days % length:
        raise ValueError(f"{start}..{end} is not a whole number of {length}-day windows")
    return [
        (start + timedelta(days=offset), start + timedelta(days=offset + length))
        for offset in range(0, days, length)
    ]


def check_sources(sources: list[str] | None) -> list[str]:
    protocol = load_protocol()
    for source in sources or []:
        protocol.source(source)  # raises ValueError naming the known sources
    return list(sources) if sources else protocol.enabled_sources()


def new_batch_id(start: date, end: date) -> str:
    return f"refresh_{start}_{end}_{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}"


def landing_windows(start: date, end: date, sources: list[str] | None = None) -> list[Path]:
    """The landed window folders of [start, end) (whole windows), for a run's gate and quarantine."""
    from ingestion.contract import window_key

    folders = [
        landing_dir() / source / window_key(window_start, window_end)
        for source in check_sources(sources)
        for window_start, window_end in weekly_windows(start, end)
    ]
    return [folder for folder in folders if folder.is_dir()]


# ---------------------------------------------------------------- steps


def harvest_source(source: str, start: date, end: date, base_url: str | None = None) -> list[str]:
    """Harvest each window of [start, end) from one source; the landed folders (str, for XCom)."""
    from ingestion.harvest import harvest_window

    return [
        str(harvest_window(source, first, last, base_url).window)
        for first, last in weekly_windows(start, end)
    ]


def harvest_batch(
    batch_id: str,
    windows: list[tuple[date, date]],
    sources: list[str],
    base_url: str | None,
    report: Report,
) -> list[HarvestResult]:
    """Harvest every (source, window); on an error the windows landed so far are quarantined, since
    nothing may reach a build without passing gate 1."""
    from ingestion.harvest import HarvestError, harvest_window

    results: list[HarvestResult] = []
    for source in sources:
        for start, end in windows:
            started = time.monotonic()
            try:
                result = harvest_window(source, start, end, base_url)
            except HarvestError as error:
                landed = [earlier.window for earlier in results]
                raise fail_batch(batch_id, landed, "harvest", error) from error
            results.append(result)
            report(
                f"harvest {source} {start}..{end}: {result.retrieved}/{result.api_reported_total} records, "
                f"{result.pages} pages, {result.retries} retries [{time.monotonic() - started:.1f} s]"
            )
    return results


def gate_landing_windows(batch_id: str, windows: list[Path]) -> GateResult:
    """Gate 1 over the batch's landing windows."""
    from expectations import gate_landing

    result = gate_landing(windows)
    if not result.success:
        raise fail_batch(
            batch_id, windows, "gate_landing", _gate_reason(result), details=result.failed_expectations
        )
    return result


def update_screening_model() -> str:
    """Retrain the prioritisation model when human decisions (or the criteria) changed.

    The model only ranks and votes; without its training text (the labelled sample is read from the
    shared recorded listings) the build goes on with rule and human decisions alone.
    """
    from livingreview.prioritisation import retrain_if_new_decisions

    try:
        version = retrain_if_new_decisions()
    except (LookupError, FileNotFoundError) as error:
        return f"screening model not retrained ({error}); model votes stay as they were"
    return f"screening model retrained: {version}" if version else "screening model up to date"


def build_warehouse(batch_id: str, windows: list[Path]) -> BuildSummary:
    """`dbt build` of the work warehouse (seeds, models, dbt tests)."""
    from livingreview.build import BuildError, run_dbt_build

    try:
        return run_dbt_build()
    except BuildError as error:
        raise fail_batch(
            batch_id, windows, "build", error, warehouse=warehouse_path(), details=error.failed_nodes
        ) from error


def gate_warehouse(batch_id: str, windows: list[Path]) -> GateResult:
    """Gate 2 over the work warehouse's marts."""
    from expectations import gate_marts

    result = gate_marts(warehouse_path())
    if not result.success:
        raise fail_batch(
            batch_id,
            windows,
            "gate_marts",
            _gate_reason(result),
            warehouse=warehouse_path(),
            details=result.failed_expectations,
        )
    return result


def publish_batch(batch_id: str) -> PublishResult:
    """Publish the audited work warehouse (call only after both gates passed)."""
    try:
        return publish_warehouse()
    except (OSError, RuntimeError) as error:  # nothing was replaced: the old file is still published
        record_failure("publish", batch_id, str(error))
        raise BatchFailed("publish", batch_id, str(error), None) from error


def fail_batch(
    batch_id: str,
    windows: list[Path],
    stage: str,
    error: BaseException | str,
    warehouse: Path | None = None,
    details: list[str] | None = None,
) -> BatchFailed:
    """Quarantine the batch and record the failure; returns the exception for the caller to raise."""
    reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    quarantine = quarantine_batch(batch_id, windows, warehouse, f"{stage}: {reason}", details=details)
    record_failure(stage, batch_id, reason, {"quarantine": str(quarantine), "failed": details})
    return BatchFailed(stage, batch_id, reason, quarantine, details)


def _gate_reason(result: GateResult) -> str:
    return f"{len(result.failed_expectations)} failed expectations (Data Docs: {result.data_docs_path})"
