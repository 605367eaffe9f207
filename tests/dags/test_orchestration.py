"""Run windows, pools and the start date the DAG takes from the protocol (no Airflow needed)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from livingreview.config import load_protocol
from livingreview.orchestration import (
    WAREHOUSE_WRITER_POOL,
    harvest_groups,
    pool_specs,
    run_window,
    start_date,
    write_pools_file,
)

MONDAY = datetime(2025, 10, 20, 6, tzinfo=UTC)


def test_window_comes_from_the_data_interval_as_dates() -> None:
    assert run_window(MONDAY - timedelta(days=7), MONDAY, {}) == (date(2025, 10, 13), date(2025, 10, 20))


def test_data_interval_in_another_timezone_is_read_in_utc() -> None:
    plus_two = timezone(timedelta(hours=2))
    end = datetime(2025, 10, 20, 1, tzinfo=plus_two)  # 2025-10-19 23:00 UTC
    assert run_window(end - timedelta(days=7), end, {}) == (date(2025, 10, 12), date(2025, 10, 19))


def test_params_override_the_data_interval() -> None:
    params = {"window_start": "2025-09-01", "window_end": "2025-09-08", "api_base_url": None}
    assert run_window(MONDAY - timedelta(days=7), MONDAY, params) == (date(2025, 9, 1), date(2025, 9, 8))


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"window_start": "2025-09-01"}, "together"),
        ({"window_start": "2025-09-08", "window_end": "2025-09-01"}, "empty window"),
    ],
)
def test_bad_window_params_are_refused(params: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run_window(MONDAY - timedelta(days=7), MONDAY, params)


def test_a_manual_run_without_interval_covers_the_days_before_it() -> None:
    run_after = datetime(2026, 11, 29, 8, 23, tzinfo=UTC)
    assert run_window(None, None, {"window_start": None}, run_after=run_after) == (
        date(2026, 11, 22),
        date(2026, 11, 29),
    )


def test_a_run_with_nothing_to_go_by_is_refused() -> None:
    with pytest.raises(ValueError, match="no data interval"):
        run_window(None, None, {})


def test_first_run_closes_the_protocols_first_window() -> None:
    cadence = load_protocol().cadence
    first = date.fromisoformat(str(cadence["start_date"])) + timedelta(days=cadence["window_days"])
    assert start_date() == datetime(first.year, first.month, first.day, tzinfo=UTC)


def test_sources_sharing_an_api_share_its_pool() -> None:
    groups = harvest_groups()
    assert groups["cshl_api"] == ["medrxiv", "biorxiv"]
    assert groups["arxiv_api"] == ["arxiv"]
    assert sorted(source for sources in groups.values() for source in sources) == sorted(
        load_protocol().enabled_sources()
    )


def test_pools_file_has_one_slot_per_api_and_for_the_writer(tmp_path) -> None:
    written = json.loads(write_pools_file(tmp_path / "pools.json").read_text(encoding="utf-8"))
    assert written == pool_specs()
    assert set(written) == {*harvest_groups(), WAREHOUSE_WRITER_POOL}
    assert all(spec["slots"] == 1 and spec["description"] for spec in written.values())
