"""`make demo`: one weekly refresh through Airflow, offline, then the release; prints what it made.

    .airflow/            project-local AIRFLOW_HOME (SQLite metadata DB, logs, demo-*.log)
    $LIVINGREVIEW_DATA_DIR (default ./data)   landing files, warehouses, Data Docs, releases

Steps: migrate Airflow's DB and create the pools, compile the dbt manifest, start the API simulator
on a free loopback port (the real arXiv listings from the shared data dir when present, otherwise
the generated corpus), `airflow dags test living_review_weekly` for the demo week with
`api_base_url` pointing at the simulator, `airflow dags test living_review_release`, stop the
simulator, print where everything is and a few headline numbers.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

from livingreview.airflow_setup import airflow_env, airflow_executable, init_airflow
from livingreview.config import PROJECT_ROOT, data_dir, load_protocol, published_path

# The week the demo harvests: [2025-10-13, 2025-10-20), inside the recorded arXiv listings.
DEMO_RUN_DATE = "2025-10-20"
RUN_STATE = re.compile(r"DagRun Finished: dag_id=(\S+?),.*?state=(\w+)")


def airflow_home() -> Path:
    return PROJECT_ROOT / ".airflow"


def dags_test(dag_id: str, env: dict[str, str], log: Path, *extra: str) -> str:
    """`airflow dags test` with its output in `log`; returns the run's final state."""
    import subprocess

    with open(log, "w", encoding="utf-8") as handle:
        subprocess.run(
            [airflow_executable(), "dags", "test", dag_id, *extra],
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            check=False,
        )
    states = [state for dag, state in RUN_STATE.findall(log.read_text(encoding="utf-8")) if dag == dag_id]
    return states[-1] if states else "unknown"


def run_dag(dag_id: str, env: dict[str, str], *extra: str) -> None:
    log = airflow_home() / f"demo-{dag_id}.log"
    started = time.monotonic()
    state = dags_test(dag_id, env, log, *extra)
    say(f"{dag_id}: {state} in {time.monotonic() - started:.0f} s (log: {log})")
    if state != "success":
        tail = "\n".join(log.read_text(encoding="utf-8").splitlines()[-40:])
        sys.exit(f"{dag_id} did not succeed; last lines of {log}:\n{tail}")


def headline_numbers(published: Path) -> dict[str, object]:
    """Cumulative PRISMA counts of the latest update, from the published marts (read-only)."""
    import duckdb

    with duckdb.connect(str(published), read_only=True) as connection:
        cursor = connection.execute(
            "select * from mart_prisma_flow where scope = 'cumulative' order by window_end desc limit 1"
        )
        row = dict(zip([column[0] for column in cursor.description], cursor.fetchone(), strict=True))
        row["fct_studies"] = connection.execute("select count(*) from fct_studies").fetchone()[0]
    return row


def print_summary(started: float) -> None:
    from expectations.runner import data_docs_index
    from livingreview.release import releases_dir

    numbers = headline_numbers(published_path())
    per_source = ", ".join(
        f"{source} {numbers.get(f'identified_{source}', 0)}" for source in load_protocol().enabled_sources()
    )
    say("")
    say(f"published marts : {published_path()}")
    say(f"Data Docs       : {data_docs_index()}")
    say(f"release         : {releases_dir() / str(numbers['review_version'])}")
    say(f"review version  : {numbers['review_version']}")
    say(f"records identified: {numbers['records_identified']} ({per_source})")
    say(f"duplicates removed: {numbers['duplicates_removed']}, screened: {numbers['records_screened']}")
    say(f"studies included  : {numbers['studies_included']} (fct_studies rows: {numbers['fct_studies']})")
    say('query them: livingreview query "select * from mart_prisma_flow"')
    say(f"demo finished in {time.monotonic() - started:.0f} s")


def say(line: str) -> None:
    print(line, flush=True)


def main() -> None:
    from ingestion.simulator import start_simulator

    started = time.monotonic()
    airflow_home().mkdir(exist_ok=True)
    env = airflow_env(airflow_home(), LIVINGREVIEW_DATA_DIR=str(data_dir()))
    say(f"Airflow home {airflow_home()}, data dir {data_dir()}: migrating, creating pools, dbt parse")
    init_airflow(env)
    say(f"starting the API simulator ({time.monotonic() - started:.0f} s)")
    with start_simulator() as simulator:
        say(f"simulator on {simulator.base_url}; weekly refresh of the week before {DEMO_RUN_DATE}")
        conf = json.dumps({"api_base_url": simulator.base_url})
        run_dag("living_review_weekly", env, DEMO_RUN_DATE, "--conf", conf)
    run_dag("living_review_release", env)
    print_summary(started)


if __name__ == "__main__":
    main()
