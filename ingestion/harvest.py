"""Harvest one source for one window into landing files, or re-parse a landed window.

Called by the CLI (`livingreview harvest` / `reparse`), by `livingreview refresh` and by the
Airflow DAG, so it knows nothing about click or Airflow: plain arguments in, a HarvestResult
out, HarvestError (after recording the failed run) when the harvest cannot be trusted.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ingestion import arxiv_client, cshl_client, europepmc_client
from ingestion.code_version import code_version
from ingestion.contract import search_run_id as make_search_run_id
from ingestion.http_session import HttpSettings, PoliteSession, RequestStats
from ingestion.landing_writer import RAW_INDEX, WindowWriter, serialize_records, write_records
from ingestion.source_client import SearchSpec, SourceClient, WindowProgress
from livingreview.config import Protocol, landing_dir, load_protocol

CLIENTS: dict[str, SourceClient] = {  # each client module implements the SourceClient protocol
    "arxiv": arxiv_client,
    "medrxiv": cshl_client,
    "biorxiv": cshl_client,
    "europepmc": europepmc_client,
}


class HarvestError(RuntimeError):
    """The harvest failed and was recorded under landing/_failed/; the window is unchanged."""


class ShortHarvestError(Exception):
    """Fewer records retrieved than the API reported, beyond the protocol's tolerance."""


@dataclass(frozen=True)
class HarvestResult:
    source: str
    window: Path
    search_run_id: str
    api_reported_total: int | None
    retrieved: int
    pages: int
    requests: int
    retries: int
    status: str


def harvest_window(
    source: str, start: date, end: date, base_url: str | None = None, protocol: Protocol | None = None
) -> HarvestResult:
    """Harvest [start, end) from `source` into `landing/<source>/<start>_<end>/`, replacing
    any previous copy; raise HarvestError (after recording the run) when it fails."""
    protocol = protocol or load_protocol()
    config = protocol.source(source)  # ValueError for an unknown source
    check_window(start, end)
    client = CLIENTS[source]
    spec = client.search_spec(source, config, (base_url or protocol.base_url(source)).rstrip("/"), start, end)
    run_id = make_search_run_id(source, start, end)
    run_uuid = uuid.uuid4().hex
    writer = WindowWriter(landing_dir(), source, start, end, run_uuid)
    progress = WindowProgress()
    started_at = _utc_now()
    with PoliteSession(HttpSettings.from_protocol(protocol, source), recorder=writer) as session:
        try:
            client.fetch_window(session, spec, run_id, progress)
            lines = serialize_records(progress.records)
            check_completeness(progress.api_reported_total, len(lines), float(config["tolerance"]))
        except BaseException as exc:  # interrupts too: a stopped harvest is recorded, never landed
            run = _run_log(spec, protocol, run_id, run_uuid, started_at, progress, session.stats, exc)
            failed = writer.fail(run)
            if not isinstance(exc, Exception):
                raise
            raise HarvestError(f"{run_id} failed: {run['error']} (run recorded in {failed})") from exc
    run = _run_log(spec, protocol, run_id, run_uuid, started_at, progress, session.stats, None, len(lines))
    window = writer.commit(lines, run)
    return HarvestResult(
        source=source,
        window=window,
        search_run_id=run_id,
        api_reported_total=progress.api_reported_total,
        retrieved=len(lines),
        pages=progress.pages,
        requests=session.stats.requests,
        retries=session.stats.retries,
        status="succeeded",
    )


def check_window(start: date, end: date) -> None:
    if end <= start:
        raise ValueError(f"window end {end} must be after its start {start}")


def check_completeness(reported: int | None, retrieved: int, tolerance: float) -> None:
    """Never a silent short harvest: the share of reported records not retrieved must stay
    within the protocol's tolerance (retrieving more than reported is not a shortfall)."""
    if reported is None:
        raise ShortHarvestError("the API never reported a total")
    if reported == 0 or retrieved >= reported:
        return
    shortfall = (reported - retrieved) / reported
    if shortfall > tolerance:
        raise ShortHarvestError(
            f"short harvest: retrieved {retrieved} of {reported} reported "
            f"({shortfall:.1%} missing, tolerance {tolerance:.1%})"
        )


def reparse_window(path: Path) -> int:
    """Rebuild records.jsonl of a landed window from its raw/ responses, without fetching;
    returns the number of records written."""
    path = Path(path)
    run = json.loads((path / "run.json").read_text(encoding="utf-8"))
    raw_index = json.loads((path / "raw" / RAW_INDEX).read_text(encoding="utf-8"))
    client = CLIENTS[run["source"]]
    records: list[dict[str, Any]] = []
    for entry in raw_index:
        if entry["accepted"]:
            body = (path / "raw" / entry["file"]).read_bytes()
            records.extend(client.parse_records(body, run["source"], run["search_run_id"]))
    lines = serialize_records(records)
    write_records(path / "records.jsonl", lines)
    return len(lines)


def _run_log(
    spec: SearchSpec,
    protocol: Protocol,
    run_id: str,
    run_uuid: str,
    started_at: str,
    progress: WindowProgress,
    stats: RequestStats,
    error: BaseException | None,
    retrieved: int | None = None,
) -> dict[str, Any]:
    """The search-run log row (contract RUN_FIELDS, in order)."""
    return {
        "search_run_id": run_id,
        "run_uuid": run_uuid,
        "source": spec.source,
        "endpoint": spec.endpoint,
        "query": spec.query,
        "params": spec.params,
        "window_start": f"{spec.window_start.isoformat()}T00:00:00Z",
        "window_end": f"{spec.window_end.isoformat()}T00:00:00Z",
        "started_at": started_at,
        "finished_at": _utc_now(),
        "api_reported_total": progress.api_reported_total,
        "retrieved": len(progress.records) if retrieved is None else retrieved,
        "pages": progress.pages,
        "requests": stats.requests,
        "retries": stats.retries,
        "http_errors": stats.http_errors,
        "status": "failed" if error else "succeeded",
        "error": _describe(error) if error else None,
        "protocol_version": protocol.version,
        "code_version": code_version(),
    }


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _utc_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
