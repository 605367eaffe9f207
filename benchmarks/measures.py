"""The benchmark measures. Each runs in its own process (`python -m benchmarks.measures NAME`),
started by benchmarks/run.py, which samples the memory of that process tree and prints the table.

Every measure works in its own folder under `<data>/bench/` (never the pipeline's own data), and
prints one JSON object as its last line: {"value": ..., "details": {...}, "notes": [...]}.
Generated landing data is made once per scale and reused (`history_<N>/`, marked by generated.json);
measures that write (gates quarantine, builds) work on hard-linked copies of it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks.generate import DEFAULT_PER_WEEK, DEFAULT_SEED, DEFAULT_START, GENERATOR_VERSION

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# 4 weeks of the recorded arXiv listings: more records than one arXiv page holds
HARVEST_WINDOWS = {
    "full": (date(2025, 10, 6), date(2025, 11, 3)),
    "quick": (date(2025, 10, 13), date(2025, 10, 20)),
}


INCREMENT_SEED = DEFAULT_SEED + 1  # the new week's text differs from the history's


@dataclass(frozen=True)
class Scale:
    name: str
    history: int  # records of the backfill / history
    increment: int  # records a weekly refresh adds
    screen: int  # records screened


SCALES = {
    "full": Scale("full", history=1_000_000, increment=5_000, screen=100_000),
    "quick": Scale("quick", history=20_000, increment=500, screen=10_000),
}


def bench_root() -> Path:
    from livingreview.config import data_dir

    return Path(os.environ.get("LIVINGREVIEW_BENCH_DIR", data_dir() / "bench")).resolve()


def use_data_dir(path: Path) -> Path:
    """Point the pipeline (config, dbt profile, gates) at `path` for the rest of this process."""
    path.mkdir(parents=True, exist_ok=True)
    os.environ["LIVINGREVIEW_DATA_DIR"] = str(path)
    return path


def clear_outputs(data: Path) -> None:
    """Everything but landing: warehouse, published copy, dbt state, GX, quarantine, failures."""
    for name in ("warehouse", "published", "dbt", "gx", "quarantine", "failures"):
        shutil.rmtree(data / name, ignore_errors=True)


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.monotonic()
    result = action()
    return time.monotonic() - started, result


# ---------------------------------------------------------------- generated data


def history_landing(records: int) -> Path:
    """`<bench>/history_<N>/landing`, generated once (the marker records what it holds)."""
    from benchmarks.generate import generate_landing

    folder = bench_root() / f"history_{records}"
    marker = folder / "generated.json"
    wanted = {
        "records": records,
        "seed": DEFAULT_SEED,
        "start": str(DEFAULT_START),
        "generator": GENERATOR_VERSION,
    }
    if marker.is_file() and json.loads(marker.read_text()) == wanted:
        return folder / "landing"
    shutil.rmtree(folder, ignore_errors=True)
    summary = generate_landing(folder / "landing", records, cache_dir=bench_root() / "cache")
    print(summary.line(), file=sys.stderr)
    marker.write_text(json.dumps(wanted) + "\n")
    return folder / "landing"


def linked_copy(landing: Path, data: Path) -> Path:
    """`data/landing` as hard links to `landing` (no bytes copied; moving a window out of it, as a
    quarantine does, leaves the original alone)."""
    shutil.rmtree(data / "landing", ignore_errors=True)
    data.mkdir(parents=True, exist_ok=True)
    subprocess.run(["cp", "-al", str(landing), str(data / "landing")], check=True)
    return data / "landing"


def window_folders(landing: Path) -> list[Path]:
    return sorted(path.parent for path in landing.glob("[a-z]*/[0-9]*_[0-9]*/records.jsonl"))


def history_end(records: int) -> date:
    weeks = max(1, math.ceil(records / DEFAULT_PER_WEEK))
    return DEFAULT_START + timedelta(weeks=weeks)


# ---------------------------------------------------------------- the refresh chain


def refresh_chain(windows: list[Path], batch_id: str) -> dict[str, float]:
    """Gate 1 on `windows`, dbt build, gate 2, publish: the steps `livingreview refresh` runs after
    harvesting (livingreview.refresh), each timed."""
    from livingreview import refresh

    seconds = {}
    seconds["gate_landing"], _ = timed(lambda: refresh.gate_landing_windows(batch_id, windows))
    seconds["dbt_build"], _ = timed(lambda: refresh.build_warehouse(batch_id, windows))
    seconds["gate_marts"], _ = timed(lambda: refresh.gate_warehouse(batch_id, windows))
    seconds["publish"], _ = timed(lambda: refresh.publish_batch(batch_id))
    seconds["total"] = sum(seconds.values())
    return seconds


def warm_imports() -> None:
    """Import what the gates and the build import, before timing two refreshes against each other:
    otherwise the first one measured pays the one-time imports (Great Expectations alone is ~4.5 s)
    and the second does not."""
    import great_expectations  # noqa: F401

    from expectations import landing, marts  # noqa: F401
    from livingreview import build, publish, refresh  # noqa: F401


def slowest_models(limit: int = 6) -> list[str]:
    """dbt's own timing per node (run_results.json of the last build), slowest first."""
    from livingreview.build import read_run_results

    results = sorted(read_run_results()["results"], key=lambda result: -result["execution_time"])
    return [
        f"{result['unique_id'].split('.')[-1]} {result['execution_time']:.1f}s" for result in results[:limit]
    ]


# ---------------------------------------------------------------- measures


def measure_backfill(scale: Scale) -> dict[str, Any]:
    """N generated records from landing to published marts: gate 1 + build + gate 2 + publish."""
    landing = history_landing(scale.history)
    data = use_data_dir(bench_root() / "backfill")
    clear_outputs(data)
    windows = window_folders(linked_copy(landing, data))
    steps = refresh_chain(windows, batch_id=f"bench_backfill_{scale.history}")
    shutil.copyfile(landing.parent / "generated.json", data / "warehouse" / "built_from.json")
    return {
        "value": steps["total"],
        "details": {f"{name}_s": round(value, 2) for name, value in steps.items()}
        | {"records": scale.history, "windows": len(windows), "slowest_dbt_nodes": slowest_models()},
    }


def generate_increment(landing: Path, scale: Scale, start: date) -> Any:
    """The measured week: `scale.increment` generated records in one week of windows from `start`."""
    from benchmarks.generate import generate_landing

    return generate_landing(
        landing,
        scale.increment,
        start=start,
        per_week=scale.increment,
        seed=INCREMENT_SEED,
        cache_dir=bench_root() / "cache",
    )


def measure_incremental(scale: Scale) -> dict[str, Any]:
    """The refresh of one new week (`increment` records) on top of the history, over the same
    refresh on an empty history. The history's built warehouse is kept and restored per run."""
    start = history_end(scale.history)
    big = prepare_built_history(scale)
    new_windows = generate_increment(big / "landing", scale, start)
    warm_imports()
    try:
        added = [path for path in window_folders(big / "landing") if path.name.startswith(str(start))]
        on_history = refresh_chain(added, batch_id="bench_incremental_history")
    finally:
        for window in window_folders(big / "landing"):
            if window.name.startswith(str(start)):
                shutil.rmtree(window)
    empty = use_data_dir(bench_root() / "incremental_empty")
    shutil.rmtree(empty, ignore_errors=True)
    use_data_dir(empty)
    generate_increment(empty / "landing", scale, start)
    on_empty = refresh_chain(window_folders(empty / "landing"), batch_id="bench_incremental_empty")
    return {
        "value": on_history["total"] / on_empty["total"],
        "details": {
            "history_records": scale.history,
            "increment_records": scale.increment,
            "increment_windows": new_windows.windows,
            "on_history_s": {name: round(value, 2) for name, value in on_history.items()},
            "on_empty_s": {name: round(value, 2) for name, value in on_empty.items()},
            "slowest_dbt_nodes_on_empty": slowest_models(),
        },
    }


def prepare_built_history(scale: Scale) -> Path:
    """`<bench>/incremental_history`: the history landing and its built warehouse, restored from a
    pristine copy before each measurement (the measured refresh changes the warehouse)."""
    from livingreview.build import run_dbt_build
    from livingreview.config import warehouse_path

    data = use_data_dir(bench_root() / "incremental_history")
    pristine = data / "pristine" / "work.duckdb"
    marker = data / "pristine" / "built_from.json"
    source = json.loads((history_landing(scale.history).parent / "generated.json").read_text())
    if not (pristine.is_file() and marker.is_file() and json.loads(marker.read_text()) == source):
        clear_outputs(data)
        linked_copy(history_landing(scale.history), data)
        pristine.parent.mkdir(parents=True, exist_ok=True)
        backfilled = bench_root() / "backfill" / "warehouse"
        if _same_history(backfilled / "built_from.json", source):  # the backfill measure built it
            shutil.copyfile(backfilled / "work.duckdb", pristine)
        else:
            run_dbt_build(full_refresh=True)
            shutil.copyfile(warehouse_path(), pristine)
        marker.write_text(json.dumps(source) + "\n")
    for name in ("published", "gx", "quarantine", "failures"):
        shutil.rmtree(data / name, ignore_errors=True)
    warehouse_path().parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(pristine, warehouse_path())
    return data


def _same_history(marker: Path, source: dict[str, Any]) -> bool:
    return marker.is_file() and json.loads(marker.read_text()) == source


def measure_dbt_vs_raw(scale: Scale) -> dict[str, Any]:
    """`dbt build` wall time over the time DuckDB takes to run the same compiled SQL directly."""
    from benchmarks.raw_sql import run_compiled_sql
    from livingreview.build import dbt_state_dir, run_dbt
    from livingreview.config import warehouse_path

    data = use_data_dir(bench_root() / "dbt_vs_raw")
    clear_outputs(data)
    linked_copy(history_landing(scale.history), data)
    warehouse_path().parent.mkdir(parents=True, exist_ok=True)
    # unit tests run the models on inline fixtures whatever the data: no compiled SQL to compare
    dbt_seconds, process = timed(
        lambda: run_dbt(["build", "--full-refresh", "--exclude-resource-type", "unit_test"])
    )
    if process.returncode != 0:
        raise RuntimeError(f"dbt build failed:\n{process.stdout[-3000:]}")
    raw = run_compiled_sql(dbt_state_dir() / "target", warehouse_path(), data / "raw" / "work.duckdb")
    return {
        "value": dbt_seconds / raw.seconds,
        "details": {
            "records": scale.history,
            "dbt_build_s": round(dbt_seconds, 2),
            "raw_sql_s": round(raw.seconds, 2),
            "dbt_node_time_sum_s": round(raw.dbt_node_seconds, 2),
            "statements": raw.statements,
            "slowest_raw": raw.slowest(6),
        },
    }


def measure_screen(scale: Scale) -> dict[str, Any]:
    """Rule screening and tagging (the macro the dbt models run) over generated records, in DuckDB."""
    import duckdb

    from livingreview.screening import load_criteria, render_screening_sql

    landing = history_landing(scale.history)
    files = [str(path / "records.jsonl") for path in window_folders(landing)]
    connection = duckdb.connect()
    connection.execute("set enable_progress_bar = false")
    connection.execute(
        """
        create table input_records as
        select source || ':' || source_id || 'v' || version as study_id, title, abstract
        from read_json($files, format = 'newline_delimited',
                       columns = {source: 'varchar', source_id: 'varchar', version: 'integer',
                                  title: 'varchar', abstract: 'varchar'})
        order by study_id
        limit $n
        """,
        {"files": files, "n": scale.screen},
    )
    records = connection.execute("select count(*) from input_records").fetchone()[0]
    sql = render_screening_sql("input_records", load_criteria())
    seconds, _ = timed(lambda: connection.execute(f"create table screened as {sql}"))
    decisions = dict(connection.execute("select decision, count(*) from screened group by all").fetchall())
    return {
        "value": records / seconds,
        "details": {"records": records, "seconds": round(seconds, 2), "decisions": decisions},
    }


def measure_harvest(scale: Scale) -> dict[str, Any]:
    """Requests a real harvest makes against the simulator over the fewest pages that could hold its
    records: per query, max(1, ceil(records / page size))."""
    from ingestion.harvest import harvest_window
    from ingestion.simulator import start_simulator

    start, end = HARVEST_WINDOWS[scale.name]
    data = use_data_dir(bench_root() / "harvest")
    shutil.rmtree(data / "landing", ignore_errors=True)
    per_source = {}
    with start_simulator() as simulator:
        for source in ("arxiv", "europepmc", "medrxiv", "biorxiv"):
            result = harvest_window(source, start, end, base_url=simulator.base_url)
            minimum = minimum_requests(source, result.window, start)
            per_source[source] = {
                "records": result.retrieved,
                "requests": result.requests,
                "minimum": minimum,
            }
    requests = sum(entry["requests"] for entry in per_source.values())
    minimum = sum(entry["minimum"] for entry in per_source.values())
    return {"value": requests / minimum, "details": {"window": f"{start}..{end}", "per_source": per_source}}


def minimum_requests(source: str, window: Path, start: date) -> int:
    """The fewest requests that can fetch the landed records: one query per protocol unit (arXiv and
    Europe PMC: one search; CSHL: one per subject), pages of the API's size, at least one each."""
    from ingestion.simulator import cshl_api
    from livingreview.config import load_protocol

    config = load_protocol().source(source)
    records = [json.loads(line) for line in (window / "records.jsonl").open(encoding="utf-8")]
    if "subjects" not in config:
        return max(1, math.ceil(len(records) / int(config["page_size"])))
    page_size = cshl_api.page_size(start)
    per_subject = {subject: 0 for subject in config["subjects"]}
    for record in records:
        per_subject[record["primary_category"]] = per_subject.get(record["primary_category"], 0) + 1
    return sum(max(1, math.ceil(count / page_size)) for count in per_subject.values())


def measure_parse(scale: Scale) -> dict[str, Any]:
    """The slowest DAG file's parse time as `airflow dags report` measures it."""
    env = prepared_airflow()
    from livingreview.airflow_setup import run_airflow

    report = json.loads(_json_tail(run_airflow("dags", "report", "-o", "json", env=env).stdout))
    durations = {Path(entry["file"]).name: _seconds(entry["duration"]) for entry in report}
    return {"value": max(durations.values()), "details": {"per_file_s": durations}}


def measure_weekly(scale: Scale) -> dict[str, Any]:
    """One real week end to end (`airflow dags test living_review_weekly`, the `make demo` run)
    against the simulator: harvest of every source, gate 1, dbt (cosmos), gate 2, publish, on a
    fresh data dir. The time is the `dags test` process, Airflow's start-up included."""
    from ingestion.simulator import start_simulator
    from livingreview.airflow_setup import compile_dbt_manifest
    from livingreview.demo import DEMO_RUN_DATE, dags_test

    env = prepared_airflow()
    data = use_data_dir(bench_root() / "weekly")
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    env["LIVINGREVIEW_DATA_DIR"] = str(data)
    # A deployment compiles the manifest for its own data dir (`make demo`, the image); one compiled
    # for another data dir still works, but dbt then re-parses the whole project (~3 s) every run.
    compile_dbt_manifest()
    log = bench_root() / "weekly_dags_test.log"
    with start_simulator() as simulator:
        conf = json.dumps({"api_base_url": simulator.base_url})
        seconds, state = timed(
            lambda: dags_test("living_review_weekly", env, log, DEMO_RUN_DATE, "--conf", conf)
        )
    published = (data / "published" / "living_review.duckdb").is_file()
    succeeded = state == "success" and published
    return {
        "value": seconds if succeeded else None,
        "details": {
            "run_date": DEMO_RUN_DATE,
            "state": state,
            "published": published,
            "seconds": round(seconds, 1),
        },
        "notes": [] if succeeded else [f"dags test ended {state}; log in {log}"],
    }


def prepared_airflow() -> dict[str, str]:
    """A project-local AIRFLOW_HOME under the bench folder, migrated once (SQLite), pools created and
    the dbt manifest compiled (livingreview.airflow_setup, the same routine as `make demo`)."""
    from livingreview.airflow_setup import airflow_env, init_airflow
    from livingreview.config import dbt_project_dir

    home = bench_root() / "airflow"
    home.mkdir(parents=True, exist_ok=True)
    env = airflow_env(home)
    marker = home / ".initialised"
    manifest = dbt_project_dir() / "target" / "manifest.json"
    if not (marker.is_file() and manifest.is_file()):
        init_airflow(env)
        marker.touch()
    return env


def _json_tail(output: str) -> str:
    """`airflow dags report -o json` logs warnings before the JSON document (its last line)."""
    return [line for line in output.splitlines() if line.startswith("[{")][-1]


def _seconds(duration: Any) -> float:
    """`0:00:00.123456` (a timedelta's str) or a number of seconds."""
    if isinstance(duration, int | float):
        return float(duration)
    hours, minutes, seconds = str(duration).split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


MEASURES: dict[str, Callable[[Scale], dict[str, Any]]] = {
    "screen": measure_screen,
    "harvest": measure_harvest,
    "parse": measure_parse,
    "weekly": measure_weekly,
    "backfill": measure_backfill,
    "dbt_vs_raw": measure_dbt_vs_raw,
    "incremental": measure_incremental,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run one benchmark measure (see benchmarks/run.py).")
    parser.add_argument("measure", choices=sorted(MEASURES))
    parser.add_argument("--scale", choices=sorted(SCALES), default="full")
    arguments = parser.parse_args(argv)
    # measures repoint LIVINGREVIEW_DATA_DIR at their own folders: pin the bench root first
    os.environ["LIVINGREVIEW_BENCH_DIR"] = str(bench_root())
    result = MEASURES[arguments.measure](SCALES[arguments.scale])
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
