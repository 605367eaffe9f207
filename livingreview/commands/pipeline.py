"""`livingreview validate | publish | refresh | query`: the write-audit-publish chain by hand.

Exit codes: 0 success, 1 the pipeline said no (a failed gate or step, nothing published), 2 bad input.
Only click and the standard library at module level: `livingreview --help` imports this file.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

# rows printed by `query` before it says how many more there are
QUERY_ROW_LIMIT = 200
# failed expectations / nodes listed when `refresh` stops (all of them are in failures.jsonl)
REFRESH_DETAILS_SHOWN = 10


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"error: {message}", err=True)
    raise SystemExit(code)


@click.command()
@click.option(
    "--landing",
    "landing",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Landing window folder, or a folder above windows (repeatable). Runs gate 1 on them.",
)
@click.option(
    "--marts", is_flag=True, help="Run gate 2 on the work warehouse (the default without --landing)."
)
@click.option(
    "--warehouse", type=click.Path(path_type=Path), help="Warehouse for --marts (default: the work one)."
)
def validate(landing: tuple[Path, ...], marts: bool, warehouse: Path | None) -> None:
    """Run the Great Expectations gates and print pass/fail and where the Data Docs are."""
    from livingreview.config import warehouse_path

    if warehouse and not warehouse.is_file():
        _fail(f"no warehouse at {warehouse}", 2)
    windows = [window for path in landing for window in _window_folders(path)]
    results = []
    if landing:
        from expectations import gate_landing

        results.append(gate_landing(windows))
    if marts or not landing:
        from expectations import gate_marts

        target = warehouse or warehouse_path()
        if not target.is_file():
            _fail(f"no work warehouse at {target}: run `livingreview build` first", 2)
        results.append(gate_marts(target))
    for result in results:
        click.echo(result.summary())
        for failure in result.failed_expectations:
            click.echo(f"  - {failure}")
    if not all(result.success for result in results):
        raise SystemExit(1)


def _window_folders(path: Path) -> list[Path]:
    """A window folder as given, or every `<source>/<start>_<end>` window below a folder
    (`data/landing`, `data/landing/arxiv`, a quarantined batch...)."""
    from expectations.landing import WINDOW_NAME

    if not path.is_dir():
        _fail(f"not a folder: {path}", 2)
    if WINDOW_NAME.match(path.name):
        return [path]
    below = sorted(
        folder
        for folder in path.rglob("*")
        if folder.is_dir()
        and WINDOW_NAME.match(folder.name)
        # skip the harvest's own _staging/ and _failed/ folders: never read downstream
        and not any(part.startswith("_") for part in folder.relative_to(path).parts)
    )
    if not below:
        _fail(f"no landing windows (<source>/<start>_<end>) in {path}", 2)
    return below


@click.command()
@click.option(
    "--skip-gate",
    is_flag=True,
    help="Publish without re-running gate 2 (only when it already passed on this very warehouse).",
)
def publish(skip_gate: bool) -> None:
    """Publish the work warehouse atomically; gate 2 runs first and must pass."""
    from livingreview.config import warehouse_path
    from livingreview.publish import publish_warehouse

    work = warehouse_path()
    if not work.is_file():
        _fail(f"no work warehouse at {work}: run `livingreview build` first", 2)
    if not skip_gate:
        from expectations import gate_marts

        result = gate_marts(work)
        click.echo(result.summary())
        if not result.success:
            for failure in result.failed_expectations:
                click.echo(f"  - {failure}")
            _fail("gate marts failed: nothing published")
    click.echo(publish_warehouse(work).summary())


@click.command()
@click.option("--start", required=True, help="First day of the first window (YYYY-MM-DD, UTC).")
@click.option("--end", required=True, help="End of the last window, exclusive (YYYY-MM-DD).")
@click.option("--source", "sources", multiple=True, help="Only these sources (repeatable; default: enabled).")
@click.option("--base-url", help="Send every source's requests here (e.g. the simulator).")
def refresh(start: str, end: str, sources: tuple[str, ...], base_url: str | None) -> None:
    """Harvest, gate, build, gate, publish: the weekly chain without Airflow."""
    from livingreview.refresh import BatchFailed, check_sources, weekly_windows
    from livingreview.refresh import refresh as run_refresh

    first, last = _parse_date(start, "--start"), _parse_date(end, "--end")
    try:
        weekly_windows(first, last)
        check_sources(list(sources))
    except ValueError as error:
        _fail(str(error), 2)
    try:
        run_refresh(first, last, list(sources) or None, base_url, report=click.echo)
    except BatchFailed as error:
        for detail in error.details[:REFRESH_DETAILS_SHOWN]:
            click.echo(f"  - {detail}", err=True)
        if len(error.details) > REFRESH_DETAILS_SHOWN:
            click.echo(f"  - ... {len(error.details) - REFRESH_DETAILS_SHOWN} more", err=True)
        _fail(f"refresh stopped: {error}; the published warehouse is unchanged")


def _parse_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{option} {value!r} is not a date (YYYY-MM-DD)", 2)
        raise  # unreachable: _fail exits


@click.command()
@click.argument("sql")
def query(sql: str) -> None:
    """Run read-only SQL on the published marts and print the result as a table."""
    import duckdb

    from livingreview.config import published_path

    published = published_path()
    if not published.is_file():
        _fail(f"nothing published yet at {published}: run `livingreview refresh` or `livingreview publish`")
    # read_only refuses writes to the file; no external access refuses COPY TO, ATTACH and reading
    # other files; the locked configuration keeps a query from switching either back on
    config = {"enable_external_access": False, "lock_configuration": True}
    try:
        with duckdb.connect(str(published), read_only=True, config=config) as connection:
            cursor = connection.execute(sql)
            if cursor.description is None:
                _fail("the statement returned no result set (only read-only queries are allowed)", 2)
            columns = [column[0] for column in cursor.description]
            rows = cursor.fetchmany(QUERY_ROW_LIMIT + 1)
    except duckdb.Error as error:
        message = " ".join(str(error).split())
        if "read-only" in message or "Permission Error" in message:
            message = f"only read-only queries are allowed ({message})"
        _fail(message, 2)
    click.echo(format_table(columns, rows[:QUERY_ROW_LIMIT]))
    if len(rows) > QUERY_ROW_LIMIT:
        click.echo(f"(first {QUERY_ROW_LIMIT} rows shown; add a LIMIT or aggregate)")


def format_table(columns: list[str], rows: list[tuple]) -> str:
    """A plain aligned text table with a header rule and a row count."""
    cells = [[_cell(value) for value in row] for row in rows]
    widths = [max([len(name), *(len(row[index]) for row in cells)]) for index, name in enumerate(columns)]
    lines = [
        "  ".join(name.ljust(width) for name, width in zip(columns, widths, strict=True)),
        "  ".join("-" * width for width in widths),
        *("  ".join(value.ljust(width) for value, width in zip(row, widths, strict=True)) for row in cells),
        f"({len(rows)} row{'s' if len(rows) != 1 else ''})",
    ]
    return "\n".join(line.rstrip() for line in lines)


def _cell(value: object) -> str:
    text = "NULL" if value is None else str(value)
    return text if len(text) <= 80 else text[:77] + "..."
