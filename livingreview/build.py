"""Build the work warehouse: `dbt build` (seeds, models, tests) over the landing files.

dbt runs as a subprocess (the `dbt` beside this interpreter), never in-process: dbt keeps the
DuckDB file open for the life of its process, and a later reader in the same process (a gate,
`airflow dags test`) would then fail to open it (see STACK-NOTES.md). Each data dir gets its own
dbt target and log folders, so builds against different data dirs (tests, the demo) never share
state; `run_dbt_parse` writes the manifest Airflow/cosmos renders the DAG from into the project.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from livingreview.config import data_dir, dbt_project_dir, warehouse_path

# dbt statuses per outcome (models/seeds say success/error, tests pass/fail/warn)
PASSED = {"success", "pass"}
FAILED = {"error", "fail", "runtime error"}
RESOURCE_LABELS = {"model": "models", "seed": "seeds", "test": "tests", "unit_test": "unit tests"}


class BuildError(RuntimeError):
    """dbt failed; `failed_nodes` names each failing model/test with dbt's message."""

    def __init__(self, message: str, failed_nodes: list[str]):
        super().__init__(message)
        self.failed_nodes = failed_nodes


@dataclass(frozen=True)
class BuildSummary:
    passed: dict[str, int]  # resource type (model, seed, test, unit_test) -> nodes that passed
    failed: dict[str, int]
    skipped: int
    seconds: float
    warehouse: Path
    failed_nodes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed_nodes

    def line(self) -> str:
        passed = ", ".join(f"{self.passed.get(kind, 0)} {label}" for kind, label in RESOURCE_LABELS.items())
        return (
            f"dbt build {'ok' if self.ok else 'FAILED'}: passed {passed}; "
            f"{sum(self.failed.values())} failed, {self.skipped} skipped; "
            f"{self.seconds:.1f} s; warehouse {self.warehouse}"
        )


def dbt_executable() -> Path:
    return Path(sys.executable).parent / "dbt"


def dbt_state_dir() -> Path:
    """Per data dir: dbt's target (run results, partial parse) and logs."""
    return data_dir() / "dbt"


def dbt_environment() -> dict[str, str]:
    """The caller's environment with the data dir made absolute (profiles.yml and the landing
    sources read it) and dbt's usage tracking off (there is no network)."""
    return os.environ | {
        "LIVINGREVIEW_DATA_DIR": str(data_dir()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
        "DO_NOT_TRACK": "1",
    }


def run_dbt(arguments: list[str], target_path: Path | None = None) -> subprocess.CompletedProcess[str]:
    project = dbt_project_dir()
    target = target_path or dbt_state_dir() / "target"
    command = [
        str(dbt_executable()),
        *arguments,
        "--project-dir", str(project),
        "--profiles-dir", str(project),
        "--target-path", str(target),
        "--log-path", str(dbt_state_dir() / "logs"),
    ]  # fmt: skip
    return subprocess.run(command, cwd=project, env=dbt_environment(), capture_output=True, text=True)


def run_dbt_build(full_refresh: bool = False, select: str | None = None) -> BuildSummary:
    """`dbt build` into the work warehouse; raise BuildError naming the failing nodes."""
    warehouse_path().parent.mkdir(parents=True, exist_ok=True)  # DuckDB creates the file, not its folder
    arguments = ["build", *(["--full-refresh"] if full_refresh else [])]
    if select:
        # a partial build runs only the tests whose every parent it builds (a relationships test
        # against an unselected model would fail on a missing table)
        arguments += ["--select", select, "--indirect-selection", "cautious"]
    run_results_path().unlink(missing_ok=True)  # never summarise a previous build
    started = time.monotonic()
    process = run_dbt(arguments)
    summary = summarize(read_run_results(), time.monotonic() - started)
    if process.returncode != 0:
        failures = summary.failed_nodes or [_output_tail(process)]
        raise BuildError(f"{summary.line()}\n  " + "\n  ".join(failures), failures)
    return summary


def run_dbt_parse(target_path: Path | None = None) -> Path:
    """`dbt parse` -> manifest.json (default `dbt_project/target/`, where the DAG loads it from)."""
    target = target_path or dbt_project_dir() / "target"
    process = run_dbt(["parse"], target_path=target)
    if process.returncode != 0:
        raise BuildError(f"dbt parse failed:\n{_output_tail(process)}", [])
    return target / "manifest.json"


def run_results_path() -> Path:
    return dbt_state_dir() / "target" / "run_results.json"


def read_run_results() -> dict[str, Any]:
    path = run_results_path()
    if not path.exists():
        return {"results": []}
    return json.loads(path.read_text(encoding="utf-8"))


def summarize(run_results: dict[str, Any], seconds: float) -> BuildSummary:
    passed: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    skipped = 0
    failed_nodes = []
    for result in run_results["results"]:
        kind = result["unique_id"].split(".", 1)[0]
        status = str(result["status"]).lower()
        if status in PASSED:
            passed[kind] += 1
        elif status in FAILED:
            failed[kind] += 1
            message = " ".join(str(result.get("message") or "").split())
            failed_nodes.append(f"{result['unique_id']}: {status}: {message}")
        elif status == "skipped":
            skipped += 1
    return BuildSummary(dict(passed), dict(failed), skipped, seconds, warehouse_path(), failed_nodes)


def _output_tail(process: subprocess.CompletedProcess[str], lines: int = 30) -> str:
    output = (process.stdout + process.stderr).strip().splitlines()
    return "\n".join(output[-lines:])
