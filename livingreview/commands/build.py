"""`livingreview build`: dbt build of the work warehouse from the landing files, one summary line.

Only click at import time (`livingreview --help` imports every command module).
"""

from __future__ import annotations

import sys

import click


@click.command()
@click.option("--full-refresh", is_flag=True, help="Rebuild every model from scratch (dbt --full-refresh).")
@click.option("--select", "select", default=None, help="dbt node selection, e.g. `+fct_studies`.")
def build(full_refresh: bool, select: str | None) -> None:
    """Build the work warehouse (dbt seeds, models and tests) from the landing files."""
    from livingreview.build import BuildError, run_dbt_build

    try:
        summary = run_dbt_build(full_refresh=full_refresh, select=select)
    except BuildError as error:
        click.echo(str(error), err=True)
        sys.exit(1)
    click.echo(summary.line())
