"""`livingreview screen`: screen a JSONL file of records with the pipeline's rules and model."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

BAD_INPUT = 2


def _say(message: str, enabled: bool) -> None:
    if enabled:
        click.echo(message, err=True)


@click.command()
@click.option(
    "--input",
    "input_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSONL: one record per line with id, title, abstract (categories optional).",
)
@click.option(
    "--output",
    "output_path",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="JSONL written atomically: one screening result per input record, same order.",
)
@click.option("--rules-only", is_flag=True, help="Skip the model vote (rules and tags only).")
@click.option("--model-version", default=None, help="A model under data/models/ (default: the current one).")
def screen(input_path: Path, output_path: Path, rules_only: bool, model_version: str | None) -> None:
    """Screen records: decision, score, reasons and tags per record, as the weekly pipeline would."""
    from livingreview import prioritisation, screen_file

    started = time.monotonic()
    try:
        records = screen_file.load_records(input_path)
    except screen_file.InputError as error:
        click.echo(f"Error: {input_path}: {error}; nothing written", err=True)
        sys.exit(BAD_INPUT)
    progress = len(records) >= screen_file.PROGRESS_FROM
    _say(f"read {len(records)} records; screening with the rules", progress)
    model = None if rules_only else prioritisation.load(model_version)
    rows = screen_file.screen(records, model, progress)
    screen_file.write_jsonl(rows, output_path)
    decided = {d: sum(row["decision"] == d for row in rows) for d in ("include", "maybe", "exclude")}
    version = model.version if model is not None else "none (rules only)"
    click.echo(
        f"screened {len(rows)} records in {time.monotonic() - started:.1f} s: "
        + ", ".join(f"{n} {d}" for d, n in decided.items())
        + f"; model {version} -> {output_path}",
        err=True,
    )
