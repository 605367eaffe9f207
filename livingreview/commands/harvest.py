"""`livingreview harvest` and `livingreview reparse`: thin wrappers over ingestion.harvest.

Only click and the standard library at import time (`livingreview --help` imports every
command module); the harvest code is imported when a command runs.
"""

from __future__ import annotations

import logging
import re
import sys
from datetime import date
from pathlib import Path
from typing import NoReturn

import click

SOURCE_CHOICES = ("arxiv", "medrxiv", "biorxiv", "europepmc")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
USAGE_ERROR = 2


def _fail_usage(message: str) -> NoReturn:
    """One line on stderr and exit code 2, before anything is written."""
    click.echo(f"error: {message}", err=True)
    sys.exit(USAGE_ERROR)


def _parse_date(option: str, value: str) -> date:
    if ISO_DATE.match(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass  # shaped like a date but not one (2025-02-30)
    _fail_usage(f"{option} must be a date as YYYY-MM-DD, got {value!r}")


def _log_progress_to_stderr() -> None:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(message)s")


@click.command()
@click.option(
    "--source", required=True, metavar="{" + ",".join(SOURCE_CHOICES) + "}", help="Source to harvest."
)
@click.option("--start", required=True, metavar="YYYY-MM-DD", help="Window start (inclusive, UTC).")
@click.option("--end", required=True, metavar="YYYY-MM-DD", help="Window end (exclusive, UTC).")
@click.option(
    "--base-url", default=None, help="API base URL (default: protocol, or LIVINGREVIEW_API_BASE_URL)."
)
def harvest(source: str, start: str, end: str, base_url: str | None) -> None:
    """Harvest one source for the window [START, END) into landing files.

    Prints one summary line; exits 1 when the harvest fails (the failed run is recorded under
    landing/_failed/ and the window is left as it was), 2 on bad input.
    """
    if source not in SOURCE_CHOICES:
        _fail_usage(f"unknown source {source!r} (choose from {', '.join(SOURCE_CHOICES)})")
    window_start, window_end = _parse_date("--start", start), _parse_date("--end", end)
    if window_end <= window_start:
        _fail_usage(f"--end {end} must be after --start {start} (windows are [start, end))")

    from ingestion.harvest import HarvestError, harvest_window

    _log_progress_to_stderr()
    try:
        result = harvest_window(source, window_start, window_end, base_url=base_url)
    except HarvestError as exc:
        click.echo(f"harvest failed: {exc}", err=True)
        sys.exit(1)
    click.echo(
        f"{result.search_run_id}: reported {result.api_reported_total}, retrieved {result.retrieved}, "
        f"pages {result.pages}, retries {result.retries} -> {result.window}"
    )


@click.command()
@click.argument("path", type=click.Path(exists=True, file_okay=False, path_type=Path))
def reparse(path: Path) -> None:
    """Rebuild PATH/records.jsonl of a landed window from its raw/ responses (no fetching)."""
    from ingestion.harvest import reparse_window

    if not (path / "run.json").is_file() or not (path / "raw").is_dir():
        _fail_usage(f"{path} is not a landed window (needs run.json and raw/)")
    count = reparse_window(path)
    click.echo(f"reparsed {count} records -> {path / 'records.jsonl'}")
