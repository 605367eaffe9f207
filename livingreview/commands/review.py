"""`livingreview queue export` and `livingreview decisions import`: humans in the screening loop."""

from __future__ import annotations

import sys
from pathlib import Path

import click

INVALID_DECISIONS = 2

warehouse_option = click.option(
    "--warehouse",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="DuckDB warehouse to read (default: the published one, else the work one).",
)


@click.group()
def queue() -> None:
    """The weekly queue of records for human screening."""


@queue.command("export")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="CSV to write.")
@click.option(
    "--all-updates", is_flag=True, help="Every update's undecided records, not only the latest week's."
)
@warehouse_option
def export(out: Path, all_updates: bool, warehouse: Path | None) -> None:
    """Write this week's records to screen, most likely includes first; fill the decision columns."""
    from livingreview import review_queue

    rows = review_queue.export_queue(out, warehouse, all_updates)
    click.echo(f"queued {rows} records for human screening -> {out}")


@click.group()
def decisions() -> None:
    """Human screening decisions (append-only files in review/decisions/)."""


@decisions.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--reviewer", required=True, help="Reviewer id (letters, digits, '.', '_', '-').")
@warehouse_option
def import_(path: Path, reviewer: str, warehouse: Path | None) -> None:
    """Validate a filled-in queue CSV and append its decisions; any problem imports nothing."""
    from livingreview import decisions as human_decisions

    try:
        result = human_decisions.import_decisions(path, reviewer, warehouse)
    except human_decisions.DecisionImportError as error:
        click.echo(f"Error: {path}: {error}", err=True)
        sys.exit(INVALID_DECISIONS)
    click.echo(
        f"imported {result.imported} decisions by {reviewer} "
        f"({result.undecided} rows left blank) -> {result.path}"
    )
