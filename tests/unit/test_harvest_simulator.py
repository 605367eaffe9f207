"""Harvests against the local API simulator over real sockets: completeness, idempotence,
fault tolerance, loud failure, politeness. The arXiv tests serve the real listings."""

from __future__ import annotations

import copy
import gzip
import itertools
import json
import math
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from ingestion.contract import RECORD_FIELDS, RUN_FIELDS
from ingestion.harvest import HarvestError, check_completeness, harvest_window, reparse_window
from ingestion.simulator import start_simulator
from livingreview.config import Protocol, load_protocol, shared_data_dir

LISTINGS = shared_data_dir() / "arxiv" / "daily_listings" / "by_month"
needs_listings = pytest.mark.skipif(not LISTINGS.is_dir(), reason="shared arXiv listings absent")
START, END = date(2025, 10, 13), date(2025, 10, 20)
WINDOW = "2025-10-13_2025-10-20"
PAGE_SIZE = 200


def fast_protocol(
    page_size: int = PAGE_SIZE, delay_s: float = 0.0, budget: int = 5, **http: float
) -> Protocol:
    """The real protocol with test-sized timing: tiny backoff and no politeness delay."""
    raw = copy.deepcopy(load_protocol().raw)
    raw["http"].update(backoff_factor_s=0.01, backoff_max_s=0.05, read_timeout_s=10.0)
    raw["http"].update(http)
    for source in raw["sources"].values():
        source.update(politeness_delay_s=delay_s, retry_budget=budget)
    raw["sources"]["arxiv"]["page_size"] = page_size
    return Protocol(raw)


def expected_listing_ids(start: date, end: date) -> set[str]:
    """Straight from the listings file: `_listing_date` stands in for the submission date."""
    categories = set(load_protocol().source("arxiv")["categories"])
    with gzip.open(LISTINGS / f"{start:%Y-%m}.jsonl.gz", "rt", encoding="utf-8") as rows:
        listing = [json.loads(row) for row in rows]
    return {
        row["id"]
        for row in listing
        if start.isoformat() <= row["_listing_date"] < end.isoformat() and categories & set(row["categories"])
    }


def landed(source: str, data: Path, window: str = WINDOW) -> Path:
    return data / "landing" / source / window


def read_records(window: Path) -> list[dict]:
    return [json.loads(line) for line in (window / "records.jsonl").read_text(encoding="utf-8").splitlines()]


def settled_log(sim, requests: int) -> list[dict]:
    """The request log once every request is in it: a request the client gave up on (read
    timeout) is logged when the simulator finishes answering it, a little later."""
    deadline = time.monotonic() + 10
    while len(sim.request_log) < requests and time.monotonic() < deadline:
        time.sleep(0.05)
    return sorted(sim.request_log, key=lambda entry: entry["started_at"])


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LIVINGREVIEW_API_BASE_URL", raising=False)
    return tmp_path / "data"


@pytest.fixture(scope="module")
def clean_sim() -> Iterator:
    with start_simulator(corpus=LISTINGS if LISTINGS.is_dir() else None) as sim:
        yield sim


@pytest.fixture(scope="module")
def clean_arxiv_bytes(clean_sim, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """records.jsonl of the window harvested without faults: the reference for the fault runs."""
    data = tmp_path_factory.mktemp("reference")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LIVINGREVIEW_DATA_DIR", str(data))
        harvest_window("arxiv", START, END, base_url=clean_sim.base_url, protocol=fast_protocol())
    return (landed("arxiv", data) / "records.jsonl").read_bytes()


@needs_listings
def test_arxiv_window_lands_exactly_the_listing_records(clean_sim, data_dir: Path) -> None:
    expected = expected_listing_ids(START, END)
    assert len(expected) == 735  # 178 + 1 + 168 + 159 + 229 listed 13..17 Oct
    before = len(clean_sim.request_log)
    result = harvest_window("arxiv", START, END, base_url=clean_sim.base_url, protocol=fast_protocol())
    requests = clean_sim.request_log[before:]

    records = read_records(landed("arxiv", data_dir))
    ids = [record["source_id"] for record in records]
    assert sorted(ids) == ids and len(ids) == len(set(ids))
    assert set(ids) == expected
    assert len(requests) == math.ceil(len(expected) / PAGE_SIZE) == result.pages == result.requests
    assert (result.api_reported_total, result.retrieved, result.retries) == (735, 735, 0)
    assert result.window == landed("arxiv", data_dir)
    assert all(list(record) == sorted(RECORD_FIELDS) for record in records)  # every field, keys sorted
    assert all(record["version"] == 1 and record["search_run_id"] == f"arxiv:{WINDOW}" for record in records)
    assert all("2025-10-13" <= record["published_at"][:10] <= "2025-10-19" for record in records)
    assert all("I.5.1" not in " ".join(record["categories"]) for record in records)  # ACM codes dropped

    run = json.loads((result.window / "run.json").read_text())
    assert tuple(run) == RUN_FIELDS
    assert run["status"] == "succeeded" and run["error"] is None
    assert run["query"].endswith("AND submittedDate:[202510130000 TO 202510192359]")
    assert (run["api_reported_total"], run["retrieved"], run["pages"], run["requests"]) == (735, 735, 4, 4)
    raw_index = json.loads((result.window / "raw" / "index.json").read_text())
    assert [entry["file"] for entry in raw_index] == ["0001.xml", "0002.xml", "0003.xml", "0004.xml"]
    assert all(entry["status"] == 200 and entry["accepted"] for entry in raw_index)


@needs_listings
def test_rerun_replaces_the_window_with_byte_identical_records(
    clean_sim, clean_arxiv_bytes: bytes, data_dir: Path
) -> None:
    first = harvest_window("arxiv", START, END, base_url=clean_sim.base_url, protocol=fast_protocol())
    run_before = json.loads((first.window / "run.json").read_text())
    second = harvest_window("arxiv", START, END, base_url=clean_sim.base_url, protocol=fast_protocol())
    assert (second.window / "records.jsonl").read_bytes() == clean_arxiv_bytes
    assert json.loads((second.window / "run.json").read_text())["run_uuid"] != run_before["run_uuid"]
    assert not any((data_dir / "landing" / "_staging").rglob("*.jsonl"))  # nothing left half-way

    (second.window / "records.jsonl").unlink()
    assert reparse_window(second.window) == 735
    assert (second.window / "records.jsonl").read_bytes() == clean_arxiv_bytes


@needs_listings
def test_transport_faults_at_30_percent_land_the_same_records(
    clean_arxiv_bytes: bytes, data_dir: Path
) -> None:
    # seed 17 gives 429, malformed, reset, timeout and truncated within the run; the timeout
    # fault answers after 4 s, beyond this run's 2 s read timeout
    protocol = fast_protocol(page_size=100, read_timeout_s=2.0)
    with start_simulator(corpus=LISTINGS, faults="all", fault_rate=0.3, seed=17, timeout_delay_s=4.0) as sim:
        result = harvest_window("arxiv", START, END, base_url=sim.base_url, protocol=protocol)
        faults = [entry["fault"] for entry in settled_log(sim, result.requests) if entry["fault"]]
    assert (result.window / "records.jsonl").read_bytes() == clean_arxiv_bytes
    assert {"429", "malformed", "reset", "timeout", "truncated"} <= set(faults)
    assert result.retries == len(faults) and result.requests == 8 + len(faults)
    run = json.loads((result.window / "run.json").read_text())
    assert len(run["http_errors"]) == len(faults) and run["status"] == "succeeded"
    # raw/ keeps every response received, the rejected ones marked; reparse uses the accepted ones
    raw_index = json.loads((result.window / "raw" / "index.json").read_text())
    assert sum(entry["accepted"] for entry in raw_index) == 8
    assert any(not entry["accepted"] for entry in raw_index)
    (result.window / "records.jsonl").unlink()
    reparse_window(result.window)
    assert (result.window / "records.jsonl").read_bytes() == clean_arxiv_bytes


@needs_listings
def test_unabsorbable_fault_fails_loudly_and_keeps_the_previous_window(
    clean_sim, clean_arxiv_bytes: bytes, data_dir: Path
) -> None:
    harvest_window("arxiv", START, END, base_url=clean_sim.base_url, protocol=fast_protocol())
    with start_simulator(corpus=LISTINGS, faults="503", fault_rate=1.0) as sim:
        with pytest.raises(HarvestError, match="503") as failure:
            harvest_window("arxiv", START, END, base_url=sim.base_url, protocol=fast_protocol(budget=2))
        assert len(sim.request_log) == 3  # the first try and two retries, then it gives up
    assert (landed("arxiv", data_dir) / "records.jsonl").read_bytes() == clean_arxiv_bytes
    (failed,) = (data_dir / "landing" / "_failed" / "arxiv").iterdir()
    assert failed.name.startswith(f"{WINDOW}_") and str(failed) in str(failure.value)
    assert not (failed / "records.jsonl").exists()
    run = json.loads((failed / "run.json").read_text())
    assert (run["status"], run["requests"], run["retries"], run["pages"]) == ("failed", 3, 2, 0)
    assert "TransientHTTPError: HTTP 503" in run["error"]
    assert [error["status"] for error in run["http_errors"]] == [503, 503, 503]
    assert len(list((failed / "raw").glob("0*"))) == 3


@needs_listings
def test_a_fresh_window_that_fails_leaves_no_window_at_all(data_dir: Path) -> None:
    with (
        start_simulator(corpus=LISTINGS, faults="reset", fault_rate=1.0) as sim,
        pytest.raises(HarvestError, match="ConnectionError"),
    ):
        harvest_window("arxiv", START, END, base_url=sim.base_url, protocol=fast_protocol(budget=1))
    assert not (data_dir / "landing" / "arxiv").exists()
    assert len(list((data_dir / "landing" / "_failed" / "arxiv").glob(f"{WINDOW}_*/run.json"))) == 1


@needs_listings
def test_short_harvest_fails_instead_of_landing_a_partial_window(data_dir: Path) -> None:
    # Every page comes back empty while totalResults says 735: after the retry budget the empty
    # page is believed, and 0 of 735 is far beyond the protocol's tolerance of 0.
    with start_simulator(corpus=LISTINGS, faults="empty-page", fault_rate=1.0) as sim:
        with pytest.raises(HarvestError, match="short harvest: retrieved 0 of 735 reported"):
            harvest_window("arxiv", START, END, base_url=sim.base_url, protocol=fast_protocol(budget=1))
        assert len(sim.request_log) == 2
    assert not (data_dir / "landing" / "arxiv").exists()
    (run_file,) = (data_dir / "landing" / "_failed" / "arxiv").glob("*/run.json")
    run = json.loads(run_file.read_text())
    assert (run["api_reported_total"], run["retrieved"], run["status"]) == (735, 0, "failed")


def test_bad_window_or_source_is_refused_before_anything_is_written(data_dir: Path) -> None:
    with pytest.raises(ValueError, match="must be after its start"):
        harvest_window("arxiv", END, START, base_url="http://127.0.0.1:9", protocol=fast_protocol())
    with pytest.raises(ValueError, match="unknown source 'pubmed'"):
        harvest_window("pubmed", START, END, base_url="http://127.0.0.1:9", protocol=fast_protocol())
    assert not data_dir.exists()


def test_completeness_tolerance() -> None:
    check_completeness(reported=100, retrieved=100, tolerance=0.0)
    check_completeness(reported=100, retrieved=91, tolerance=0.1)
    check_completeness(reported=0, retrieved=0, tolerance=0.0)
    check_completeness(reported=10, retrieved=12, tolerance=0.0)  # more than reported is no shortfall
    with pytest.raises(Exception, match=r"retrieved 89 of 100 reported \(11.0% missing"):
        check_completeness(reported=100, retrieved=89, tolerance=0.1)
    with pytest.raises(Exception, match="retrieved 99 of 100"):
        check_completeness(reported=100, retrieved=99, tolerance=0.0)


@needs_listings
def test_politeness_delay_and_one_connection_at_a_time(data_dir: Path) -> None:
    delay = 0.2
    with start_simulator(corpus=LISTINGS) as sim:
        harvest_window("arxiv", START, END, base_url=sim.base_url, protocol=fast_protocol(100, delay_s=delay))
        log = sorted(sim.request_log, key=lambda entry: entry["started_at"])
    assert len(log) == 8
    gaps = [later["started_at"] - earlier["started_at"] for earlier, later in itertools.pairwise(log)]
    assert min(gaps) >= delay, gaps
    assert all(earlier["finished_at"] <= later["started_at"] for earlier, later in itertools.pairwise(log))
    assert len({entry["client_port"] for entry in log}) == 1  # one kept-alive connection


@needs_listings
def test_retry_after_is_honoured(data_dir: Path) -> None:
    protocol = fast_protocol(100, backoff_max_s=5.0)
    with start_simulator(corpus=LISTINGS, faults="429", fault_rate=0.3, seed=5) as sim:
        result = harvest_window("arxiv", START, END, base_url=sim.base_url, protocol=protocol)
        log = sorted(sim.request_log, key=lambda entry: entry["started_at"])
    limited = [i for i, entry in enumerate(log) if entry["fault"] == "429"]
    assert len(limited) == result.retries == 2  # seed 5: two 429s in a row on one page
    run = json.loads((result.window / "run.json").read_text())
    assert {error["retry_after"] for error in run["http_errors"]} == {1.0}
    assert all(log[i + 1]["started_at"] - log[i]["finished_at"] >= 1.0 for i in limited)


def _synthetic_rows(sim, server: str, subjects: list[str], start: date, end: date) -> set[tuple[str, int]]:
    wanted = {subject.lower() for subject in subjects}
    return {
        (row["doi"].lower(), int(row["version"]))
        for row in sim.corpus.records(server)
        if start.isoformat() <= row["date"] < end.isoformat() and row["category"].lower() in wanted
    }


@pytest.mark.parametrize("server", ["medrxiv", "biorxiv"])
def test_cshl_window_lands_every_version_of_every_subject(clean_sim, data_dir: Path, server: str) -> None:
    # 2025-10-06 starts an odd ISO week: the simulator pages by 30 there, like the real API on some days
    start, end = date(2025, 10, 6), date(2025, 11, 3)
    subjects = load_protocol().source(server)["subjects"]
    expected = _synthetic_rows(clean_sim, server, subjects, start, end)
    result = harvest_window(server, start, end, base_url=clean_sim.base_url, protocol=fast_protocol())
    records = read_records(result.window)
    assert {(r["source_id"], r["version"]) for r in records} == expected
    assert result.retrieved == len(expected) == result.api_reported_total
    assert all(r["source"] == server and r["categories"][0] in subjects for r in records)
    assert result.pages > len(subjects), "a subject with more than 30 rows needs several pages"
    run = json.loads((result.window / "run.json").read_text())
    assert run["params"]["interval"] == "2025-10-06/2025-11-02"


def test_europepmc_window_pages_by_cursor_mark(clean_sim, data_dir: Path) -> None:
    start, end = date(2025, 10, 6), date(2025, 11, 3)
    expected = {
        row["id"]
        for row in clean_sim.corpus.records("europepmc")
        if start.isoformat() <= row["firstPublicationDate"] < end.isoformat()
    }
    protocol = copy.deepcopy(fast_protocol().raw)
    protocol["sources"]["europepmc"]["page_size"] = 50
    result = harvest_window("europepmc", start, end, base_url=clean_sim.base_url, protocol=Protocol(protocol))
    records = read_records(result.window)
    assert {r["source_id"] for r in records} == expected
    assert result.pages == math.ceil(len(expected) / 50)
    assert {r["primary_category"] for r in records} == {"MED", "PPR"}


def test_corrupt_records_land_for_the_gate_to_judge(data_dir: Path) -> None:
    """Well-formed pages with bad records are not a harvest failure: the landing gate judges them."""
    start, end = date(2025, 10, 6), date(2025, 11, 3)
    with start_simulator(corpus=None, faults="corrupt", fault_rate=1.0) as sim:
        result = harvest_window("medrxiv", start, end, base_url=sim.base_url, protocol=fast_protocol())
    records = read_records(result.window)
    assert any(record["title"] is None for record in records)
    keys = [(record["source_id"], record["version"]) for record in records]
    assert len(keys) > len(set(keys)), "conflicting duplicates are kept for the gate to flag"
