"""`livingreview validate | publish | refresh | query`: exit codes, messages, read-only queries."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from livingreview.cli import main
from livingreview.publish import file_sha256, publish_warehouse
from tests.gates.gate_inputs import arxiv_record, valid_marts, write_warehouse, write_window


def run(*arguments: str):
    return CliRunner().invoke(main, list(arguments))


def published_marts(data_dir: Path) -> Path:
    write_warehouse(data_dir / "warehouse" / "work.duckdb", valid_marts())
    return publish_warehouse().path


def test_query_before_anything_is_published_says_so(data_dir: Path) -> None:
    result = run("query", "select 1")
    assert result.exit_code == 1
    assert "nothing published yet" in result.output


def test_query_prints_a_table_of_the_published_marts(data_dir: Path) -> None:
    published_marts(data_dir)
    result = run("query", "select study_id, fm_type from fct_studies order by study_id")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["study_id", "fm_type"]
    assert lines[2].split() == ["s1", "vision_language"]
    assert lines[-1] == "(3 rows)"


@pytest.mark.parametrize(
    "statement",
    [
        "delete from fct_studies",
        "create table stolen as select 1",
        "copy fct_studies to '/tmp/livingreview-leak.csv'",
        "attach '/tmp/livingreview-other.duckdb' as other",
    ],
)
def test_query_rejects_writes(data_dir: Path, statement: str) -> None:
    published = published_marts(data_dir)
    before = file_sha256(published)
    result = run("query", statement)
    assert result.exit_code == 2
    assert "only read-only queries are allowed" in result.output
    assert file_sha256(published) == before
    assert not Path("/tmp/livingreview-leak.csv").exists()


def test_query_with_bad_sql_is_a_one_line_error(data_dir: Path) -> None:
    published_marts(data_dir)
    result = run("query", "select * from no_such_mart")
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and result.output.count("\n") == 1


def test_validate_landing_passes_and_prints_the_data_docs(data_dir: Path) -> None:
    start = date(2025, 10, 6)
    write_window(data_dir / "landing", start, [arxiv_record(number, start) for number in range(3)])
    result = run("validate", "--landing", str(data_dir / "landing"))  # a folder above windows
    assert result.exit_code == 0, result.output
    assert "gate landing: passed" in result.output
    assert str(data_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html") in result.output


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["validate", "--landing", "/nonexistent/landing"], "not a folder"),
        (["validate", "--marts"], "no work warehouse"),
        (["publish"], "no work warehouse"),
        (["refresh", "--start", "2025-10-06", "--end", "2025-13-01"], "is not a date"),
        (["refresh", "--start", "2025-10-06", "--end", "2025-10-10"], "whole number of 7-day windows"),
        (["refresh", "--start", "2025-10-06", "--end", "2025-10-13", "--source", "pubmed"], "unknown source"),
    ],
)
def test_bad_input_is_a_one_line_error_with_exit_2(
    data_dir: Path, arguments: list[str], message: str
) -> None:
    result = run(*arguments)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert result.output.count("\n") == 1


def test_publish_refuses_a_warehouse_that_fails_gate_2(data_dir: Path) -> None:
    published = published_marts(data_dir)
    before = file_sha256(published)
    tables = valid_marts()
    tables["mart_trends"][0]["share"] = 0.9
    write_warehouse(data_dir / "warehouse" / "work.duckdb", tables)
    result = run("publish")
    assert result.exit_code == 1
    assert "gate marts: FAILED" in result.output
    assert "nothing published" in result.output
    assert file_sha256(published) == before
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute("select max(share) from mart_trends").fetchone()[0] < 0.9
