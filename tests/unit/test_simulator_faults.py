"""Each simulator fault, observed on the wire with a real client; determinism; keep-alive."""

from __future__ import annotations

import contextlib
import http.client
import json
import time
from urllib.parse import urlsplit

import pytest
import requests
from defusedxml import ElementTree

from ingestion.simulator import TRANSPORT_FAULTS, generated_corpus, parse_faults, start_simulator
from ingestion.simulator.faults import FaultPlan

NS = {"atom": "http://www.w3.org/2005/Atom", "opensearch": "http://a9.com/-/spec/opensearch/1.1/"}
ARXIV = (
    "/api/query",
    {
        "search_query": "cat:cs.CV AND submittedDate:[202510010000 TO 202510312359]",
        "max_results": 5,
        "sortBy": "submittedDate",
        "sortOrder": "ascending",
    },
)
CSHL = ("/details/medrxiv/2025-10-01/2025-10-31/0/json", {})
EPMC = (
    "/europepmc/webservices/rest/search",
    {
        "query": "x AND FIRST_PDATE:[2025-10-01 TO 2025-10-31]",
        "format": "json",
        "resultType": "core",
        "pageSize": 5,
        "cursorMark": "*",
    },
)


@pytest.fixture(scope="module")
def corpus():
    return generated_corpus()


def faulty(corpus, kind: str, **options):
    return start_simulator(corpus, faults=frozenset({kind}), fault_rate=1.0, **options)


def test_all_means_the_seven_transport_faults_never_corrupt():
    assert parse_faults("all") == frozenset(TRANSPORT_FAULTS) and len(TRANSPORT_FAULTS) == 7
    assert parse_faults("all,corrupt") == frozenset(TRANSPORT_FAULTS) | {"corrupt"}
    with pytest.raises(ValueError, match="unknown fault kind"):
        parse_faults("429,slow")


def test_429_carries_retry_after(corpus):
    with faulty(corpus, "429") as sim:
        response = requests.get(sim.base_url + ARXIV[0], params=ARXIV[1], timeout=5)
    assert response.status_code == 429 and response.headers["Retry-After"] == "1"
    assert sim.request_log[0]["fault"] == "429" and sim.request_log[0]["status"] == 429


def test_503(corpus):
    with faulty(corpus, "503") as sim:
        assert requests.get(sim.base_url + CSHL[0], timeout=5).status_code == 503


def test_reset_aborts_the_connection(corpus):
    with faulty(corpus, "reset") as sim:
        parts = urlsplit(sim.base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        connection.request("GET", CSHL[0])
        with pytest.raises((ConnectionResetError, http.client.RemoteDisconnected)):
            connection.getresponse()
        with pytest.raises(requests.exceptions.ConnectionError):
            requests.get(sim.base_url + CSHL[0], timeout=5)


def test_timeout_stalls_beyond_the_client_read_timeout(corpus):
    with faulty(corpus, "timeout", timeout_delay_s=1.0) as sim:
        started = time.monotonic()
        with pytest.raises(requests.exceptions.ReadTimeout):
            requests.get(sim.base_url + CSHL[0], timeout=(2, 0.3))
        assert time.monotonic() - started < 1.0
        time.sleep(1.2)  # the stalled handler answers late and logs the request
        assert sim.request_log[0]["fault"] == "timeout"
        assert sim.request_log[0]["finished_at"] - sim.request_log[0]["started_at"] >= 1.0


def test_truncated_body_is_shorter_than_content_length(corpus):
    with faulty(corpus, "truncated") as sim:
        parts = urlsplit(sim.base_url)
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=5)
        connection.request("GET", CSHL[0])
        response = connection.getresponse()
        assert response.status == 200 and int(response.getheader("Content-Length")) > 0
        with pytest.raises(http.client.IncompleteRead):
            response.read()
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            requests.get(sim.base_url + ARXIV[0], params=ARXIV[1], timeout=5)


def test_malformed_bodies_do_not_parse(corpus):
    with faulty(corpus, "malformed") as sim:
        arxiv = requests.get(sim.base_url + ARXIV[0], params=ARXIV[1], timeout=5)
        cshl = requests.get(sim.base_url + CSHL[0], timeout=5)
        epmc = requests.get(sim.base_url + EPMC[0], params=EPMC[1], timeout=5)
    assert arxiv.status_code == cshl.status_code == epmc.status_code == 200
    with pytest.raises(ElementTree.ParseError):
        ElementTree.fromstring(arxiv.content)
    for response in (cshl, epmc):
        with pytest.raises(json.JSONDecodeError):
            json.loads(response.content)


def test_empty_page_keeps_totals_but_drops_every_record(corpus):
    with faulty(corpus, "empty-page") as sim:
        feed = ElementTree.fromstring(
            requests.get(sim.base_url + ARXIV[0], params=ARXIV[1], timeout=5).content
        )
        cshl = requests.get(sim.base_url + CSHL[0], timeout=5).json()
        epmc = requests.get(sim.base_url + EPMC[0], params=EPMC[1], timeout=5).json()
    assert int(feed.find("opensearch:totalResults", NS).text) > 0 and feed.findall("atom:entry", NS) == []
    message = cshl["messages"][0]
    assert message["status"] == "ok" and int(message["total"]) > 0 and message["count"] == 0
    assert cshl["collection"] == []
    assert epmc["hitCount"] > 0 and epmc["resultList"]["result"] == [] and epmc["nextCursorMark"] == "*"


def test_corrupt_pages_carry_null_titles_out_of_window_dates_and_duplicate_ids(corpus):
    with faulty(corpus, "corrupt") as sim:
        feed = ElementTree.fromstring(
            requests.get(sim.base_url + ARXIV[0], params=ARXIV[1], timeout=5).content
        )
        cshl = requests.get(sim.base_url + CSHL[0], timeout=5).json()["collection"]
        epmc = requests.get(sim.base_url + EPMC[0], params=EPMC[1], timeout=5).json()["resultList"]["result"]
    entries = feed.findall("atom:entry", NS)
    assert len(entries) == 5
    assert not entries[0].find("atom:title", NS).text
    assert not "2025-10-01" <= entries[1].find("atom:published", NS).text[:10] <= "2025-10-31"
    ids = [e.find("atom:id", NS).text for e in entries]
    assert len(set(ids)) < len(ids)

    assert cshl[0]["title"] is None
    assert not "2025-10-01" <= cshl[1]["date"] <= "2025-10-31"
    keys = [(row["doi"], row["version"]) for row in cshl]
    assert len(set(keys)) < len(keys)

    assert epmc[0]["title"] is None
    assert not "2025-10-01" <= epmc[1]["firstPublicationDate"] <= "2025-10-31"
    assert len({(r["source"], r["id"]) for r in epmc}) < len(epmc)


def _fault_sequence(corpus, seed: int) -> list[str | None]:
    with start_simulator(
        corpus, faults=parse_faults("all"), fault_rate=0.4, seed=seed, timeout_delay_s=0.3
    ) as sim:
        session = requests.Session()
        for _ in range(30):
            with contextlib.suppress(requests.exceptions.RequestException):  # faults are the point
                session.get(sim.base_url + CSHL[0], timeout=(2, 0.15)).content  # noqa: B018
        time.sleep(0.4)  # let stalled handlers log
        return [entry["fault"] for entry in sorted(sim.request_log, key=lambda e: e["started_at"])]


def test_faults_are_deterministic_for_a_seed(corpus):
    first, second = _fault_sequence(corpus, seed=7), _fault_sequence(corpus, seed=7)
    assert first == second and len(first) == 30
    assert 0 < sum(f is not None for f in first) < 30
    assert _fault_sequence(corpus, seed=8) != first
    plan = FaultPlan(frozenset(TRANSPORT_FAULTS), 0.4, 7)
    assert [plan.fault_for(n) for n in range(30)] == first


def test_fault_rate_is_roughly_honoured():
    plan = FaultPlan(frozenset({"503"}), 0.3, 1)
    share = sum(plan.fault_for(n) is not None for n in range(2000)) / 2000
    assert 0.25 < share < 0.35


def test_keep_alive_serves_many_requests_on_one_connection_and_stop_is_prompt(corpus):
    sim = start_simulator(corpus)
    with requests.Session() as session:
        for cursor in (0, 30, 60):
            assert session.get(f"{sim.base_url}/details/biorxiv/2025-05-01/2025-06-30/{cursor}", timeout=5).ok
        assert len({entry["client_port"] for entry in sim.request_log}) == 1
        started = time.monotonic()
        sim.stop()  # the session still holds an idle keep-alive connection
        assert time.monotonic() - started < 2
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(sim.base_url + CSHL[0], timeout=2)
