"""Airflow for the DAG tests: a throw-away AIRFLOW_HOME and the compiled dbt manifest the DAG renders."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

# Before anything imports airflow (its configuration is read once, at import): never ~/airflow.
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="lr-airflow-home-"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__COSMOS__ENABLE_TELEMETRY", "False")

DAGS_FOLDER = Path(__file__).resolve().parents[2] / "dags"


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """`dbt parse` once per session: the weekly DAG renders its dbt tasks from target/manifest.json."""
    from livingreview.airflow_setup import compile_dbt_manifest

    return compile_dbt_manifest()


@pytest.fixture(scope="session")
def dagbag(dbt_manifest: Path):
    from airflow.dag_processing.dagbag import DagBag

    return DagBag(dag_folder=str(DAGS_FOLDER))
