"""The medRxiv/bioRxiv `details` parser against the real recorded responses (read in place)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date

import pytest

from ingestion import cshl_client
from ingestion.contract import RECORD_FIELDS
from ingestion.http_session import MalformedPageError
from livingreview.config import shared_data_dir

SHARED = shared_data_dir()
needs_shared_data = pytest.mark.skipif(
    not (SHARED / "medrxiv").is_dir(), reason="shared recorded data absent"
)


def _interval_page(server: str) -> bytes:
    return (SHARED / server / "findpapers_2026-02" / "sample_response.json").read_bytes()


def _doi_responses(server: str) -> list[dict]:
    return json.loads(
        (SHARED / server / "findpapers_2026-02" / "api_responses.json").read_text(encoding="utf-8")
    )


@needs_shared_data
def test_medrxiv_interval_page() -> None:
    page = cshl_client.parse_details(_interval_page("medrxiv"), "medrxiv", "medrxiv:w")
    assert (page.status, page.total, len(page.records)) == ("ok", 47826, 50)  # total arrives as a string
    first = page.records[0]
    assert tuple(first) == RECORD_FIELDS
    assert first["source_id"] == first["doi"] == "10.1101/2019.12.26.19014274"
    assert first["version"] == 1
    assert first["authors"] == ["Banno, M.", "Tsujimoto, Y.", "Kataoka, Y."]
    assert first["categories"] == ["epidemiology"] and first["primary_category"] == "epidemiology"
    assert first["published_at"] == first["updated_at"] == "2020-01-02T00:00:00Z"
    assert first["published_doi"] is None  # "NA"
    assert first["url"] == "https://www.medrxiv.org/content/10.1101/2019.12.26.19014274v1"
    assert first["abstract"].startswith("ObjectivesTo evaluate whether") and "\n" not in first["abstract"]
    # one row per version: the DOI posted as v1 and v2 in the window stays two rows
    versions = Counter(r["source_id"] for r in page.records)
    twice = [r for r in page.records if versions[r["source_id"]] == 2]
    assert [(r["version"], r["published_at"], r["updated_at"]) for r in twice] == [
        (1, "2020-01-02T00:00:00Z", "2020-01-02T00:00:00Z"),
        (2, None, "2020-01-03T00:00:00Z"),
    ]


@needs_shared_data
def test_biorxiv_interval_page_with_old_dois_and_large_versions() -> None:
    page = cshl_client.parse_details(_interval_page("biorxiv"), "biorxiv", "biorxiv:w")
    assert (page.status, page.total, len(page.records)) == ("ok", 152918, 50)
    by_key = {(r["source_id"], r["version"]): r for r in page.records}
    assert by_key[("10.1101/006965", 13)]["updated_at"] == "2020-01-08T00:00:00Z"
    assert by_key[("10.1101/001768", 2)]["published_at"] is None
    assert all(
        r["source"] == "biorxiv" and r["url"].startswith("https://www.biorxiv.org/content/")
        for r in page.records
    )


@needs_shared_data
@pytest.mark.parametrize("server", ["medrxiv", "biorxiv"])
def test_per_doi_raw_responses_list_every_version(server: str) -> None:
    responses = _doi_responses(server)
    assert len(responses) >= 5
    for item in responses:
        page = cshl_client.parse_details(json.dumps(item["raw_response"]).encode(), server, f"{server}:w")
        assert page.status == "ok" and page.total is None  # the DOI endpoint has no counts
        assert {r["source_id"] for r in page.records} == {item["doi"].lower()}
        assert [r["version"] for r in page.records] == list(range(1, len(page.records) + 1))
        published = item["metadata"]["published"]
        expected = None if published == "NA" else published.lower()
        assert {r["published_doi"] for r in page.records} == {expected}


@needs_shared_data
def test_three_version_preprint_and_its_journal_doi() -> None:
    (item,) = [i for i in _doi_responses("medrxiv") if i["doi"] == "10.1101/2021.12.11.21267504"]
    page = cshl_client.parse_details(json.dumps(item["raw_response"]).encode(), "medrxiv", "medrxiv:w")
    assert [(r["version"], r["updated_at"][:10]) for r in page.records] == [
        (1, "2021-12-13"),
        (2, "2021-12-15"),
        (3, "2022-04-07"),
    ]
    assert page.records[0]["published_doi"] == "10.1016/j.jbi.2022.104265"


def test_past_the_end_page_and_broken_bodies() -> None:
    end = cshl_client.parse_details(
        b'{"messages":[{"status":"no posts found"}],"collection":[]}', "medrxiv", "r"
    )
    assert (end.status, end.total, end.records) == ("no posts found", None, [])
    with pytest.raises(MalformedPageError):
        cshl_client.parse_details(b'{"messages":[{"status":"ok","total":"12"}],"collec', "medrxiv", "r")
    with pytest.raises(MalformedPageError):
        cshl_client.parse_details(b"<html>Service Unavailable</html>", "medrxiv", "r")


def test_search_spec_uses_the_inclusive_interval_and_api_subject_spelling() -> None:
    config = {"server": "medrxiv", "subjects": ["radiology and imaging", "pathology"]}
    spec = cshl_client.search_spec(
        "medrxiv", config, "https://api.biorxiv.org", date(2025, 10, 13), date(2025, 10, 20)
    )
    assert spec.endpoint == "https://api.biorxiv.org/details/medrxiv"
    assert spec.params["interval"] == "2025-10-13/2025-10-19"
    assert spec.params["category"] == ["radiology_and_imaging", "pathology"]
    assert "radiology and imaging" in spec.query


def test_authors_string_splits_on_semicolons() -> None:
    assert cshl_client.split_authors("Doanvo, A. L.; Qian, X.;  Ramjee, D. ;") == [
        "Doanvo, A. L.",
        "Qian, X.",
        "Ramjee, D.",
    ]
    assert cshl_client.split_authors(None) == []
