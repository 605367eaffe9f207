"""`make bench`: run the benchmark measures, print a table, then ONE JSON line with every figure.

    python -m benchmarks.run [--only backfill,incremental] [--quick]
    make bench [ONLY=backfill] [QUICK=1]

Each measure (benchmarks/measures.py) runs in a child process; a sampler thread follows that
process tree with psutil, so peak_rss_mb is the largest memory the benchmark's children held at
once (the sum over the tree: dbt, Airflow and gate processes included). The machine's load average
is recorded before and after: other work on a 2-core machine slows every figure.
Results also land in `<data>/bench/results/<time>.json`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# JSON key -> (measure, goal as text, check)
FIGURES = {
    "weekly_refresh_s": ("weekly", "<= 60", lambda value: value <= 60),
    "backfill_1m_s": ("backfill", "<= 90", lambda value: value <= 90),
    "dbt_vs_raw_ratio": ("dbt_vs_raw", "<= 1.5", lambda value: value <= 1.5),
    "incremental_ratio": ("incremental", "<= 2.0", lambda value: value <= 2.0),
    "dag_parse_s": ("parse", "<= 1.0", lambda value: value <= 1.0),
    "screen_records_per_s": ("screen", ">= 20000", lambda value: value >= 20000),
    "harvest_requests_over_minimum": ("harvest", "== 1.0", lambda value: abs(value - 1.0) < 1e-9),
}
PEAK_RSS_GOAL_MB = 4096
ORDER = ("screen", "harvest", "parse", "weekly", "backfill", "dbt_vs_raw", "incremental")


class TreeMemory:
    """Samples the summed RSS of a process and its descendants; keeps the peak (MB)."""

    def __init__(self, pid: int, interval_s: float = 0.2) -> None:
        import psutil

        self.process = psutil.Process(pid)
        self.interval_s = interval_s
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                tree = [self.process, *self.process.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            total = 0
            for member in tree:
                try:
                    total += member.memory_info().rss
                except psutil.NoSuchProcess:
                    continue
            self.peak_mb = max(self.peak_mb, total / 2**20)
            self._stop.wait(self.interval_s)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return self.peak_mb


def run_measure(name: str, scale: str) -> dict[str, Any]:
    """One measure in a child process; its last stdout line is the measure's JSON result."""
    command = [sys.executable, "-m", "benchmarks.measures", name, "--scale", scale]
    started = time.monotonic()
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    memory = TreeMemory(child.pid)
    stdout, stderr = child.communicate()
    peak_mb = memory.stop()
    seconds = time.monotonic() - started
    lines = stdout.strip().splitlines()
    if child.returncode != 0 or not lines:
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        return {"value": None, "details": {}, "notes": [f"failed (exit {child.returncode}): {tail}"],
                "peak_rss_mb": peak_mb, "wall_s": seconds}  # fmt: skip
    result = json.loads(lines[-1])
    return result | {"peak_rss_mb": peak_mb, "wall_s": seconds}


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def format_value(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:.2f}"


def print_table(results: dict[str, dict[str, Any]], figures: dict[str, Any]) -> None:
    print(f"{'figure':32} {'value':>12} {'goal':>10}  met  peak MB  details")
    for key, (measure, goal, _) in FIGURES.items():
        if measure not in results:
            continue
        result = results[measure]
        met = _met(key, figures[key])
        print(
            f"{key:32} {format_value(figures[key]):>12} {goal:>10}  {met:4} {result['peak_rss_mb']:7.0f}  "
            f"{json.dumps(result.get('details', {}), default=str)}"
        )
        for note in result.get("notes", []):
            print(f"{'':32} note: {note}")
    peak = figures["peak_rss_mb"]
    met = "yes" if peak <= PEAK_RSS_GOAL_MB else "NO"
    print(f"{'peak_rss_mb':32} {format_value(peak):>12} {'<= 4096':>10}  {met:4}")


def _met(key: str, value: float | None) -> str:
    if value is None:
        return "?"
    return "yes" if FIGURES[key][2](value) else "NO"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="", help=f"comma-separated measures: {', '.join(ORDER)}")
    parser.add_argument("--quick", action="store_true", help="small scale: a smoke run, not the figures")
    arguments = parser.parse_args(argv)
    wanted = [name for name in arguments.only.split(",") if name] or list(ORDER)
    unknown = set(wanted) - set(ORDER)
    if unknown:
        parser.error(f"unknown measures {sorted(unknown)}; choose from {', '.join(ORDER)}")
    scale = "quick" if arguments.quick else "full"
    load_before = load_average()
    results = {}
    for name in [name for name in ORDER if name in wanted]:
        print(f"running {name} ({scale}) ...", file=sys.stderr, flush=True)
        results[name] = run_measure(name, scale)
    figures: dict[str, Any] = {
        key: results[measure]["value"] if measure in results else None
        for key, (measure, _, _) in FIGURES.items()
    }
    figures["peak_rss_mb"] = round(max(result["peak_rss_mb"] for result in results.values()), 1)
    figures |= {"scale": scale, "load_average_before": load_before, "load_average_after": load_average()}
    save(results, figures)
    print_table(results, figures)
    print(json.dumps({key: _rounded(value) for key, value in figures.items()}))


def _rounded(value: Any) -> Any:
    return round(value, 3) if isinstance(value, float) else value


def save(results: dict[str, Any], figures: dict[str, Any]) -> Path:
    from benchmarks.measures import bench_root

    folder = bench_root() / "results"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}.json"
    path.write_text(json.dumps({"figures": figures, "measures": results}, indent=2, default=str) + "\n")
    return path


if __name__ == "__main__":
    main()
