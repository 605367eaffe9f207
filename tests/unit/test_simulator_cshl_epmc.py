"""The simulator's CSHL `/details` (medRxiv, bioRxiv) and Europe PMC `search` semantics."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import requests

from ingestion.simulator import generated_corpus, start_simulator
from ingestion.simulator.cshl_api import page_size

CSHL_FIELDS = {
    "title", "authors", "author_corresponding", "author_corresponding_institution", "doi", "date",
    "version", "type", "license", "category", "jatsxml", "abstract", "funder", "published", "server",
}  # fmt: skip
EPMC_PATH = "/europepmc/webservices/rest/search"


@pytest.fixture(scope="module")
def sim():
    with start_simulator(generated_corpus()) as running:
        yield running


@pytest.fixture(scope="module")
def session():
    with requests.Session() as s:
        yield s


def cshl_page(session, sim, server, start, end, cursor, **params) -> dict:
    response = session.get(
        f"{sim.base_url}/details/{server}/{start}/{end}/{cursor}/json", params=params, timeout=10
    )
    assert response.status_code == 200
    return response.json()


def cshl_harvest(session, sim, server, start, end, **params) -> tuple[list[dict], list[dict]]:
    """Advance the cursor by what came back until 'no posts found'; returns (rows, messages)."""
    rows, messages, cursor = [], [], 0
    while True:
        payload = cshl_page(session, sim, server, start, end, cursor, **params)
        message = payload["messages"][0]
        if message["status"] != "ok":
            assert message["status"] == "no posts found" and payload["collection"] == []
            return rows, messages
        messages.append(message)
        rows += payload["collection"]
        cursor += len(payload["collection"])


# --- CSHL -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "size"), [("2025-10-13", 100), ("2025-10-20", 30)])
def test_cshl_pages_a_window_with_the_days_page_size(sim, session, start, size):
    assert date.fromisoformat(start).isocalendar().week % 2 == (size == 30)
    end = (date.fromisoformat(start) + timedelta(days=27)).isoformat()
    expected = [r for r in sim.corpus.records("medrxiv") if start <= r["date"] <= end]
    rows, messages = cshl_harvest(session, sim, "medrxiv", start, end)
    assert rows == expected and len(rows) > size  # several pages
    assert [m["count"] for m in messages][:-1] == [size] * (len(messages) - 1)
    first = messages[0]
    assert first["interval"] == f"{start}:{end}" and first["cursor"] == 0
    assert isinstance(first["count"], int) and isinstance(first["cursor"], int)
    assert first["total"] == str(len(expected)) and isinstance(first["count_new_papers"], str)
    assert int(first["count_new_papers"]) == len({r["doi"] for r in expected if r["version"] == "1"})
    assert all(set(row) == CSHL_FIELDS and isinstance(row["version"], str) for row in rows)


def test_cshl_dates_are_inclusive_and_versions_are_rows(sim, session):
    one_day = cshl_harvest(session, sim, "biorxiv", "2025-06-04", "2025-06-04")[0]
    assert one_day and {r["date"] for r in one_day} == {"2025-06-04"}
    revised = next(r for r in sim.corpus.records("medrxiv") if r["version"] == "2")
    rows = cshl_harvest(session, sim, "medrxiv", revised["date"], revised["date"])[0]
    assert (revised["doi"], "2") in {(r["doi"], r["version"]) for r in rows}


def test_cshl_category_filter_accepts_underscores_and_spaces_case_insensitively(sim, session):
    expected = [
        r
        for r in sim.corpus.records("medrxiv")
        if "2025-09-01" <= r["date"] <= "2025-09-30" and r["category"] == "radiology and imaging"
    ]
    underscores = cshl_harvest(
        session, sim, "medrxiv", "2025-09-01", "2025-09-30", category="radiology_and_imaging"
    )
    spaces = cshl_harvest(
        session, sim, "medrxiv", "2025-09-01", "2025-09-30", category="Radiology and Imaging"
    )
    assert underscores[0] == spaces[0] == expected and expected
    assert underscores[1][0]["category"] == "radiology_and_imaging"
    everything = cshl_harvest(session, sim, "medrxiv", "2025-09-01", "2025-09-30")[0]
    assert len(everything) > len(expected)


def test_cshl_past_the_end_and_bad_requests(sim, session):
    payload = cshl_page(session, sim, "medrxiv", "2025-10-13", "2025-10-19", 100000)
    assert payload == {"messages": [{"status": "no posts found"}], "collection": []}
    bad_server = session.get(f"{sim.base_url}/details/arxiv/2025-10-13/2025-10-19/0/json", timeout=10).json()
    assert bad_server["messages"][0]["status"] != "ok" and bad_server["collection"] == []
    bad_date = session.get(f"{sim.base_url}/details/medrxiv/2025-13-01/2025-10-19/0", timeout=10).json()
    assert bad_date["messages"][0]["status"] != "ok"


def test_cshl_doi_lookup_lists_every_version(sim, session):
    revised = next(r for r in sim.corpus.records("biorxiv") if r["version"] == "2")
    payload = session.get(f"{sim.base_url}/details/biorxiv/{revised['doi']}/na/json", timeout=10).json()
    assert [r["version"] for r in payload["collection"]] == ["1", "2"]
    assert payload["messages"] == [{"status": "ok", "category": "all"}]


def test_page_size_rule_is_deterministic():
    assert {page_size(date(2025, 10, 13)), page_size(date(2025, 10, 20))} == {30, 100}
    assert page_size(date(2025, 10, 13)) == page_size(date(2025, 10, 13))


# --- Europe PMC -------------------------------------------------------------------------------


def epmc(session, sim, query, cursor="*", page=25, result_type="core") -> dict:
    params = {
        "query": query,
        "resultType": result_type,
        "format": "json",
        "pageSize": page,
        "cursorMark": cursor,
    }
    response = session.get(sim.base_url + EPMC_PATH, params=params, timeout=10)
    assert response.status_code == 200
    return response.json()


def test_epmc_cursor_paging_with_first_pdate_window(sim, session):
    query = '("foundation model" OR CLIP) AND (radiology OR MRI) AND FIRST_PDATE:[2025-10-13 TO 2025-10-26]'
    expected = [
        r
        for r in sim.corpus.records("europepmc")
        if "2025-10-13" <= r["firstPublicationDate"] <= "2025-10-26"
    ]
    seen, cursor, pages = [], "*", 0
    while True:
        payload = epmc(session, sim, query, cursor, page=7)
        assert payload["hitCount"] == len(expected)
        assert payload["request"]["cursorMark"] == (
            "%2A" if cursor == "*" else payload["request"]["cursorMark"]
        )
        results = payload["resultList"]["result"]
        if not results:
            assert payload["nextCursorMark"] == cursor  # past the end: the same mark again
            break
        seen += results
        pages += 1
        cursor = payload["nextCursorMark"]
    assert seen == expected and pages == -(-len(expected) // 7)
    assert {r["source"] for r in seen} >= {"MED"}
    record = seen[0]
    for field in (
        "id",
        "source",
        "doi",
        "title",
        "authorString",
        "authorList",
        "abstractText",
        "firstPublicationDate",
        "pubTypeList",
    ):
        assert field in record


def test_epmc_first_pdate_is_inclusive_and_keywords_are_opaque(sim, session):
    day = sim.corpus.records("europepmc")[100]["firstPublicationDate"]
    on_day = [r for r in sim.corpus.records("europepmc") if r["firstPublicationDate"] == day]
    payload = epmc(session, sim, f"anything at all AND FIRST_PDATE:[{day} TO {day}]", page=1000)
    assert payload["hitCount"] == len(on_day) == len(payload["resultList"]["result"])
    assert epmc(session, sim, "cancer", page=1)["hitCount"] == len(sim.corpus.records("europepmc"))


def test_epmc_zero_hits_have_no_next_cursor_and_lite_is_smaller(sim, session):
    payload = epmc(session, sim, "x AND FIRST_PDATE:[1990-01-01 TO 1990-01-02]")
    assert (
        payload["hitCount"] == 0 and "nextCursorMark" not in payload and payload["resultList"]["result"] == []
    )
    lite = epmc(session, sim, "x AND FIRST_PDATE:[2025-10-13 TO 2025-10-26]", result_type="lite")
    assert lite["resultList"]["result"] and "abstractText" not in lite["resultList"]["result"][0]


def test_epmc_rejects_bad_cursor_and_non_json(sim, session):
    bad = session.get(
        sim.base_url + EPMC_PATH, params={"query": "x", "format": "json", "cursorMark": "nope"}, timeout=10
    )
    assert bad.status_code == 400
    xml = session.get(sim.base_url + EPMC_PATH, params={"query": "x"}, timeout=10)
    assert xml.status_code == 400
