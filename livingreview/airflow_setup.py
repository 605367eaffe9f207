"""Prepare an Airflow installation for the pipeline: metadata DB, pools, admin login, dbt manifest.

One routine for every place Airflow runs: `make demo` (SQLite), the DAG and end-to-end tests
(SQLite / PostgreSQL) and the `airflow-init` service of docker-compose.yml
(`python -m livingreview.airflow_setup`). Airflow itself is driven through its CLI, in a
subprocess, so this module stays importable without paying Airflow's import cost.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from livingreview.config import PROJECT_ROOT
from livingreview.orchestration import write_pools_file

log = logging.getLogger(__name__)

ADMIN_USER = "admin"


def airflow_executable() -> str:
    """The `airflow` script beside this interpreter (the project venv, or the image's Python)."""
    return str(Path(sys.executable).parent / "airflow")


def airflow_env(airflow_home: Path, **settings: str) -> dict[str, str]:
    """Environment for Airflow processes run from this checkout, on top of the current one.

    `settings` are extra variables (e.g. AIRFLOW__DATABASE__SQL_ALCHEMY_CONN) and win over defaults.
    """
    env = dict(os.environ)
    env.update(
        {
            "AIRFLOW_HOME": str(airflow_home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(PROJECT_ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            # 2 cores: the default parallelism (32) forks 32 workers for ~1.3 GB.
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            "DO_NOT_TRACK": "1",
        }
    )
    env.update(settings)
    return env


def run_airflow(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run an `airflow` CLI command; raise with its output when it fails."""
    result = subprocess.run(
        [airflow_executable(), *args], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"airflow {' '.join(args)} exited {result.returncode}\n{result.stdout[-3000:]}\n"
            f"{result.stderr[-3000:]}"
        )
    return result


def create_pools(env: dict[str, str] | None = None) -> None:
    """Create (or resize) the pools the DAG uses: one slot per rate-limited API + the DuckDB writer."""
    with tempfile.TemporaryDirectory() as tmp:
        run_airflow("pools", "import", str(write_pools_file(Path(tmp) / "pools.json")), env=env)


def write_admin_password(passwords_file: Path, password: str) -> None:
    """Set the simple auth manager's password for `admin` (it generates one only if none is set)."""
    passwords_file.parent.mkdir(parents=True, exist_ok=True)
    passwords_file.write_text(json.dumps({ADMIN_USER: password}) + "\n", encoding="utf-8")


def compile_dbt_manifest() -> Path:
    """`dbt parse`: the DAG renders its dbt tasks from target/manifest.json (fast parsing)."""
    from livingreview.build import run_dbt_parse

    return run_dbt_parse()


def init_airflow(env: dict[str, str] | None = None) -> None:
    """Migrate the metadata DB, create the pools, compile the dbt manifest; idempotent."""
    run_airflow("db", "migrate", env=env)
    create_pools(env)
    compile_dbt_manifest()


def main() -> None:
    """`airflow-init` in docker-compose: the environment (from `.env`) already configures Airflow."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    init_airflow()
    password = os.environ.get("AIRFLOW_ADMIN_PASSWORD")
    passwords_file = os.environ.get("AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE")
    if password and passwords_file:
        write_admin_password(Path(passwords_file), password)
    log.info("Airflow initialised: metadata DB migrated, pools created, dbt manifest compiled")


if __name__ == "__main__":
    main()
