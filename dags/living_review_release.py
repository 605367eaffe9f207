"""Versioned release of the living review, each time the weekly refresh publishes new marts.

Scheduled on the Asset `publish` updates: writes `data/releases/<review_version>/` (Parquet per
mart + manifest.json with versions, row counts and sha256 checksums). The HTML report joins the
release in a later issue. Wiring only: the work is `livingreview.release.write_release`.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import dag, task

from livingreview.orchestration import published_marts_asset, record_task_failure

PUBLISHED_MARTS = published_marts_asset()


@dag(
    dag_id="living_review_release",
    schedule=[PUBLISHED_MARTS],
    catchup=False,
    max_active_runs=1,
    default_args={
        "owner": "livingreview",
        "retries": 2,
        "retry_delay": timedelta(seconds=30),
        "retry_exponential_backoff": 2.0,
        "on_failure_callback": record_task_failure,
    },
    tags=["living-review"],
    doc_md=__doc__,
)
def living_review_release():
    @task
    def write_release() -> dict:
        from livingreview.release import write_release as write

        release = write()
        return {"path": str(release.path), "review_version": release.review_version, "marts": release.marts}

    write_release()


living_review_release()
