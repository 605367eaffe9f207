"""End to end under the real scheduler: PostgreSQL, api-server, scheduler, dag-processor, LocalExecutor.

1. A run triggered through the REST API (JWT from POST /auth/token) against a clean simulator
   succeeds and publishes the marts.
2. A run against a simulator serving corrupt records fails at a gate, its batch is quarantined and
   the published warehouse is byte-identical.

PostgreSQL must listen on 127.0.0.1:5432 with trust auth for `postgres`; if it does not, the test
starts the local cluster with pg_ctlcluster. Everything started here runs in its own process group
and is killed at teardown, whatever happened.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import requests

from ingestion.simulator import start_simulator
from livingreview.airflow_setup import airflow_env, airflow_executable, init_airflow
from livingreview.publish import file_sha256, safe_name

pytestmark = pytest.mark.e2e

DAG_ID = "living_review_weekly"
WEEK = {"window_start": "2025-10-13", "window_end": "2025-10-20"}
POSTGRES = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
COMPONENTS = ("api-server", "scheduler", "dag-processor")
STARTUP_TIMEOUT_S = 180
RUN_TIMEOUT_S = 1200


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------- PostgreSQL


def postgres_connection(database: str = "postgres"):
    import psycopg2

    connection = psycopg2.connect(dbname=database, connect_timeout=5, **POSTGRES)
    connection.autocommit = True
    return connection


def ensure_postgres_running() -> None:
    """Start the local cluster if nothing answers on 5432 (CI machines may boot without it)."""
    import psycopg2

    try:
        postgres_connection().close()
        return
    except psycopg2.OperationalError:
        pass
    for version in sorted(os.listdir("/etc/postgresql")) if os.path.isdir("/etc/postgresql") else []:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"],
            check=False,
            capture_output=True,
        )
    deadline = time.monotonic() + 30
    while True:
        try:
            postgres_connection().close()
            return
        except psycopg2.OperationalError as error:
            if time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL is not running on 127.0.0.1:5432: {error}") from error
            time.sleep(1)


@pytest.fixture(scope="module")
def metadata_db() -> Iterator[str]:
    """A dedicated, dropped-afterwards database for Airflow's metadata."""
    ensure_postgres_running()
    name = f"lr_e2e_{os.getpid()}_{secrets.token_hex(3)}"
    connection = postgres_connection()  # no `with connection`: psycopg2 would open a transaction
    with connection.cursor() as cursor:
        cursor.execute(f'create database "{name}"')
    connection.close()
    try:
        yield f"postgresql+psycopg2://{POSTGRES['user']}@{POSTGRES['host']}:{POSTGRES['port']}/{name}"
    finally:
        connection = postgres_connection()
        with connection.cursor() as cursor:
            cursor.execute(f'drop database if exists "{name}" with (force)')
        connection.close()


# ---------------------------------------------------------------- Airflow


@dataclass
class Airflow:
    home: Path
    data: Path
    api: str
    env: dict[str, str]
    token: str = ""

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return requests.request(method, f"{self.api}{path}", headers=headers, timeout=30, **kwargs)

    def logs(self) -> str:
        return "\n".join(
            f"--- {log.name} (tail)\n" + "\n".join(log.read_text(errors="replace").splitlines()[-30:])
            for log in sorted(self.home.glob("*.out"))
        )


def start_component(component: str, env: dict[str, str], home: Path, port: int) -> subprocess.Popen:
    arguments = [airflow_executable(), component] + (
        ["--port", str(port)] if component == "api-server" else []
    )
    with open(home / f"{component}.out", "wb") as output:
        return subprocess.Popen(
            arguments, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def stop_component(process: subprocess.Popen) -> None:
    """SIGTERM the component's process group (its workers too), SIGKILL what is left after 20 s."""
    for sig, wait_s in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait_s)
            return
        except subprocess.TimeoutExpired:
            continue


def wait_for(what: str, check, timeout_s: float, airflow: Airflow, interval_s: float = 2.0):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            result = check()
        except requests.RequestException:
            result = None
        if result:
            return result
        time.sleep(interval_s)
    pytest.fail(f"timed out after {timeout_s:.0f} s waiting for {what}\n{airflow.logs()}")


def login(airflow: Airflow) -> str:
    """JWT for `admin` from the simple auth manager's generated password file."""
    passwords = airflow.home / "simple_auth_manager_passwords.json.generated"
    password = json.loads(passwords.read_text(encoding="utf-8"))["admin"]
    response = requests.post(
        f"{airflow.api}/auth/token", json={"username": "admin", "password": password}, timeout=30
    )
    response.raise_for_status()
    return response.json()["access_token"]


@pytest.fixture(scope="module")
def airflow(metadata_db: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Airflow]:
    home = tmp_path_factory.mktemp("airflow-e2e")
    data = home / "data"
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    env = airflow_env(
        home,
        AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=metadata_db,
        AIRFLOW__CORE__EXECUTOR="LocalExecutor",
        AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"{api}/execution/",
        AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS="admin:admin",
        # Every component must verify the JWTs the others sign.
        AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_urlsafe(32),
        AIRFLOW__API__SECRET_KEY=secrets.token_urlsafe(32),
        # Only the runs this test triggers: unpausing must not start the latest scheduled week.
        AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE="False",
        AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5",
        LIVINGREVIEW_DATA_DIR=str(data),
    )
    init_airflow(env)
    processes = [start_component(component, env, home, port) for component in COMPONENTS]
    instance = Airflow(home, data, api, env)
    try:
        wait_for(
            "the api-server health endpoint",
            lambda: requests.get(f"{api}/api/v2/monitor/health", timeout=5).ok,
            STARTUP_TIMEOUT_S,
            instance,
        )
        instance.token = wait_for("a login token", lambda: login(instance), 60, instance)
        wait_for(
            f"the dag-processor to register {DAG_ID}",
            lambda: instance.request("GET", f"/api/v2/dags/{DAG_ID}").ok,
            STARTUP_TIMEOUT_S,
            instance,
        )
        unpaused = instance.request("PATCH", f"/api/v2/dags/{DAG_ID}", json={"is_paused": False})
        assert unpaused.ok, unpaused.text
        yield instance
    finally:
        for process in processes:
            stop_component(process)


def trigger(airflow: Airflow, conf: dict) -> str:
    response = airflow.request(
        "POST", f"/api/v2/dags/{DAG_ID}/dagRuns", json={"logical_date": None, "conf": conf}
    )
    assert response.ok, response.text
    return response.json()["dag_run_id"]


def wait_for_run(airflow: Airflow, run_id: str) -> str:
    def finished() -> str | None:
        state = airflow.request("GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}").json()["state"]
        return state if state in {"success", "failed"} else None

    return wait_for(f"run {run_id} to finish", finished, RUN_TIMEOUT_S, airflow, interval_s=5)


def task_states(airflow: Airflow, run_id: str) -> dict[str, str]:
    response = airflow.request(
        "GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances", params={"limit": 200}
    )
    return {
        f"{ti['task_id']}[{ti['map_index']}]" if ti["map_index"] >= 0 else ti["task_id"]: ti["state"]
        for ti in response.json()["task_instances"]
    }


def failed_task_logs(airflow: Airflow, run_id: str) -> str:
    """The logs of the run's failed tasks, for the assertion message."""
    response = airflow.request(
        "GET", f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances", params={"limit": 200}
    )
    sections = []
    for ti in response.json()["task_instances"]:
        if ti["state"] != "failed":
            continue
        log = airflow.request(
            "GET",
            f"/api/v2/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/{ti['task_id']}/logs/{ti['try_number']}",
            params={"map_index": ti["map_index"], "full_content": "true"},
            headers={"Accept": "text/plain"},
        )
        sections.append(f"--- {ti['task_id']} [{ti['map_index']}]\n{log.text[-4000:]}")
    return "\n".join(sections) or "(no failed task)"


def test_weekly_runs_under_the_scheduler_and_a_corrupt_week_never_reaches_readers(airflow: Airflow) -> None:
    published = airflow.data / "published" / "living_review.duckdb"

    with start_simulator() as clean:
        good_run = trigger(airflow, {**WEEK, "api_base_url": clean.base_url})
        state = wait_for_run(airflow, good_run)
    assert state == "success", f"{task_states(airflow, good_run)}\n{failed_task_logs(airflow, good_run)}"
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute("select count(*) from mart_prisma_flow").fetchone()[0] > 0
        connection.execute("select count(*) from fct_studies").fetchone()
    published_sha256 = file_sha256(published)

    with start_simulator(faults=frozenset({"corrupt"}), fault_rate=1.0) as corrupt:
        bad_run = trigger(airflow, {**WEEK, "api_base_url": corrupt.base_url})
        state = wait_for_run(airflow, bad_run)
    states = task_states(airflow, bad_run)
    assert state == "failed", states
    assert states["gate_landing"] == "failed", f"{states}\n{failed_task_logs(airflow, bad_run)}"
    assert states["publish"] == "upstream_failed", states
    quarantine = airflow.data / "quarantine" / safe_name(bad_run) / "quarantine.json"
    assert quarantine.is_file(), f"batch {bad_run} was not quarantined"
    assert json.loads(quarantine.read_text(encoding="utf-8"))["reason"].startswith("gate_landing")
    assert file_sha256(published) == published_sha256
