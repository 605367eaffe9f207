"""Throughput of `livingreview screen` (issue 5: >= 20k records/s for the rule layer).

Builds an input of N records by cycling the recorded real arXiv listings (read in place; the file
goes to a temporary folder, never into the repo), then measures
  rule layer   livingreview.screen_file.rule_screen (the dbt macro rendered and run in DuckDB), after
               a warm-up on 1,000 records (the imports and first calls a process pays once)
  command      `livingreview screen --rules-only` end to end (read + validate + rules + write)
  model        optional (--with-model): the current model's scoring, on a slice of the records
Usage: python benchmarks/bench_screen.py [--records 100000] [--with-model]
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from livingreview import prioritisation, screen_file


def listing_records() -> list[dict]:
    records = []
    for path in sorted(prioritisation.listings_dir().glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                raw = json.loads(line)
                records.append({"id": raw["id"], "title": raw["title"], "abstract": raw["summary"] or ""})
    return records


def write_input(path: Path, count: int) -> None:
    """`count` records cycling the listings; each pass suffixes the ids so every id is unique."""
    source = listing_records()
    with open(path, "w", encoding="utf-8") as handle:
        for index, record in enumerate(itertools.islice(itertools.cycle(source), count)):
            handle.write(json.dumps(record | {"id": f"{record['id']}#{index // len(source)}"}) + "\n")


def timed(label: str, count: int, action) -> float:
    started = time.perf_counter()
    action()
    seconds = time.perf_counter() - started
    print(f"{label:<44} {count:>8} records {seconds:>7.2f} s {count / seconds:>9.0f} records/s")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--with-model", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-screen-") as folder:
        source, output = Path(folder) / "in.jsonl", Path(folder) / "out.jsonl"
        write_input(source, args.records)
        records = screen_file.load_records(source)
        screen_file.rule_screen(records[:1_000])  # imports and first calls: paid once per process
        timed("rule layer (macro in DuckDB)", len(records), lambda: screen_file.rule_screen(records))
        executable = Path(sys.executable).parent / "livingreview"
        command = [str(executable), "screen", "--input", str(source), "--output", str(output)]
        run_command = lambda: subprocess.run([*command, "--rules-only"], check=True, capture_output=True)  # noqa: E731
        timed("`livingreview screen --rules-only` (process)", len(records), run_command)
        model = prioritisation.load()
        if args.with_model and model is not None:
            sample = records[:10_000]
            timed(
                f"model {model.version} scoring",
                len(sample),
                lambda: screen_file.model_probabilities(model, sample, False),
            )


if __name__ == "__main__":
    main()
