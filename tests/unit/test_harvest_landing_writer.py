"""The landing writer: deterministic records.jsonl, atomic replace, failed runs kept apart."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from ingestion.contract import RUN_FIELDS
from ingestion.landing_writer import WindowWriter, serialize_records, suffix_for
from ingestion.normalize import make_record

START, END = date(2025, 10, 13), date(2025, 10, 20)


def record(source_id: str, version: int, title: str = "t") -> dict:
    return make_record(source="arxiv", source_id=source_id, version=version, title=title, search_run_id="r")


def run_log(status: str = "succeeded") -> dict:
    return {field: None for field in RUN_FIELDS} | {"status": status}


def test_serialized_records_do_not_depend_on_arrival_order() -> None:
    rows = [record("2510.2", 1), record("2510.10", 2), record("2510.10", 1), record("2510.2", 1)]
    lines = serialize_records(rows)
    assert lines == serialize_records(list(reversed(rows)))
    assert [(json.loads(line)["source_id"], json.loads(line)["version"]) for line in lines] == [
        ("2510.10", 1),
        ("2510.10", 2),
        ("2510.2", 1),  # the exact repeat collapsed
    ]
    assert all(list(json.loads(line)) == sorted(json.loads(line)) for line in lines)


def test_conflicting_rows_with_one_key_are_kept_for_the_gate() -> None:
    lines = serialize_records([record("a", 1, "first"), record("a", 1, "second")])
    assert [json.loads(line)["title"] for line in lines] == ["first", "second"]


def test_make_record_rejects_fields_outside_the_contract() -> None:
    with pytest.raises(ValueError, match="harvested_on"):
        make_record(source="arxiv", harvested_on="today")


def test_commit_replaces_the_previous_window_in_one_rename(tmp_path: Path) -> None:
    first = WindowWriter(tmp_path, "arxiv", START, END, "run1")
    first.accept(first.save("http://x/1", 200, "application/atom+xml", b"<feed/>"))
    window = first.commit(serialize_records([record("a", 1)]), run_log())
    assert window == tmp_path / "arxiv" / "2025-10-13_2025-10-20"
    assert json.loads((window / "raw" / "index.json").read_text()) == [
        {
            "file": "0001.xml",
            "url": "http://x/1",
            "status": 200,
            "content_type": "application/atom+xml",
            "accepted": True,
        }
    ]
    assert (window / "raw" / "0001.xml").read_bytes() == b"<feed/>"
    second = WindowWriter(tmp_path, "arxiv", START, END, "run2")
    second.save("http://x/1", 200, "application/atom+xml", b"<feed/>")
    second.commit(serialize_records([record("b", 1)]), run_log())
    assert json.loads((window / "records.jsonl").read_text())["source_id"] == "b"
    assert list((tmp_path / "_staging" / "arxiv").iterdir()) == []


def test_fail_keeps_raw_and_run_but_never_records(tmp_path: Path) -> None:
    writer = WindowWriter(tmp_path, "medrxiv", START, END, "run9")
    number = writer.save(
        "http://x/details", 503, "text/plain; charset=utf-8", b"Service Temporarily Unavailable\n"
    )
    writer.reject(number, "HTTP 503")
    failed = writer.fail(run_log("failed"))
    assert failed == tmp_path / "_failed" / "medrxiv" / "2025-10-13_2025-10-20_run9"
    assert (failed / "raw" / "0001.txt").read_bytes() == b"Service Temporarily Unavailable\n"
    assert json.loads((failed / "raw" / "index.json").read_text())[0]["rejected_because"] == "HTTP 503"
    assert json.loads((failed / "run.json").read_text())["status"] == "failed"
    assert not (failed / "records.jsonl").exists() and not (tmp_path / "medrxiv").exists()


def test_run_log_must_follow_the_contract(tmp_path: Path) -> None:
    writer = WindowWriter(tmp_path, "arxiv", START, END, "run3")
    with pytest.raises(ValueError, match="contract"):
        writer.commit([], {"status": "succeeded"})
    assert not (tmp_path / "arxiv").exists()


@pytest.mark.parametrize(
    ("content_type", "suffix"),
    [
        ("application/atom+xml; charset=utf-8", ".xml"),
        ("application/json", ".json"),
        ("text/html", ".html"),
        ("", ".bin"),
    ],
)
def test_raw_file_suffix_follows_the_content_type(content_type: str, suffix: str) -> None:
    assert suffix_for(content_type) == suffix
