"""Gate 1: every landing expectation passes on a valid window and fails on the defect it guards."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from expectations import gate_landing
from tests.gates.gate_inputs import arxiv_record, write_window

START = date(2025, 10, 6)


def failures_of(windows: list[Path]) -> list[str]:
    result = gate_landing(windows)
    assert result.success is (not result.failed_expectations)
    return result.failed_expectations


def only_failure(windows: list[Path], expected: str) -> str:
    failures = failures_of(windows)
    assert len(failures) == 1, failures
    assert expected in failures[0], failures[0]
    return failures[0]


def test_valid_window_passes_and_renders_data_docs(arxiv_week, data_dir: Path) -> None:
    result = gate_landing([arxiv_week(START)])
    assert result.success, result.failed_expectations
    assert result.validations == 2  # records suite of arxiv + the runs suite
    docs = data_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert result.data_docs_path == docs
    assert result.data_docs_path.is_file()
    assert (data_dir / "gx" / "expectations" / "landing_records_arxiv.json").is_file()


def test_null_title_fails(data_dir: Path) -> None:
    records = [arxiv_record(0, START), arxiv_record(1, START, title=None)]
    window = write_window(data_dir / "landing", START, records)
    only_failure([window], "expect_column_values_to_not_be_null(title): 1 unexpected")


def test_date_outside_window_fails(data_dir: Path) -> None:
    late = f"{START + timedelta(days=7)}T00:00:00Z"  # the window is half-open: its end is outside
    records = [arxiv_record(0, START), arxiv_record(1, START, published_at=late, updated_at=late)]
    window = write_window(data_dir / "landing", START, records)
    only_failure([window], "expect_column_pair_values_a_to_be_greater_than_b(window_end vs window_date)")


def test_date_before_window_and_unparsable_date_fail(data_dir: Path) -> None:
    early = arxiv_record(1, START, published_at="2025-10-05T23:59:59Z", updated_at="2025-10-05T23:59:59Z")
    garbled = arxiv_record(2, START, published_at="last tuesday")
    window = write_window(data_dir / "landing", START, [arxiv_record(0, START), early, garbled])
    failures = failures_of([window])
    assert any("(window_date vs window_start): 1 unexpected" in failure for failure in failures), failures
    assert any("to_not_be_null(window_date): 1 unexpected" in failure for failure in failures), failures


def test_duplicate_source_id_and_version_fails(data_dir: Path) -> None:
    twin = arxiv_record(0, START, title="Same id, different title")
    window = write_window(data_dir / "landing", START, [arxiv_record(0, START), twin])
    only_failure([window], "expect_compound_columns_to_be_unique")


def test_malformed_id_fails(data_dir: Path) -> None:
    records = [arxiv_record(0, START), arxiv_record(1, START, source_id="2510.10001v2")]
    window = write_window(data_dir / "landing", START, records)
    only_failure([window], "match_regex(source_id): 1 unexpected, e.g. ['2510.10001v2']")


def test_record_missing_a_contract_field_fails(data_dir: Path) -> None:
    complete = json.dumps(arxiv_record(0, START), sort_keys=True)
    partial = {key: value for key, value in arxiv_record(1, START).items() if key != "doi"}
    window = write_window(data_dir / "landing", START, [], raw_lines=[complete, json.dumps(partial)])
    only_failure([window], "expect_column_values_to_be_in_set(has_contract_fields)")


def test_zero_rows_fails(arxiv_week) -> None:
    only_failure([arxiv_week(START, count=0)], "(record_count vs volume_floor)")


def test_volume_cliff_against_trailing_median_fails(arxiv_week) -> None:
    for week in range(3):
        arxiv_week(START + timedelta(days=7 * week), count=20)
    cliff = arxiv_week(START + timedelta(days=21), count=3)  # 3 < 0.2 x 20
    failure = only_failure([cliff], "(record_count vs volume_floor)")
    assert "e.g. [(3, 4)]" in failure  # landed 3, floor ceil(0.2 x 20) = 4


def test_small_window_without_history_passes(arxiv_week) -> None:
    assert failures_of([arxiv_week(START, count=1)]) == []


def test_shortfall_beyond_protocol_tolerance_fails(arxiv_week) -> None:
    window = arxiv_week(START, count=5, api_reported_total=6)  # arXiv tolerance is 0
    failures = failures_of([window])
    assert len(failures) == 2, failures  # neither retrieved nor landed reaches 6
    assert "(retrieved vs complete_floor)" in failures[0] + failures[1]


def test_shortfall_within_protocol_tolerance_passes(data_dir: Path) -> None:
    run_id = f"medrxiv:{START}_{START + timedelta(days=7)}"
    records = [
        arxiv_record(number, START, source="medrxiv", source_id=f"10.1101/{number}", search_run_id=run_id)
        for number in range(19)
    ]
    window = write_window(data_dir / "landing", START, records, source="medrxiv", api_reported_total=20)
    assert failures_of([window]) == []  # 19 of 20 is within medRxiv's 10 %


def test_failed_run_and_wrong_run_id_fail(arxiv_week) -> None:
    window = arxiv_week(START, status="failed", search_run_id="arxiv:2025-01-01_2025-01-08")
    failures = failures_of([window])
    assert any("expect_column_values_to_be_in_set(status)" in failure for failure in failures), failures
    assert any("(search_run_id vs expected_search_run_id)" in failure for failure in failures), failures


def test_missing_run_log_is_reported(arxiv_week) -> None:
    window = arxiv_week(START)
    (window / "run.json").unlink()
    only_failure([window], "missing run.json")


def test_not_a_window_folder_is_rejected(data_dir: Path) -> None:
    with pytest.raises(ValueError, match="not a landing window folder"):
        gate_landing([data_dir / "landing" / "arxiv" / "latest"])


# ---------------------------------------------------------------- batches of several windows
# GX sees every record of a source's newest window, and of the older windows only the records the
# DuckDB scan flags as possibly failing. Each defect below sits in the older of two windows, so it
# is found only if the scan flags it: the failure must be the same as in a single window.

LATE = f"{START + timedelta(days=7)}T00:00:00Z"


def two_weeks(
    data_dir: Path, older: list[dict] | None = None, raw_lines: list[str] | None = None
) -> list[Path]:
    """An older window (the given records or raw lines) and a valid newer one, as one batch."""
    landing = data_dir / "landing"
    later = START + timedelta(days=7)
    records = older if older is not None else []
    return [
        write_window(landing, START, records, raw_lines=raw_lines),
        write_window(landing, later, [arxiv_record(number, later) for number in range(5)]),
    ]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": None}, "expect_column_values_to_not_be_null(title): 1 unexpected"),
        ({"url": None}, "expect_column_values_to_not_be_null(url): 1 unexpected"),
        ({"source_id": None}, "expect_column_values_to_not_be_null(source_id): 1 unexpected"),
        ({"version": None}, "expect_column_values_to_not_be_null(version): 1 unexpected"),
        ({"source_id": "2510.10001v2"}, "match_regex(source_id): 1 unexpected, e.g. ['2510.10001v2']"),
        ({"source": "medrxiv"}, "be_in_set(source): 1 unexpected, e.g. ['medrxiv']"),
        ({"search_run_id": "arxiv:2025-01-01_2025-01-08"}, "(search_run_id vs expected_search_run_id)"),
        ({"version": 0}, "be_between(version): 1 unexpected, e.g. [0]"),
        ({"published_at": LATE, "updated_at": LATE}, "(window_end vs window_date): 1 unexpected"),
        ({"published_at": "2025-10-05T23:59:59Z"}, "(window_date vs window_start): 1 unexpected"),
        ({"published_at": "last tuesday"}, "to_not_be_null(window_date): 1 unexpected"),
        ({"published_at": None}, "to_not_be_null(window_date): 1 unexpected"),
        (
            {"published_at": "2025-10-08T00:00:00Z", "updated_at": "2025-10-07T00:00:00Z"},
            "(updated_ts vs published_ts): 1 unexpected",
        ),
        ({"source_id": "2510.10000", "title": "Same id, different title"}, "compound_columns_to_be_unique"),
    ],
)
def test_defect_in_an_older_window_of_the_batch_fails(data_dir: Path, changes: dict, expected: str) -> None:
    records = [arxiv_record(0, START), arxiv_record(1, START, **changes), arxiv_record(2, START)]
    only_failure(two_weeks(data_dir, records), expected)


def test_missing_or_extra_field_in_an_older_window_fails(data_dir: Path) -> None:
    partial = {key: value for key, value in arxiv_record(1, START).items() if key != "doi"}
    extra = arxiv_record(2, START) | {"lang": "en"}
    lines = [json.dumps(arxiv_record(0, START), sort_keys=True), json.dumps(partial), json.dumps(extra)]
    failures = failures_of(two_weeks(data_dir, raw_lines=lines))
    assert len(failures) == 2, failures
    assert any("be_in_set(has_contract_fields): 2 unexpected" in failure for failure in failures), failures
    assert any("expect_table_columns_to_match_set" in failure for failure in failures), failures  # lang


def test_versions_pandas_finds_equal_are_duplicates(data_dir: Path) -> None:
    one = arxiv_record(1, START)
    lines = [json.dumps(one, sort_keys=True), json.dumps(one | {"version": 1.0}, sort_keys=True)]
    only_failure(two_weeks(data_dir, raw_lines=lines), "compound_columns_to_be_unique")


def test_values_only_python_and_pandas_accept_pass(data_dir: Path) -> None:
    """The scan flags what it cannot judge like Python's re and pandas (an offset instead of Z, a
    non-ASCII digit, a date without time); GX, judging those records, lets them pass."""
    records = [
        arxiv_record(0, START, published_at="2025-10-06T14:00:00+02:00", updated_at="2025-10-07"),
        arxiv_record(1, START, source_id="2510.1000\u0661"),  # ARABIC-INDIC DIGIT ONE: \d in Python
    ]
    assert failures_of(two_weeks(data_dir, records)) == []


def test_volume_against_windows_of_the_same_batch(data_dir: Path) -> None:
    landing = data_dir / "landing"
    weeks = [START + timedelta(days=7 * week) for week in range(4)]
    windows = [
        write_window(landing, week, [arxiv_record(number, week) for number in range(20 if index < 3 else 3)])
        for index, week in enumerate(weeks)
    ]
    failure = only_failure(windows, "(record_count vs volume_floor)")  # the backfill's last week
    assert "e.g. [(3, 4)]" in failure
