"""The two DAGs as Airflow parses them: imports, schedule, structure, retries, pools, Asset wiring."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from livingreview.config import load_protocol
from livingreview.orchestration import (
    PUBLISHED_MARTS_ASSET_URI,
    WAREHOUSE_WRITER_POOL,
    harvest_groups,
    pool_specs,
    record_task_failure,
)

WEEKLY = "living_review_weekly"
PRODUCER = "dbt_build.dbt_producer_watcher"
RELEASE = "living_review_release"


@pytest.fixture(scope="module")
def weekly(dagbag):
    return dagbag.dags[WEEKLY]


@pytest.fixture(scope="module")
def release(dagbag):
    return dagbag.dags[RELEASE]


def as_scheduler_sees_it(dag):
    """The serialized DAG the scheduler works from (core timetables with scheduling logic)."""
    from airflow.serialization.serialized_objects import DagSerialization

    return DagSerialization.from_dict(DagSerialization.to_dict(dag))


def harvest_tasks(dag) -> list:
    return [task for task in dag.tasks if task.task_id.startswith("harvest_")]


def dbt_tasks(dag) -> list:
    return [task for task in dag.tasks if task.task_id.startswith("dbt_build.")]


def test_dags_import_without_errors(dagbag) -> None:
    assert dagbag.import_errors == {}
    assert {WEEKLY, RELEASE} <= set(dagbag.dags)


def test_weekly_schedule_is_the_protocol_cron_with_a_seven_day_interval(weekly) -> None:
    cadence = load_protocol().cadence
    timetable = as_scheduler_sees_it(weekly).timetable
    assert type(timetable).__name__ == "CronTriggerTimetable"
    assert timetable.serialize()["expression"] == cadence["schedule"]
    assert timetable.serialize()["interval"] == timedelta(days=cadence["window_days"]).total_seconds()
    assert weekly.catchup is bool(cadence["catchup"])
    assert weekly.max_active_runs == 1
    # The first scheduled run covers the protocol's first window, Monday to Monday.
    assert weekly.start_date == datetime(2025, 10, 13, tzinfo=UTC)


def test_scheduled_and_manual_runs_get_a_seven_day_data_interval(weekly) -> None:
    from airflow.timetables.base import TimeRestriction

    timetable = as_scheduler_sees_it(weekly).timetable
    first = timetable.next_dagrun_info(
        last_automated_data_interval=None,
        restriction=TimeRestriction(earliest=weekly.start_date, latest=None, catchup=True),
    )
    assert first.data_interval.start == datetime(2025, 10, 6, 6, tzinfo=UTC)
    assert first.data_interval.end - first.data_interval.start == timedelta(days=7)
    # `airflow dags test <dag> 2025-10-20` and manual triggers: the 7 days before the run.
    manual = timetable.infer_manual_data_interval(run_after=datetime(2025, 10, 20, tzinfo=UTC))
    assert manual.start == datetime(2025, 10, 13, tzinfo=UTC)
    assert manual.end == datetime(2025, 10, 20, tzinfo=UTC)


def test_run_params_can_override_the_window_and_the_api(weekly) -> None:
    assert {"window_start", "window_end", "api_base_url"} <= set(weekly.params.keys())
    assert all(weekly.params[name] is None for name in ("window_start", "window_end", "api_base_url"))


def test_harvest_is_mapped_over_every_enabled_source_one_task_per_api_pool(weekly) -> None:
    tasks = harvest_tasks(weekly)
    groups = harvest_groups()
    assert sorted(task.task_id for task in tasks) == sorted(f"harvest_{pool}" for pool in groups)
    mapped_sources = []
    for task in tasks:
        assert task.is_mapped
        assert task.pool == task.task_id.removeprefix("harvest_")
        mapped_sources += task.op_kwargs_expand_input.value["source"]
    assert sorted(mapped_sources) == sorted(load_protocol().enabled_sources())


def test_every_pool_the_dag_uses_is_created_by_setup(weekly) -> None:
    specs = pool_specs()
    used = {task.pool for task in weekly.tasks} - {"default_pool"}
    assert used <= set(specs)
    assert all(specs[pool]["slots"] == 1 for pool in used)


def test_every_dbt_model_and_seed_is_a_task_after_a_single_dbt_build(weekly, dbt_manifest) -> None:
    manifest = json.loads(Path(dbt_manifest).read_text(encoding="utf-8"))
    nodes = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] in {"model", "seed"} and node["package_name"] == "livingreview"
    ]
    tasks = {task.task_id: task for task in dbt_tasks(weekly)}
    producer = tasks.pop(PRODUCER)
    assert producer.pool == WAREHOUSE_WRITER_POOL  # the one DuckDB writer
    # the model retrains (when human decisions arrived) after gate 1 and before the build
    assert producer.upstream_task_ids == {"update_screening_model"}
    assert weekly.get_task("update_screening_model").upstream_task_ids == {"gate_landing"}
    for node in nodes:
        step = "run" if node["resource_type"] == "model" else "seed"
        task_id = f"dbt_build.{node['name']}.{step}"
        assert task_id in tasks, f"{node['name']} is not visible as a task"
        # consumers only mirror the producer's results: a retry would make them a second writer
        assert tasks[task_id].retries == 0, task_id
    assert any("stg_arxiv__records" in task_id for task_id in tasks)


def test_consumers_run_after_the_producer(weekly) -> None:
    """`airflow dags test` runs one task at a time: a consumer waiting before its producer deadlocks."""
    for task in dbt_tasks(weekly):
        if task.task_id != PRODUCER:
            assert PRODUCER in task.get_flat_relative_ids(upstream=True), task.task_id


def test_write_audit_publish_order(weekly) -> None:
    tasks = {task.task_id: task for task in weekly.tasks}
    for harvest in harvest_tasks(weekly):
        assert harvest.downstream_task_ids == {"gate_landing", "quarantine_failed_batch"}
    dbt_ids = {task.task_id for task in dbt_tasks(weekly)}
    leaves = {task_id for task_id in dbt_ids if not (tasks[task_id].downstream_task_ids & dbt_ids)}
    after_build = {"gate_marts", "quarantine_failed_batch"}
    assert leaves and all(tasks[task_id].downstream_task_ids == after_build for task_id in leaves)
    assert tasks["gate_marts"].downstream_task_ids == {"publish"}
    assert tasks["publish"].downstream_task_ids == set()
    assert tasks["quarantine_failed_batch"].trigger_rule == "one_failed"


def test_retries_back_off_exponentially_and_failures_are_recorded(weekly, release) -> None:
    for task in [*weekly.tasks, *release.tasks]:
        callbacks = task.on_failure_callback
        assert record_task_failure in (callbacks if isinstance(callbacks, list) else [callbacks]), (
            task.task_id
        )
    for task in [*harvest_tasks(weekly), weekly.get_task(PRODUCER), weekly.get_task("publish")]:
        assert task.retries >= 1, task.task_id
        assert task.retry_exponential_backoff >= 2, task.task_id
        assert task.max_retry_delay is not None, task.task_id
    # A gate verdict does not change on retry: fail once, quarantine once.
    assert weekly.get_task("gate_landing").retries == 0
    assert weekly.get_task("gate_marts").retries == 0


def test_publish_emits_the_asset_the_release_dag_is_scheduled_on(weekly, release) -> None:
    outlets = [outlet.uri for outlet in weekly.get_task("publish").outlets]
    assert outlets == [PUBLISHED_MARTS_ASSET_URI]
    assert [task.task_id for task in weekly.tasks if task.outlets] == ["publish"]
    condition = as_scheduler_sees_it(release).timetable.asset_condition
    scheduled_on = [asset.uri for _, asset in condition.iter_assets()]
    assert scheduled_on == [PUBLISHED_MARTS_ASSET_URI]
    assert [task.task_id for task in release.tasks] == ["write_release"]
