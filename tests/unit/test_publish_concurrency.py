"""8 reader processes query the published marts in a loop while 10 publishes replace the file:
zero errors, and every read sees one complete version (its marker agrees with its rows)."""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

import duckdb

from livingreview.publish import file_sha256, list_publications, publish_warehouse

READERS = 8
PUBLISHES = 10


def build_version(path: Path, version: int) -> Path:
    """Version n: n*1000 study rows all stamped n, a trend table, and a marker with both counts."""
    with duckdb.connect(str(path)) as connection:
        connection.execute(
            "create table fct_studies as select range as study_id, ? as version from range(?)",
            [version, version * 1000],
        )
        connection.execute(
            "create table mart_trends as select ? as version, range % 7 as value from range(?)",
            [version, version * 10],
        )
        connection.execute(
            "create table publication_marker as select ? as version, ? as studies, ? as trends",
            [version, version * 1000, version * 10],
        )
    return path


def read_until(published: str, stop, latest_seen, results) -> None:  # runs in a reader process
    reads, errors, versions = 0, [], set()
    while not stop.is_set():
        try:
            with duckdb.connect(published, read_only=True) as connection:
                marker = connection.execute(
                    "select version, studies, trends from publication_marker"
                ).fetchone()
                studies = connection.execute(
                    "select count(*), min(version), max(version) from fct_studies"
                ).fetchone()
                trends = connection.execute(
                    "select count(*), min(version), max(version) from mart_trends"
                ).fetchone()
            version, expected_studies, expected_trends = marker
            if studies != (expected_studies, version, version) or trends != (
                expected_trends,
                version,
                version,
            ):
                errors.append(f"torn read: marker {marker}, studies {studies}, trends {trends}")
            versions.add(version)
            reads += 1
            with latest_seen.get_lock():
                latest_seen.value = max(latest_seen.value, version)
        except Exception as error:  # every failure counts; the test asserts there are none
            errors.append(f"{type(error).__name__}: {error}")
    results.put((reads, errors, sorted(versions)))


def wait_until(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "readers made no progress"
        time.sleep(0.01)


def test_readers_never_see_a_partial_or_mixed_publication(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(tmp_path / "data"))
    published = tmp_path / "data" / "published" / "living_review.duckdb"
    works = [
        build_version(tmp_path / f"work_{version}.duckdb", version) for version in range(1, PUBLISHES + 1)
    ]
    publish_warehouse(works[0], published)

    context = multiprocessing.get_context("spawn")
    stop, results, latest_seen = context.Event(), context.Queue(), context.Value("i", 0)
    readers = [
        context.Process(target=read_until, args=(str(published), stop, latest_seen, results))
        for _ in range(READERS)
    ]
    for reader in readers:
        reader.start()
    for version, work in enumerate(works, start=1):
        if version > 1:
            publish_warehouse(work, published)
        wait_until(lambda version=version: latest_seen.value >= version)  # some reader saw it: go on
    stop.set()
    outcomes = [results.get(timeout=60) for _ in readers]
    for reader in readers:
        reader.join(timeout=30)

    errors = [error for _, reader_errors, _ in outcomes for error in reader_errors]
    assert errors == []
    assert all(reads > 0 for reads, _, _ in outcomes)
    seen = set().union(*(versions for _, _, versions in outcomes))
    assert seen == set(range(1, PUBLISHES + 1))  # reads overlapped every publication
    assert file_sha256(published) == file_sha256(works[-1])
    assert len(list_publications()) == PUBLISHES
