"""The simulator's arXiv `/api/query`: paging, date ranges, categories, errors, wire format.

Runs against the real daily listings (read in place; skipped only when the shared data dir is
absent) and against the generated corpus. Responses are parsed the way a real client must:
defusedxml, by namespace URI.
"""

from __future__ import annotations

import gzip
import json
from datetime import date

import pytest
import requests
from defusedxml import ElementTree

from ingestion.simulator import generated_corpus, start_simulator
from ingestion.simulator.corpus import find_listings_folder, listing_submitted_at
from livingreview.config import shared_data_dir

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
    "arxiv": "http://arxiv.org/schemas/atom",
}
QUERY_CATEGORIES = ("cs.CV", "eess.IV", "physics.med-ph", "cs.AI", "cs.LG")
LISTINGS = find_listings_folder(shared_data_dir() / "arxiv")
needs_listings = pytest.mark.skipif(LISTINGS is None, reason="shared arXiv listings absent")


def category_query(categories, low: str, high: str) -> str:
    cats = " OR ".join(f"cat:{c}" for c in categories)
    return f"({cats}) AND submittedDate:[{low} TO {high}]"


class Feed:
    def __init__(self, response: requests.Response):
        self.status = response.status_code
        self.root = ElementTree.fromstring(response.content)

    def number(self, name: str) -> int:
        return int(self.root.find(f"opensearch:{name}", NS).text)

    @property
    def entries(self):
        return self.root.findall("atom:entry", NS)

    def ids(self) -> list[str]:
        return [entry.find("atom:id", NS).text.rsplit("/abs/", 1)[1] for entry in self.entries]


def get_feed(session: requests.Session, base_url: str, **params) -> Feed:
    return Feed(session.get(f"{base_url}/api/query", params=params, timeout=30))


def harvest_ids(session, base_url, query, page_size, order="ascending") -> tuple[list[str], int, int]:
    """Page through a result set like a harvester; returns (versioned ids, total, requests)."""
    ids, start, total, pages = [], 0, None, 0
    while total is None or start < total:
        feed = get_feed(
            session,
            base_url,
            search_query=query,
            start=start,
            max_results=page_size,
            sortBy="submittedDate",
            sortOrder=order,
        )
        assert feed.status == 200
        total = feed.number("totalResults")
        pages += 1
        if not feed.entries:
            break
        ids += feed.ids()
        start += len(feed.entries)
    return ids, total, pages


def listing_rows(months: list[str]) -> list[dict]:
    rows = []
    for month in months:
        with gzip.open(LISTINGS / f"{month}.jsonl.gz", "rt", encoding="utf-8") as handle:
            rows += [json.loads(line) for line in handle]
    return rows


@pytest.fixture(scope="module")
def session():
    with requests.Session() as s:
        yield s


@pytest.fixture(scope="module")
def real_sim():
    if LISTINGS is None:
        pytest.skip("shared arXiv listings absent")
    with start_simulator(LISTINGS) as sim:
        yield sim


@pytest.fixture(scope="module")
def generated_sim():
    with start_simulator(generated_corpus()) as sim:
        yield sim


# --- real listings ----------------------------------------------------------------------------


@needs_listings
def test_week_window_returns_exactly_the_listing_records_in_ceil_pages(real_sim, session):
    rows = listing_rows(["2025-10"])
    expected = {
        r["id"]
        for r in rows
        if "2025-10-13" <= r["_listing_date"] <= "2025-10-19" and set(r["categories"]) & set(QUERY_CATEGORIES)
    }
    query = category_query(QUERY_CATEGORIES, "202510130000", "202510192359")
    ids, total, pages = harvest_ids(session, real_sim.base_url, query, page_size=200)
    assert total == len(expected) == len(ids)
    assert len(set(ids)) == len(ids), "duplicates across pages"
    assert {i.removesuffix("v1") for i in ids} == expected
    assert all(i.endswith("v1") for i in ids)  # listings carry no version: served as v1
    assert pages == -(-len(expected) // 200)
    assert real_sim.request_log[-1]["path"] == "/api/query"


@needs_listings
def test_day_bounds_match_listing_dates_and_minute_edges_are_inclusive(real_sim, session):
    rows = [r for r in listing_rows(["2025-10"]) if r["_listing_date"] == "2025-10-15"]
    feed = get_feed(
        session, real_sim.base_url, search_query="submittedDate:[20251015 TO 20251015]", max_results=0
    )
    assert feed.number("totalResults") == len(rows)

    record = rows[0]
    minute = listing_submitted_at(record["id"], record["_listing_date"]).strftime("%Y%m%d%H%M")
    later = str(int(minute) + 1) if not minute.endswith("59") else minute[:-2] + "58"

    def hit(low: str, high: str) -> bool:
        feed = get_feed(
            session, real_sim.base_url, search_query=f"id:{record['id']} AND submittedDate:[{low} TO {high}]"
        )
        return feed.number("totalResults") == 1

    assert hit(minute, minute)  # both ends inclusive
    assert hit("202510150000", minute) and hit(minute, "202510152359")
    if later > minute:
        assert not hit(later, "202510152359")  # starts one minute after: excluded
    else:
        assert not hit("202510150000", later)  # ends one minute before: excluded


@needs_listings
def test_category_or_matches_any_listed_category(real_sim, session):
    rows = [r for r in listing_rows(["2025-10"]) if "2025-10-01" <= r["_listing_date"] <= "2025-10-31"]
    low, high = "202510010000", "202510312359"
    union = {r["id"] for r in rows if {"eess.IV", "physics.med-ph"} & set(r["categories"])}
    both = get_feed(
        session, real_sim.base_url, search_query=category_query(["eess.IV", "physics.med-ph"], low, high)
    )
    assert both.number("totalResults") == len(union) > 0
    cross_listed = {r["id"] for r in rows if "eess.IV" in r["categories"][1:]}
    assert cross_listed, "the month has eess.IV cross-lists (not primary): they must match too"


@needs_listings
def test_descending_is_the_reverse_of_ascending_and_paging_is_stable(real_sim, session):
    query = category_query(["cs.CV"], "202510130000", "202510142359")
    ascending, _, _ = harvest_ids(session, real_sim.base_url, query, page_size=37)
    descending, _, _ = harvest_ids(session, real_sim.base_url, query, page_size=50, order="descending")
    assert descending == ascending[::-1]
    again, _, _ = harvest_ids(session, real_sim.base_url, query, page_size=37)
    assert again == ascending


@needs_listings
def test_max_results_is_capped_at_2000(real_sim, session):
    feed = get_feed(
        session,
        real_sim.base_url,
        search_query=category_query(QUERY_CATEGORIES, "20251001", "20251031"),
        max_results=5000,
    )
    assert feed.number("totalResults") > 2000
    assert len(feed.entries) == 2000 == feed.number("itemsPerPage")


@needs_listings
def test_acm_codes_stay_categories_but_never_primary(real_sim, session):
    # 2509.23025 lists "I.5.1; I.5.4; I.4.3; J.3" among its categories (see PROVENANCE.md)
    feed = get_feed(session, real_sim.base_url, id_list="2509.23025")
    entry = feed.entries[0]
    terms = [c.get("term") for c in entry.findall("atom:category", NS)]
    assert terms[0] == "cs.CV" and "I.5.1; I.5.4; I.4.3; J.3" in terms
    assert entry.find("arxiv:primary_category", NS).get("term") == "cs.CV"
    assert entry.find("atom:published", NS).text == entry.find("atom:updated", NS).text


# --- generated corpus -------------------------------------------------------------------------


def test_generated_corpus_pages_cover_the_window_exactly(generated_sim, session):
    records = generated_sim.corpus.records("arxiv")
    expected = {
        f"{r.arxiv_id}v{r.version}"
        for r in records
        if date(2025, 11, 3) <= r.published.date() <= date(2025, 11, 30)
        and set(r.categories) & set(QUERY_CATEGORIES)
    }
    query = category_query(QUERY_CATEGORIES, "202511030000", "202511302359")
    ids, total, pages = harvest_ids(session, generated_sim.base_url, query, page_size=10)
    assert set(ids) == expected and len(ids) == total == len(expected)
    assert pages == -(-total // 10)
    # off-query categories exist in the corpus, so the filter did real work
    assert any(not set(r.categories) & set(QUERY_CATEGORIES) for r in records)


def test_entry_wire_format_of_a_revised_published_paper(generated_sim, session):
    record = next(r for r in generated_sim.corpus.records("arxiv") if r.doi and r.version == 2)
    feed = get_feed(session, generated_sim.base_url, id_list=record.arxiv_id)
    assert feed.number("totalResults") == 1
    entry = feed.entries[0]
    versioned = f"{record.arxiv_id}v{record.version}"
    assert entry.find("atom:id", NS).text == f"http://arxiv.org/abs/{versioned}"
    assert entry.find("atom:title", NS).text == record.title
    assert entry.find("atom:published", NS).text == record.published.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert entry.find("atom:updated", NS).text == record.updated.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert entry.find("arxiv:doi", NS).text == record.doi
    assert entry.find("arxiv:journal_ref", NS).text == record.journal_ref
    assert "synthetic: true" in entry.find("arxiv:comment", NS).text
    assert [a.find("atom:name", NS).text for a in entry.findall("atom:author", NS)] == list(record.authors)
    links = {
        link.get("title") or link.get("rel"): link.get("href") for link in entry.findall("atom:link", NS)
    }
    assert links == {
        "alternate": f"https://arxiv.org/abs/{versioned}",
        "pdf": f"https://arxiv.org/pdf/{versioned}",
        "doi": f"https://doi.org/{record.doi}",
    }
    assert entry.find("arxiv:primary_category", NS).get("term") == record.categories[0]


def test_feed_header_declares_namespaces_on_feed_and_echoes_the_query(generated_sim, session):
    response = session.get(
        f"{generated_sim.base_url}/api/query",
        timeout=10,
        params={
            "search_query": "cat:eess.IV AND submittedDate:[202510010000 TO 202510312359]",
            "start": 3,
            "max_results": 4,
        },
    )
    head = response.text.split("<entry>", 1)[0]
    assert 'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"' in head.split("\n")[1]
    assert 'submittedDate:"202510010000 TO 202510312359"' in head
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    feed = Feed(response)
    assert feed.number("startIndex") == 3 and feed.number("itemsPerPage") == 4
    assert feed.root.find("atom:id", NS).text.startswith("https://arxiv.org/api/")


def test_past_the_end_and_no_hits_are_empty_200_feeds(generated_sim, session):
    query = category_query(["eess.IV"], "202510010000", "202510312359")
    total = get_feed(session, generated_sim.base_url, search_query=query).number("totalResults")
    past = get_feed(session, generated_sim.base_url, search_query=query, start=total + 5)
    assert past.status == 200 and past.entries == [] and past.number("totalResults") == total
    none = get_feed(session, generated_sim.base_url, search_query="cat:astro-ph.GA")
    assert none.status == 200 and none.number("totalResults") == 0


@pytest.mark.parametrize(
    "params",
    [
        {"search_query": "(cat:cs.CV OR cat:eess.IV AND submittedDate:[202510010000 TO 202510312359]"},
        {"search_query": "cat:cs.CV AND submittedDate:[2025-10-01 TO 2025-10-31]"},
        {"search_query": "cat:cs.CV AND"},
        {"search_query": "bogus:field"},
        {"search_query": "cat:cs.CV", "max_results": "ten"},
        {"id_list": "abc"},
        {"search_query": "cat:cs.CV", "sortBy": "citations"},
    ],
)
def test_bad_requests_get_the_real_400_error_feed(generated_sim, session, params):
    feed = get_feed(session, generated_sim.base_url, **params)
    assert feed.status == 400
    assert feed.number("totalResults") == 1
    (entry,) = feed.entries
    assert entry.find("atom:id", NS).text.startswith("https://arxiv.org/api/errors#")
    assert entry.find("atom:title", NS).text == "Error"
    assert entry.find("atom:summary", NS).text


def test_andnot_and_text_fields(generated_sim, session):
    low_high = "submittedDate:[202504010000 TO 202506302359]"
    everything = get_feed(session, generated_sim.base_url, search_query=f"cat:cs.CV AND {low_high}")
    without = get_feed(
        session, generated_sim.base_url, search_query=f"cat:cs.CV ANDNOT cat:eess.IV AND {low_high}"
    )
    titled = get_feed(session, generated_sim.base_url, search_query=f'ti:"foundation model" AND {low_high}')
    assert 0 < without.number("totalResults") < everything.number("totalResults")
    assert titled.number("totalResults") > 0
    assert all("foundation model" in e.find("atom:title", NS).text.lower() for e in titled.entries)
