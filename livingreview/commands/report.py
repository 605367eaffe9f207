"""`livingreview report` and `livingreview release`: the offline HTML report and the versioned release.

Only click and the standard library at import time (`livingreview --help` imports every command
module); DuckDB, Altair and vl-convert are imported when a command runs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command()
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write index.html into (created if missing).",
)
@click.option(
    "--warehouse",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="DuckDB file to read (default: the published warehouse), opened read-only.",
)
def report(out_dir: Path, warehouse: Path | None) -> None:
    """Write a self-contained, offline HTML report of the published marts to OUT/index.html."""
    from livingreview.report.render import build_report

    try:
        page = build_report(out_dir, warehouse)
    except (FileNotFoundError, LookupError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    click.echo(f"report written to {page} ({page.stat().st_size // 1024} KiB, opens offline)")


@click.command()
@click.option(
    "--warehouse",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Published DuckDB file to release (default: the published warehouse).",
)
def release(warehouse: Path | None) -> None:
    """Write data/releases/<review_version>/: Parquet and CSV per mart, manifest, CHANGELOG, report."""
    from livingreview.release import write_release

    try:
        result = write_release(warehouse)
    except (FileNotFoundError, LookupError) as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)
    click.echo(result.summary())
    click.echo(f"changelog: {result.path.parent / 'CHANGELOG.md'}")
