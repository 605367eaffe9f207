"""`airflow dags test living_review_weekly` for one week against the local API simulator.

A real Airflow (SQLite metadata DB in a throw-away AIRFLOW_HOME), real dbt through cosmos, real
gates; the simulator serves the recorded arXiv listings when the shared data dir is present.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from ingestion.simulator import start_simulator
from livingreview.airflow_setup import airflow_env, init_airflow
from livingreview.demo import DEMO_RUN_DATE, dags_test


def tail(log: Path, lines: int = 60) -> str:
    return "\n".join(log.read_text(encoding="utf-8").splitlines()[-lines:])


def test_weekly_dag_harvests_audits_builds_and_publishes_one_week(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = airflow_env(tmp_path / "airflow", LIVINGREVIEW_DATA_DIR=str(data))
    init_airflow(env)
    log = tmp_path / "weekly.log"

    with start_simulator() as simulator:
        conf = json.dumps({"api_base_url": simulator.base_url})
        state = dags_test("living_review_weekly", env, log, DEMO_RUN_DATE, "--conf", conf)

    assert state == "success", f"weekly run ended {state}:\n{tail(log)}"
    for source in ("arxiv", "medrxiv", "biorxiv", "europepmc"):
        assert (data / "landing" / source / "2025-10-13_2025-10-20" / "records.jsonl").is_file(), source
    published = data / "published" / "living_review.duckdb"
    with duckdb.connect(str(published), read_only=True) as connection:
        studies = connection.execute("select count(*) from fct_studies").fetchone()[0]
        identified, included = connection.execute(
            "select records_identified, studies_included from mart_prisma_flow "
            "where scope = 'cumulative' order by window_end desc limit 1"
        ).fetchone()
    assert identified > 0
    assert studies == included
    assert not (data / "quarantine").exists()
    publications = (data / "published" / "publications.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(publications) == 1
