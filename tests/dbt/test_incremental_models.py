"""Incremental models equal a full rebuild (issue 7): build, land one more week, build incrementally,
then compare table by table with `--full-refresh` over the same landing files.

Landing data comes from the benchmark generator (benchmarks/generate.py) with its built-in
vocabulary, so the test needs no recorded data. Seeds and models only: the data tests run in
test_warehouse_build.py.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from benchmarks.corpus_model import builtin_model
from benchmarks.generate import generate_landing
from livingreview.build import dbt_state_dir, run_dbt
from livingreview.config import warehouse_path

FIRST_WEEK = date(2024, 1, 1)
PER_WEEK = 600
# columns that stamp the build itself, not the data
BUILD_STAMPS = {"built_at", "dbt_invocation_id"}
INCREMENTAL_MODELS = (
    "stg_arxiv__records",
    "stg_medrxiv__records",
    "stg_biorxiv__records",
    "stg_europepmc__records",
    "int_records__unioned",
    "int_studies",
    "int_records__rule_screened",
)
LANDING_MODELS = INCREMENTAL_MODELS[:4]


def build(data: Path, *arguments: str) -> dict:
    """`dbt build` of seeds and models into `data`'s warehouse; returns run_results.json."""
    warehouse_path().parent.mkdir(parents=True, exist_ok=True)
    process = run_dbt(
        ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test", *arguments]
    )
    assert process.returncode == 0, process.stdout[-3000:]
    return json.loads((dbt_state_dir() / "target" / "run_results.json").read_text(encoding="utf-8"))


def reharvest_with_new_title(window: Path) -> str:
    """Rewrite a window's records.jsonl the way a re-harvest does (new file, renamed into place),
    with the first record's title changed; returns the new title."""
    path = window / "records.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[0])
    record["title"] = f"Re-harvested: {record['title']}"
    staged = path.with_suffix(".tmp")
    staged.write_text("\n".join([json.dumps(record), *lines[1:]]) + "\n", encoding="utf-8")
    os.replace(staged, path)
    return record["title"]


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory) -> tuple[Path, Path, dict]:
    """(incrementally built warehouse, fully rebuilt warehouse, run results of the incremental build).

    The incremental build sees a new week, a re-harvested arXiv window and a withdrawn (quarantined)
    medRxiv window at once; the full rebuild reads the same landing folder from scratch."""
    model = builtin_model()
    data = tmp_path_factory.mktemp("warehouse")
    landing = data / "landing"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LIVINGREVIEW_DATA_DIR", str(data))
        generate_landing(landing, 2 * PER_WEEK, start=FIRST_WEEK, per_week=PER_WEEK, model=model)
        build(data)
        generate_landing(
            landing, PER_WEEK, start=FIRST_WEEK + timedelta(weeks=2), per_week=PER_WEEK, model=model, seed=8
        )
        reharvest_with_new_title(sorted((landing / "arxiv").iterdir())[0])
        shutil.rmtree(sorted((landing / "medrxiv").iterdir())[0])
        results = build(data)
        incremental = data / "incremental.duckdb"
        shutil.copyfile(warehouse_path(), incremental)
        build(data, "--full-refresh")
    return incremental, data / "warehouse" / "work.duckdb", results


def base_tables(connection: duckdb.DuckDBPyConnection, catalog: str) -> list[str]:
    return [
        row[0]
        for row in connection.execute(
            "select table_name from information_schema.tables "
            "where table_catalog = ? and table_schema = 'main' and table_type = 'BASE TABLE' order by 1",
            [catalog],
        ).fetchall()
    ]


def test_the_second_build_took_the_incremental_path(warehouses):
    _, _, results = warehouses
    compiled = {
        result["unique_id"].split(".")[-1]: result.get("compiled_code") or "" for result in results["results"]
    }
    for model in INCREMENTAL_MODELS:
        assert f'."{model}"' in compiled[model], f"{model} was rebuilt whole, not incrementally"


def test_the_incremental_build_read_only_new_and_changed_landing_files(warehouses):
    _, _, results = warehouses
    compiled = {
        result["unique_id"].split(".")[-1]: result.get("compiled_code") or "" for result in results["results"]
    }
    files_read = {model: compiled[model].count("/records.jsonl'") for model in LANDING_MODELS}
    # arXiv: the new week's window and the re-harvested one (each named twice: records and file times)
    assert files_read["stg_arxiv__records"] == 2 * 2
    # medRxiv lost a window: its table was emptied and reloaded from every remaining file
    assert files_read["stg_medrxiv__records"] == 2 * 2
    # the others: the new week only
    assert files_read["stg_biorxiv__records"] == 2
    assert files_read["stg_europepmc__records"] == 2


def test_incremental_build_equals_a_full_rebuild_table_by_table(warehouses):
    incremental, full, _ = warehouses
    connection = duckdb.connect()
    connection.execute(f"attach '{incremental}' as work (read_only)")
    connection.execute(f"attach '{full}' as full_build (read_only)")
    tables = base_tables(connection, "work")
    assert set(INCREMENTAL_MODELS) <= set(tables)
    assert tables == base_tables(connection, "full_build")
    differing = {}
    for table in tables:
        columns = [
            row[0]
            for row in connection.execute(
                "select column_name from information_schema.columns "
                "where table_catalog = 'work' and table_name = ? order by ordinal_position",
                [table],
            ).fetchall()
            if row[0] not in BUILD_STAMPS
        ]
        selected = ", ".join(f'"{column}"' for column in columns)
        mine = f"select {selected} from work.main.{table}"
        theirs = f"select {selected} from full_build.main.{table}"
        missing, extra = (
            connection.execute(f"select count(*) from ({first} except all {second})").fetchone()[0]
            for first, second in ((theirs, mine), (mine, theirs))
        )
        if missing or extra:
            differing[table] = {"rows missing": missing, "rows extra": extra}
    assert differing == {}
    studies = connection.execute("select count(*) from work.main.int_records__screened").fetchone()[0]
    assert studies > 0
