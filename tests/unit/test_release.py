"""The versioned release: Parquet per mart + manifest, read from a real published DuckDB file."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from livingreview.config import load_protocol
from livingreview.publish import file_sha256
from livingreview.release import write_release


def make_published(path: Path, review_version: str = "2025-10-20") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "create table dim_review_versions as select * from (values "
            "('2025-10-13', date '2025-10-06', date '2025-10-13', 'c1', 'p1', 10), "
            "(?, date '2025-10-13', date '2025-10-20', 'c2', 'p1', 12)) "
            "t(review_version, window_start, window_end, criteria_version, protocol_version, studies)",
            [review_version],
        )
        connection.execute(
            "create table fct_studies as select 'study-' || range as study_id, 'Title ' || range as title, "
            "null::varchar as url, date '2025-10-20' as first_harvested_window_end, "
            "'rule' as decision_actor, 'c2' as criteria_version from range(12)"
        )
        connection.execute("create table mart_prisma_flow as select 'identified' as box, 40 as n")
        connection.execute("create table int_records__unioned as select 1 as not_a_mart")
        connection.execute("create view mart_view_only as select 1 as x")
    return path


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_release_exports_each_mart_with_counts_and_checksums(data: Path) -> None:
    published = make_published(data / "published" / "living_review.duckdb")

    release = write_release(report=False)  # the report needs every contracted mart: tests/report/

    assert release.path == data / "releases" / "2025-10-20"
    assert release.marts == {"dim_review_versions": 2, "fct_studies": 12, "mart_prisma_flow": 1}
    manifest = json.loads((release.path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["review_version"] == "2025-10-20"
    assert manifest["criteria_version"] == "c2"
    assert manifest["protocol_version"] == load_protocol().version
    assert manifest["published_warehouse"]["sha256"] == file_sha256(published)
    assert manifest["report"] is None
    assert [csv["file"] for csv in manifest["csv"]] == [f"{mart['name']}.csv" for mart in manifest["marts"]]
    for mart in manifest["marts"]:
        parquet = release.path / mart["file"]
        assert file_sha256(parquet) == mart["sha256"]
        rows = duckdb.execute(f"select count(*) from read_parquet('{parquet}')").fetchone()[0]
        assert rows == mart["rows"]
    assert "fct_studies.parquet" in (release.path / "README.md").read_text(encoding="utf-8")


def test_rerelease_of_the_same_version_replaces_it_whole(data: Path) -> None:
    make_published(data / "published" / "living_review.duckdb")
    first = write_release(report=False)
    (first.path / "stale.txt").write_text("left from an older release", encoding="utf-8")

    second = write_release(report=False)

    assert second.path == first.path
    assert not (second.path / "stale.txt").exists()
    assert sorted(path.name for path in (data / "releases").iterdir()) == ["2025-10-20", "CHANGELOG.md"]


def test_release_needs_a_published_warehouse(data: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nothing published"):
        write_release()


def test_release_needs_a_review_version(data: Path) -> None:
    published = data / "published" / "living_review.duckdb"
    published.parent.mkdir(parents=True)
    with duckdb.connect(str(published)) as connection:
        connection.execute("create table fct_studies as select 1 as study_id")
    with pytest.raises(LookupError, match="dim_review_versions"):
        write_release()
