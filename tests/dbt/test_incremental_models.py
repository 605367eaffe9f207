"""Incremental models equal a full rebuild (issue 7): build, land one more week, build incrementally,
then compare table by table with `--full-refresh` over the same landing files.

Landing data comes from the benchmark generator (benchmarks/generate.py) with its built-in
vocabulary, so the test needs no recorded data. Seeds and models only: the data tests run in
test_warehouse_build.py.
"""

from __future__ import annotations

import json
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
INCREMENTAL_MODELS = ("int_records__screened", "int_records__tagged")


def build(data: Path, *arguments: str) -> dict:
    """`dbt build` of seeds and models into `data`'s warehouse; returns run_results.json."""
    warehouse_path().parent.mkdir(parents=True, exist_ok=True)
    process = run_dbt(
        ["build", "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test", *arguments]
    )
    assert process.returncode == 0, process.stdout[-3000:]
    return json.loads((dbt_state_dir() / "target" / "run_results.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def warehouses(tmp_path_factory) -> tuple[Path, Path, dict]:
    """(incrementally built warehouse, fully rebuilt warehouse, run results of the incremental build)."""
    model = builtin_model()
    incremental = tmp_path_factory.mktemp("incremental")
    full = tmp_path_factory.mktemp("full")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LIVINGREVIEW_DATA_DIR", str(incremental))
        generate_landing(
            incremental / "landing", 2 * PER_WEEK, start=FIRST_WEEK, per_week=PER_WEEK, model=model
        )
        build(incremental)
        next_week = FIRST_WEEK + timedelta(weeks=2)
        generate_landing(
            incremental / "landing", PER_WEEK, start=next_week, per_week=PER_WEEK, model=model, seed=8
        )
        results = build(incremental)
        shutil.copytree(incremental / "landing", full / "landing")
        patch.setenv("LIVINGREVIEW_DATA_DIR", str(full))
        build(full, "--full-refresh")
    return incremental / "warehouse" / "work.duckdb", full / "warehouse" / "work.duckdb", results


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
        assert "anti join" in compiled[model], f"{model} was rebuilt whole, not incrementally"


def test_incremental_build_equals_a_full_rebuild_table_by_table(warehouses):
    incremental, full, _ = warehouses
    connection = duckdb.connect(str(incremental), read_only=True)
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
