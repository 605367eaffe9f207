"""What the Airflow DAGs need from the protocol: schedule, windows, pools, the published Asset.

The DAG files in `dags/` only wire tasks together; every decision about *when* a week runs, *which*
window it covers and *which pool* guards which API lives here, where it can be unit-tested without
Airflow. Only light imports at module level (the DAG processor imports this on every parse).
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from livingreview.config import Protocol, load_protocol, quarantine_dir

log = logging.getLogger(__name__)

# The one DuckDB writer: the dbt producer task takes this pool's only slot, so two dbt builds
# (e.g. a backfill beside a scheduled run) never open the work warehouse at once.
WAREHOUSE_WRITER_POOL = "warehouse_writer"
# The Asset `publish` updates and the release DAG is scheduled on.
PUBLISHED_MARTS_ASSET_NAME = "living_review_published"
PUBLISHED_MARTS_ASSET_URI = "livingreview://published/living_review"
# The task cosmos' watcher mode creates to run the single `dbt build`.
PRODUCER_TASK_SUFFIX = ".dbt_producer_watcher"
# Run parameters (DAG params / `--conf`) that override the data interval and the API endpoint.
RUN_PARAMS = ("window_start", "window_end", "api_base_url")


def published_marts_asset() -> Any:
    """The Airflow Asset of the published warehouse (both DAGs must build the same one)."""
    from airflow.sdk import Asset

    return Asset(name=PUBLISHED_MARTS_ASSET_NAME, uri=PUBLISHED_MARTS_ASSET_URI)


def start_date(protocol: Protocol | None = None) -> datetime:
    """The first scheduled run: the end of the first window (`cadence.start_date` + window_days).

    CronTriggerTimetable runs at the cron time and covers the `interval` before it, so the run that
    covers the first window fires when that window closes.
    """
    cadence = (protocol or load_protocol()).cadence
    first_window_start = date.fromisoformat(str(cadence["start_date"]))
    first_run = first_window_start + timedelta(days=int(cadence["window_days"]))
    return datetime(first_run.year, first_run.month, first_run.day, tzinfo=UTC)


def window_length(protocol: Protocol | None = None) -> timedelta:
    return timedelta(days=int((protocol or load_protocol()).cadence["window_days"]))


def harvest_groups(protocol: Protocol | None = None) -> dict[str, list[str]]:
    """Enabled sources grouped by the pool that guards their API (`sources.<s>.pool`).

    Airflow applies one pool to every instance of a mapped task (`pool` is a partial-only
    argument), so the DAG maps one harvest task per pool over that pool's sources.
    """
    protocol = protocol or load_protocol()
    groups: dict[str, list[str]] = defaultdict(list)
    for source in protocol.enabled_sources():
        groups[protocol.source(source)["pool"]].append(source)
    return dict(groups)


def pool_specs(protocol: Protocol | None = None) -> dict[str, dict[str, Any]]:
    """Pools in `airflow pools import` format: one slot per rate-limited API, one for the writer."""
    specs = {
        pool: {"slots": 1, "description": f"one connection at a time to the API of {', '.join(sources)}"}
        for pool, sources in harvest_groups(protocol).items()
    }
    specs[WAREHOUSE_WRITER_POOL] = {"slots": 1, "description": "the single DuckDB writer (dbt)"}
    return specs


def write_pools_file(path: Path, protocol: Protocol | None = None) -> Path:
    path.write_text(json.dumps(pool_specs(protocol), indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return path


def run_window(
    data_interval_start: datetime | None,
    data_interval_end: datetime | None,
    params: dict[str, Any],
    run_after: datetime | None = None,
    protocol: Protocol | None = None,
) -> tuple[date, date]:
    """The harvest window [start, end) of a run, as dates (UTC).

    From the run's params when they name a window (both ends, non-empty); else from the data
    interval (scheduled, backfill and `dags test <date>` runs); else, for a manual run triggered
    without a logical date (it has no data interval), the `window_days` before `run_after`.
    """
    start_param, end_param = params.get("window_start"), params.get("window_end")
    if start_param or end_param:
        if not (start_param and end_param):
            raise ValueError("window_start and window_end must be given together")
        start, end = date.fromisoformat(str(start_param)), date.fromisoformat(str(end_param))
    elif data_interval_start is not None and data_interval_end is not None:
        start = data_interval_start.astimezone(UTC).date()
        end = data_interval_end.astimezone(UTC).date()
    elif run_after is not None:
        end = run_after.astimezone(UTC).date()
        start = end - window_length(protocol)
    else:
        raise ValueError("run has no data interval, no run_after and no window_start/window_end params")
    if start >= end:
        raise ValueError(f"empty window {start} .. {end}")
    return start, end


def record_task_failure(context: dict[str, Any]) -> None:
    """`on_failure_callback` of every task: log the failure and append it to the failures log
    (data/failures/failures.jsonl), which the report and operators read."""
    from livingreview.publish import record_failure

    task_instance = context["task_instance"]
    exception = context.get("exception")
    message = f"{type(exception).__name__}: {exception}" if exception else "task failed"
    details = {
        "dag_id": task_instance.dag_id,
        "task_id": task_instance.task_id,
        "map_index": task_instance.map_index,
        "try_number": task_instance.try_number,
    }
    record_failure("airflow_task", context["run_id"], message, details)
    log.error("task %s of run %s failed: %s", task_instance.task_id, context["run_id"], message)


def batch_already_quarantined(batch_id: str) -> bool:
    """A gate that failed has quarantined its batch already; the clean-up task must not do it twice."""
    from livingreview.publish import safe_name

    return (quarantine_dir() / safe_name(batch_id) / "quarantine.json").is_file()


def consumers_wait_for_producer(dbt_group: Any) -> None:
    """Make cosmos' watcher producer (the one `dbt build`) upstream of the per-model consumer tasks.

    Cosmos lets consumers start beside the producer and wait for its results (deferred or poking).
    `airflow dags test` runs tasks one at a time, so a waiting consumer that runs first blocks the
    producer forever. Behind the producer, each consumer finds its model's result at the first look:
    the UI still shows one task per model and test, for the price of a single dbt invocation.
    """
    tasks = [task for task in dbt_group.dag.tasks if task.task_id.startswith(f"{dbt_group.group_id}.")]
    producer = next(task for task in tasks if task.task_id.endswith(PRODUCER_TASK_SUFFIX))
    group_ids = {task.task_id for task in tasks}
    for task in tasks:
        if task is not producer and not task.upstream_task_ids & group_ids:
            producer >> task
