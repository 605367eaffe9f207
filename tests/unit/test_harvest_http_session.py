"""The polite session: settings from the protocol, backoff arithmetic, throttle timing, and
which failures are final, against the simulator over real sockets."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from ingestion.code_version import code_version
from ingestion.harvest import HarvestError, harvest_window
from ingestion.http_session import (
    HttpSettings,
    PermanentHTTPError,
    PoliteSession,
    Throttle,
    parse_retry_after,
    retry_wait_seconds,
)
from ingestion.simulator import start_simulator
from livingreview.config import Protocol, load_protocol


def test_settings_come_from_the_protocol_with_source_overrides() -> None:
    protocol = load_protocol()
    arxiv = HttpSettings.from_protocol(protocol, "arxiv")
    assert (arxiv.politeness_delay_s, arxiv.retry_budget) == (3.0, 5)
    assert (arxiv.connect_timeout_s, arxiv.read_timeout_s) == (10.0, 60.0)
    assert arxiv.user_agent.startswith(f"livingreview/{code_version()} (")
    raw = copy.deepcopy(protocol.raw)
    raw["sources"]["medrxiv"]["read_timeout_s"] = 5
    assert HttpSettings.from_protocol(Protocol(raw), "medrxiv").read_timeout_s == 5.0


@pytest.mark.parametrize(
    ("attempt", "retry_after", "expected"),
    [
        (1, None, 1.0),
        (2, None, 2.0),
        (4, None, 8.0),
        (9, None, 120.0),
        (1, 30.0, 30.0),
        (3, 1.0, 4.0),
        (1, 900.0, 120.0),
    ],
)
def test_backoff_doubles_honours_retry_after_and_is_capped(
    attempt: int, retry_after: float | None, expected: float
) -> None:
    assert retry_wait_seconds(attempt, retry_after, factor=1.0, cap=120.0) == expected


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after(None) is None and parse_retry_after("soon") is None
    in_a_minute = format_datetime(datetime.now(UTC) + timedelta(seconds=60), usegmt=True)
    assert 55 <= parse_retry_after(in_a_minute) <= 60


def test_throttle_spaces_the_next_start_from_the_last_finish() -> None:
    throttle = Throttle(0.15)
    with throttle:
        pass
    finished = time.monotonic()
    with throttle:
        started = time.monotonic()
    assert started - finished >= 0.15


@pytest.fixture(scope="module")
def sim() -> Iterator:
    with start_simulator(corpus=None) as running:
        yield running


def test_a_status_retrying_cannot_fix_is_final(sim) -> None:
    settings = HttpSettings("test-agent", 2.0, 5.0, 0.01, 0.05, 0.0, 3)
    before = len(sim.request_log)
    with PoliteSession(settings) as session, pytest.raises(PermanentHTTPError) as final:
        session.fetch(f"{sim.base_url}/no/such/api", {}, bytes)
    assert final.value.status == 404
    assert len(sim.request_log) - before == 1 and session.stats.retries == 0
    assert session.stats.http_errors[0]["status"] == 404


def test_arxiv_error_feed_fails_the_harvest_with_its_message(sim, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(tmp_path))
    raw = copy.deepcopy(load_protocol().raw)
    raw["sources"]["arxiv"].update(categories=["cs.CV)"], politeness_delay_s=0.0)  # unbalanced query
    with pytest.raises(
        HarvestError, match=r"ArxivQueryError: arXiv API returned HTTP 400: arXiv API error: unbalanced"
    ):
        harvest_window(
            "arxiv", date(2025, 10, 13), date(2025, 10, 20), base_url=sim.base_url, protocol=Protocol(raw)
        )
    (run_file,) = (tmp_path / "landing" / "_failed" / "arxiv").glob("*/run.json")
    run = json.loads(run_file.read_text())
    assert (run["requests"], run["retries"], run["http_errors"][0]["status"]) == (1, 0, 400)
    assert (run_file.parent / "raw" / "0001.xml").read_bytes().count(b"/api/errors#") == 2


def _failed_run(tmp_path: Path, source: str) -> dict:
    (run_file,) = (tmp_path / "landing" / "_failed" / source).glob("*/run.json")
    return json.loads(run_file.read_text())


def test_cshl_error_status_is_not_mistaken_for_the_end(sim, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(tmp_path))
    raw = copy.deepcopy(load_protocol().raw)
    raw["sources"]["medrxiv"].update(server="chemrxiv", politeness_delay_s=0.0)
    with pytest.raises(HarvestError, match="CshlApiError: medrxiv API status: server must be one of"):
        harvest_window(
            "medrxiv", date(2025, 10, 13), date(2025, 10, 20), base_url=sim.base_url, protocol=Protocol(raw)
        )
    assert _failed_run(tmp_path, "medrxiv")["requests"] == 1


def test_europepmc_refusal_names_the_servers_message(sim, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(tmp_path))
    raw = copy.deepcopy(load_protocol().raw)
    raw["sources"]["europepmc"].update(page_size=0, politeness_delay_s=0.0)
    with pytest.raises(HarvestError, match=r"HTTP 400 from .*pageSize must be positive"):
        harvest_window(
            "europepmc", date(2025, 10, 13), date(2025, 10, 20), base_url=sim.base_url, protocol=Protocol(raw)
        )
    assert _failed_run(tmp_path, "europepmc")["http_errors"][0]["status"] == 400
