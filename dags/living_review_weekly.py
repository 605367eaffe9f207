"""Weekly refresh of the living review: harvest -> gate 1 -> dbt build -> gate 2 -> publish.

Wiring only: every step is a function from the `ingestion` / `livingreview` / `expectations`
packages, imported inside its task so parsing this file stays cheap (`airflow dags report`).

- Schedule: the protocol's cron (`review/protocol.yml` cadence), with an explicit data interval of
  `window_days` (Airflow 3 cron schedules have a zero-length interval otherwise). The run at Monday
  06:00 harvests the window [previous Monday, this Monday). Backfill = `airflow backfill create`.
- Params `window_start` / `window_end` (YYYY-MM-DD) override the interval and `api_base_url`
  points every source at another server (the local simulator): `--conf` or the trigger form.
- Harvest is mapped over the enabled sources, one mapped task per API pool: Airflow gives all
  instances of a mapped task the same pool, and each API pool has one slot (one connection at a
  time to arXiv, to api.biorxiv.org shared by medRxiv and bioRxiv, to Europe PMC).
- Before the build, the screening model retrains if human decisions arrived since it was trained.
- dbt runs through astronomer-cosmos in watcher mode, rendered from the compiled manifest: one
  producer task runs a single `dbt build` (the only DuckDB writer; it holds the one slot of the
  warehouse-writer pool) and one consumer task per model, seed and test shows that node's result
  in the UI. The consumers run after the producer (see `consumers_wait_for_producer`): one dbt
  start-up instead of one per model (measured: ~2.5 min instead of ~11 min for the dbt part).
- A failed gate quarantines the batch and stops the run; publish never runs, so the published
  warehouse stays at the last good version. A failed harvest or dbt build is quarantined by
  `quarantine_failed_batch` (trigger rule one_failed). Every task failure is also recorded by
  the on-failure callback in data/failures/failures.jsonl.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

from airflow.sdk import CronTriggerTimetable, Param, TriggerRule, dag, get_current_context, task
from cosmos import (
    DbtTaskGroup,
    ExecutionConfig,
    ExecutionMode,
    InvocationMode,
    LoadMode,
    ProfileConfig,
    ProjectConfig,
    RenderConfig,
)

from livingreview.config import dbt_project_dir, load_protocol, warehouse_path
from livingreview.orchestration import (
    WAREHOUSE_WRITER_POOL,
    batch_already_quarantined,
    consumers_wait_for_producer,
    harvest_groups,
    published_marts_asset,
    record_task_failure,
    run_window,
    start_date,
    window_length,
)

PROTOCOL = load_protocol()
DBT_PROJECT = dbt_project_dir()
DBT_EXECUTABLE = Path(sys.executable).parent / "dbt"
PUBLISHED_MARTS = published_marts_asset()
DATE_PARAM = {"type": ["null", "string"], "pattern": r"^\d{4}-\d{2}-\d{2}$"}

DEFAULT_ARGS = {
    "owner": "livingreview",
    "retries": 3,
    "retry_delay": timedelta(seconds=30),
    "retry_exponential_backoff": 2.0,  # 30 s, 60 s, 120 s
    "max_retry_delay": timedelta(minutes=10),
    "on_failure_callback": record_task_failure,
}


def this_run_window() -> tuple[date, date]:
    """This run's harvest window: params, else the data interval (manual runs may have none)."""
    context = get_current_context()
    return run_window(
        context.get("data_interval_start"),
        context.get("data_interval_end"),
        context["params"],
        run_after=context["dag_run"].run_after,
        protocol=PROTOCOL,
    )


@dag(
    dag_id="living_review_weekly",
    schedule=CronTriggerTimetable(
        PROTOCOL.cadence["schedule"], timezone="UTC", interval=window_length(PROTOCOL)
    ),
    start_date=start_date(PROTOCOL),
    catchup=bool(PROTOCOL.cadence["catchup"]),
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        "window_start": Param(None, description="Window start (YYYY-MM-DD, inclusive)", **DATE_PARAM),
        "window_end": Param(None, description="Window end (YYYY-MM-DD, exclusive)", **DATE_PARAM),
        "api_base_url": Param(None, type=["null", "string"], description="Serve every source from here"),
    },
    tags=["living-review"],
    doc_md=__doc__,
)
def living_review_weekly():
    @task(retries=5)
    def harvest(source: str) -> list[str]:
        from livingreview.refresh import harvest_source

        start, end = this_run_window()
        return harvest_source(source, start, end, base_url=get_current_context()["params"]["api_base_url"])

    @task(retries=0)
    def gate_landing() -> list[str]:
        from livingreview.refresh import gate_landing_windows, landing_windows

        windows = landing_windows(*this_run_window())
        gate_landing_windows(get_current_context()["run_id"], windows)
        warehouse_path().parent.mkdir(parents=True, exist_ok=True)  # DuckDB creates files, not folders
        return [str(window) for window in windows]

    @task(retries=1)
    def update_screening_model() -> str:
        from livingreview.refresh import update_screening_model

        return update_screening_model()

    @task(retries=0)
    def gate_marts(windows: list[str]) -> None:
        from livingreview.refresh import gate_warehouse

        gate_warehouse(get_current_context()["run_id"], [Path(window) for window in windows])

    @task(retries=1, outlets=[PUBLISHED_MARTS])
    def publish() -> dict:
        from livingreview.refresh import publish_batch

        result = publish_batch(get_current_context()["run_id"])
        return {"path": str(result.path), "sha256": result.sha256, "review_version": result.review_version}

    @task(retries=0, trigger_rule=TriggerRule.ONE_FAILED)
    def quarantine_failed_batch() -> None:
        """A harvest or dbt task failed: quarantine what this run landed (the gates do it themselves)."""
        from livingreview.refresh import fail_batch, landing_windows

        batch_id = get_current_context()["run_id"]
        if not batch_already_quarantined(batch_id):
            # The run already failed (publish is upstream_failed); this task only cleans up.
            fail_batch(batch_id, landing_windows(*this_run_window()), "harvest or build", "a task failed")

    harvests = [
        harvest.override(task_id=f"harvest_{pool}", pool=pool).expand(source=sources)
        for pool, sources in harvest_groups(PROTOCOL).items()
    ]
    windows = gate_landing()
    dbt_build = DbtTaskGroup(
        group_id="dbt_build",
        project_config=ProjectConfig(
            dbt_project_path=DBT_PROJECT,
            manifest_path=DBT_PROJECT / "target" / "manifest.json",
            install_dbt_deps=False,
        ),
        profile_config=ProfileConfig(
            profile_name="livingreview",
            target_name="work",
            profiles_yml_filepath=DBT_PROJECT / "profiles.yml",
        ),
        execution_config=ExecutionConfig(
            execution_mode=ExecutionMode.WATCHER,
            invocation_mode=InvocationMode.SUBPROCESS,
            dbt_executable_path=DBT_EXECUTABLE,
            # The producer runs the one `dbt build` and is the only DuckDB writer.
            setup_operator_args={"pool": WAREHOUSE_WRITER_POOL, "retries": 1},
        ),
        render_config=RenderConfig(load_method=LoadMode.DBT_MANIFEST, emit_datasets=False),
        # Per-model consumer tasks only read the producer's results; retries=0 because a retried
        # consumer would run its model itself, a second DuckDB writer.
        operator_args={
            "append_env": True,
            "deferrable": False,
            "poke_interval": 5,
            "timeout": 3600,
            "retries": 0,
        },
    )
    consumers_wait_for_producer(dbt_build)
    harvests >> windows >> update_screening_model() >> dbt_build >> gate_marts(windows) >> publish()
    [*harvests, dbt_build] >> quarantine_failed_batch()


living_review_weekly()
