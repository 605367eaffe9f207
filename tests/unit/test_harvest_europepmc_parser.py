"""The Europe PMC search parser against the real recorded responses (read in place)."""

from __future__ import annotations

import gzip
import json
from datetime import date

import pytest

from ingestion import europepmc_client
from ingestion.contract import RECORD_FIELDS
from ingestion.http_session import MalformedPageError
from ingestion.landing_writer import serialize_records, write_records
from livingreview.config import shared_data_dir

FIXTURES = shared_data_dir() / "europepmc" / "pyeuropepmc_fixtures"
needs_shared_data = pytest.mark.skipif(not FIXTURES.is_dir(), reason="shared recorded data absent")
RUN = "europepmc:2025-10-13_2025-10-20"


def _page(name: str) -> europepmc_client.SearchPage:
    path = FIXTURES / name
    body = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
    return europepmc_client.parse_search(body, RUN)


@needs_shared_data
def test_core_page() -> None:
    page = _page("search_cancer_core.json.gz")
    assert (page.hit_count, page.next_cursor, len(page.records)) == (5059039, "AoIIP4ZawSg1MzEyODI1MA==", 25)
    first = page.records[0]
    assert tuple(first) == RECORD_FIELDS
    assert (first["source"], first["source_id"], first["version"]) == ("europepmc", "39709209", 1)
    assert first["doi"] == "10.1016/s0140-6736(24)02600-x"
    assert first["authors"] == ["Schoenfeld JD", "Haas-Kogan DA", "O'Neill AF"]
    assert first["categories"] == ["MED", "Journal Article"] and first["primary_category"] == "MED"
    assert first["published_at"] == "2025-12-01T00:00:00Z"
    assert first["journal_ref"] == "Lancet 404(10471):2603-2604, 2025"
    assert first["url"] == "https://europepmc.org/article/MED/39709209"
    with_abstract = {r["source_id"]: r for r in page.records}["40468710"]
    assert with_abstract["abstract"].startswith(
        "Objective This study investigated whether psychological flexibility"
    )
    assert "<h4>" not in with_abstract["abstract"]
    assert sum(r["doi"] is None for r in page.records) == 1  # 39038316 has no DOI
    assert all(tuple(r) == RECORD_FIELDS for r in page.records)


@needs_shared_data
def test_lite_page_falls_back_to_author_string_and_pub_type() -> None:
    page = _page("search_cancer.json")
    first = page.records[0]
    assert first["authors"] == ["Schoenfeld JD", "Haas-Kogan DA", "O'Neill AF"]
    assert first["categories"] == ["MED", "journal article"]
    assert first["journal_ref"] == "Lancet 404(10471):2603-2604, 2025"


@needs_shared_data
@pytest.mark.parametrize(
    ("name", "hits", "count"),
    [
        ("search_cancer_idlist.json", 5059039, 25),
        ("search_cancer_page2.json", 5059039, 5),
        ("search_cancer_sorted_cited.json", 5059039, 25),
        ("search_post_cancer.json", 5933343, 25),
    ],
)
def test_other_recorded_pages(name: str, hits: int, count: int) -> None:
    page = _page(name)
    assert (page.hit_count, len(page.records)) == (hits, count)
    assert page.next_cursor and all(r["source_id"] and r["primary_category"] == "MED" for r in page.records)


@needs_shared_data
def test_zero_hits_has_no_cursor() -> None:
    page = _page("search_no_results.json")
    assert (page.hit_count, page.next_cursor, page.records) == (0, None, [])


def test_broken_bodies_are_malformed_pages() -> None:
    with pytest.raises(MalformedPageError):
        europepmc_client.parse_search(b'{"hitCount": 3, "resultList": {"result": [', RUN)
    with pytest.raises(MalformedPageError, match="hitCount"):
        europepmc_client.parse_search(b'{"resultList": {"result": []}}', RUN)


def test_preprint_record_keeps_its_ppr_id() -> None:
    result = {
        "id": "PPR123456",
        "source": "PPR",
        "doi": "10.1101/2025.10.14.25337999",
        "title": "A  CT foundation model",
        "pubTypeList": {"pubType": ["Preprint"]},
        "firstPublicationDate": "2025-10-14",
    }
    body = json.dumps({"hitCount": 1, "resultList": {"result": [result]}}).encode()
    (record,) = europepmc_client.parse_search(body, RUN).records
    assert (record["source_id"], record["categories"], record["title"]) == (
        "PPR123456",
        ["PPR", "Preprint"],
        "A CT foundation model",
    )
    assert record["url"] == "https://europepmc.org/article/PPR/PPR123456"


def test_half_an_escaped_surrogate_pair_lands_as_a_replacement_character(tmp_path) -> None:
    # a truncated emoji: json.dumps escapes the lone high half of the pair as \ud83d
    # (and a lone low half in the journal name, a field that is not whitespace-normalised)
    journal = {"journal": {"title": "J\udc00"}}
    result = {"id": "1", "source": "MED", "title": "CT \ud83d scan", "journalInfo": journal}
    body = json.dumps({"hitCount": 1, "resultList": {"result": [result]}}).encode()
    assert b"\\ud83d" in body
    (record,) = europepmc_client.parse_search(body, RUN).records
    assert (record["title"], record["journal_ref"]) == ("CT \ufffd scan", "J\ufffd")
    landed = tmp_path / "records.jsonl"
    write_records(landed, serialize_records([record]))  # a lone surrogate could not be written
    assert json.loads(landed.read_text(encoding="utf-8"))["title"] == "CT \ufffd scan"


def test_search_spec_restricts_the_protocol_query_to_the_window() -> None:
    config = {
        "endpoint": "/europepmc/webservices/rest/search",
        "query": '("foundation model")\n AND (MRI)',
        "page_size": 1000,
    }
    spec = europepmc_client.search_spec(
        "europepmc", config, "https://www.ebi.ac.uk", date(2025, 10, 13), date(2025, 10, 20)
    )
    assert spec.query == '(("foundation model") AND (MRI)) AND FIRST_PDATE:[2025-10-13 TO 2025-10-19]'
    assert spec.params == {"resultType": "core", "format": "json", "pageSize": 1000}
