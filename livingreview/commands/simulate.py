"""`livingreview simulate`: serve arXiv, medRxiv/bioRxiv and Europe PMC locally (offline).

Only click and the standard library at import time; the simulator is imported when it runs.
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path
from typing import NoReturn

import click

USAGE_ERROR = 2


def _fail_usage(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(USAGE_ERROR)


def _print_new_requests(log: list[dict], seen: int) -> int:
    for entry in log[seen:]:
        query = f"?{entry['query']}" if entry["query"] else ""
        fault = f"  [fault: {entry['fault']}]" if entry["fault"] else ""
        click.echo(f"{entry['status'] or '---'} GET {entry['path']}{query}{fault}")
    return len(log)


def _serve_until_stopped(sim, quiet: bool) -> None:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    seen = 0
    while not stop.wait(0.5):
        if not quiet:
            seen = _print_new_requests(sim.request_log, seen)
    sim.stop()
    click.echo("simulator stopped")


@click.command()
@click.option(
    "--corpus",
    "corpus_path",
    type=click.Path(path_type=Path),
    default=None,
    help="arXiv listings folder (YYYY-MM.jsonl.gz) or a generated corpus directory. "
    "Default: the shared real listings if present, else the generated corpus.",
)
@click.option("--port", type=int, default=8765, show_default=True, help="Port (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Bind address (loopback by default).")
@click.option(
    "--faults",
    default="",
    help="Comma list of 429,503,reset,timeout,truncated,malformed,"
    "empty-page,corrupt, or 'all' (every transport fault, not corrupt).",
)
@click.option("--fault-rate", type=float, default=0.0, show_default=True, help="Share of requests faulted.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the fault plan.")
@click.option(
    "--timeout-delay",
    type=float,
    default=5.0,
    show_default=True,
    help="Seconds a 'timeout' fault stalls before answering.",
)
@click.option(
    "--write-corpus",
    type=click.Path(path_type=Path),
    default=None,
    help="Write the generated (synthetic) corpus to this directory and exit.",
)
@click.option("--corpus-seed", type=int, default=None, help="Seed of the generated corpus.")
@click.option("--quiet", is_flag=True, help="Do not print one line per request.")
def simulate(
    corpus_path: Path | None,
    port: int,
    host: str,
    faults: str,
    fault_rate: float,
    seed: int,
    timeout_delay: float,
    write_corpus: Path | None,
    corpus_seed: int | None,
    quiet: bool,
) -> None:
    """Serve the three APIs at their real paths from a corpus, optionally injecting faults."""
    from ingestion.simulator import load_corpus, parse_faults, start_simulator, synthetic

    seed_of_corpus = synthetic.DEFAULT_SEED if corpus_seed is None else corpus_seed
    if write_corpus is not None:
        counts = synthetic.write_corpus(write_corpus, seed_of_corpus)
        click.echo(f"wrote generated (synthetic) corpus to {write_corpus}: {counts}")
        return
    try:
        kinds = parse_faults(faults)
    except ValueError as error:
        _fail_usage(str(error))
    if not 0.0 <= fault_rate <= 1.0:
        _fail_usage(f"--fault-rate must be within [0, 1], got {fault_rate}")
    try:
        corpus = load_corpus(corpus_path, seed=seed_of_corpus)
    except (FileNotFoundError, ValueError) as error:
        _fail_usage(str(error))
    try:
        sim = start_simulator(corpus, kinds, fault_rate, seed, host, port, timeout_delay_s=timeout_delay)
    except OSError as error:
        click.echo(f"error: cannot listen on {host}:{port}: {error}", err=True)
        sys.exit(1)
    click.echo(f"API simulator listening on {sim.base_url}")
    for source, count in corpus.summary().items():
        click.echo(f"  {source:<10} {count:>7} records  ({corpus.origins[source]})")
    if kinds:
        click.echo(f"  faults: {','.join(sorted(kinds))} at rate {fault_rate} (seed {seed})")
    click.echo(f"  export LIVINGREVIEW_API_BASE_URL={sim.base_url}   # Ctrl-C stops")
    _serve_until_stopped(sim, quiet)
