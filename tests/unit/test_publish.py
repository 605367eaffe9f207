"""Publish (atomic replace + log), quarantine (move, never delete) and failure records."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from livingreview.publish import (
    file_sha256,
    list_failures,
    list_publications,
    list_quarantine,
    publish_warehouse,
    quarantine_batch,
    record_failure,
)


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def make_warehouse(path: Path, review_version: str, studies: int) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as connection:
        connection.execute("create or replace table dim_review_versions (review_version varchar)")
        connection.execute("insert into dim_review_versions values ('2025.10.06'), (?)", [review_version])
        connection.execute(
            f"create or replace table fct_studies as select range as study_id from range({studies})"
        )
    return path


def studies_in(path: Path) -> int:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute("select count(*) from fct_studies").fetchone()[0]


def test_publish_copies_the_work_warehouse_and_logs_it(data_dir: Path) -> None:
    work = make_warehouse(data_dir / "warehouse" / "work.duckdb", "2025.10.13", studies=7)
    result = publish_warehouse()
    published = data_dir / "published" / "living_review.duckdb"
    assert result.path == published
    assert result.review_version == "2025.10.13"
    assert result.sha256 == file_sha256(published) == file_sha256(work)
    assert studies_in(published) == 7
    [logged] = list_publications()
    assert logged["sha256"] == result.sha256
    assert logged["review_version"] == "2025.10.13"
    assert logged["path"] == str(published)
    assert sorted(path.name for path in published.parent.iterdir()) == [
        "living_review.duckdb",
        "publications.jsonl",
    ]  # no temp file left behind


def test_publish_folds_the_wal_into_the_copy(data_dir: Path) -> None:
    work = make_warehouse(data_dir / "warehouse" / "work.duckdb", "2025.10.13", studies=3)
    writer = duckdb.connect(str(work))  # a writer still open: its last insert lives in the WAL
    writer.execute("set checkpoint_threshold = '1GB'")
    writer.execute("insert into fct_studies select range + 100 from range(5)")
    assert work.with_name("work.duckdb.wal").is_file()
    publish_warehouse()
    writer.close()
    assert studies_in(data_dir / "published" / "living_review.duckdb") == 8


def test_a_reader_holding_the_old_file_keeps_its_version(data_dir: Path) -> None:
    make_warehouse(data_dir / "warehouse" / "work.duckdb", "2025.10.13", studies=2)
    published = publish_warehouse().path
    reader = duckdb.connect(str(published), read_only=True)
    make_warehouse(data_dir / "warehouse" / "work.duckdb", "2025.10.20", studies=5)
    publish_warehouse()
    assert reader.execute("select count(*) from fct_studies").fetchone()[0] == 2
    reader.close()
    assert studies_in(published) == 5
    assert [entry["review_version"] for entry in list_publications()] == ["2025.10.13", "2025.10.20"]


def test_publish_without_a_work_warehouse_leaves_the_published_file(data_dir: Path) -> None:
    make_warehouse(data_dir / "warehouse" / "work.duckdb", "2025.10.13", studies=2)
    published = publish_warehouse().path
    before = file_sha256(published)
    with pytest.raises(FileNotFoundError, match="no work warehouse"):
        publish_warehouse(work=data_dir / "warehouse" / "missing.duckdb")
    assert file_sha256(published) == before


def test_quarantine_moves_windows_copies_the_warehouse_and_keeps_every_file(data_dir: Path) -> None:
    window = data_dir / "landing" / "arxiv" / "2025-10-13_2025-10-20"
    (window / "raw").mkdir(parents=True)
    (window / "records.jsonl").write_text('{"source_id": "x"}\n', encoding="utf-8")
    (window / "raw" / "0001.xml").write_bytes(b"<feed/>")
    warehouse = make_warehouse(data_dir / "warehouse" / "work.duckdb", "2025.10.20", studies=1)

    target = quarantine_batch(
        "scheduled__2025-10-20T06:00:00+00:00", [window], warehouse, "gate_landing: 3 null titles"
    )

    assert target == data_dir / "quarantine" / "scheduled__2025-10-20T06_00_00_00_00"
    assert not window.exists()  # the next build no longer reads it
    kept = target / "landing" / "arxiv" / "2025-10-13_2025-10-20"
    assert (kept / "records.jsonl").read_text(encoding="utf-8") == '{"source_id": "x"}\n'
    assert (kept / "raw" / "0001.xml").read_bytes() == b"<feed/>"
    assert file_sha256(target / "work.duckdb") == file_sha256(warehouse)
    assert warehouse.is_file()  # copied, not moved
    record = json.loads((target / "quarantine.json").read_text(encoding="utf-8"))
    assert record["reason"] == "gate_landing: 3 null titles"
    assert record["windows"] == [{"from": str(window), "to": str(kept)}]
    [listed] = list_quarantine()
    assert listed["batch_id"] == "scheduled__2025-10-20T06:00:00+00:00"
    assert listed["path"] == str(target)


def test_failures_are_appended_never_rewritten(data_dir: Path) -> None:
    record_failure("gate_marts", "run-1", "shares do not sum to 1", {"failed": ["a"]})
    record_failure("airflow_task", "run-2", "harvest_arxiv failed")
    failures = list_failures()
    assert [(entry["kind"], entry["run_id"]) for entry in failures] == [
        ("gate_marts", "run-1"),
        ("airflow_task", "run-2"),
    ]
    assert failures[0]["details"] == {"failed": ["a"]}
    assert (data_dir / "failures" / "failures.jsonl").read_text(encoding="utf-8").count("\n") == 2
