"""The arXiv Atom parser against every real recorded API response (read in place), plus the
query it sends and hostile XML it must refuse."""

from __future__ import annotations

import json
from datetime import date

import pytest

from ingestion import arxiv_client
from ingestion.contract import RECORD_FIELDS
from ingestion.http_session import MalformedPageError
from livingreview.config import shared_data_dir

ATOM_DIR = shared_data_dir() / "arxiv" / "api_atom"
needs_shared_data = pytest.mark.skipif(not ATOM_DIR.is_dir(), reason="shared recorded data absent")
RUN = "arxiv:2025-10-13_2025-10-20"


def _body(relative: str) -> bytes:
    return (ATOM_DIR / relative).read_bytes()


def _recorded(stem_prefix: str) -> tuple[int, bytes]:
    (path,) = (ATOM_DIR / "arxiv_py_recorded_2026-04" / "recordings").glob(f"{stem_prefix}_*.json")
    recording = json.loads(path.read_text(encoding="utf-8"))
    return recording["status_code"], recording["body"].encode("utf-8")


def _by_id(page: arxiv_client.FeedPage) -> dict[str, dict]:
    return {record["source_id"]: record for record in page.records}


@needs_shared_data
def test_every_recorded_feed_parses_into_contract_records() -> None:
    feeds = sorted(ATOM_DIR.rglob("*.xml"))
    assert len(feeds) >= 25
    parsed = 0
    for feed in feeds:
        if "id_abc" in feed.name:  # the error feed, tested below
            continue
        page = arxiv_client.parse_feed(feed.read_bytes(), RUN)
        for record in page.records:
            assert tuple(record) == RECORD_FIELDS
            assert record["source"] == "arxiv" and record["search_run_id"] == RUN
            assert record["source_id"] and isinstance(record["version"], int)
            assert record["title"] and record["abstract"] and record["authors"]
            assert record["published_at"].endswith("Z") and record["updated_at"].endswith("Z")
            assert record["primary_category"] in record["categories"]
        parsed += len(page.records)
    assert parsed > 300


@needs_shared_data
def test_new_format_submitted_date_query_response() -> None:
    page = arxiv_client.parse_feed(_body("findpapers_2026-02/sample_response.xml"), RUN)
    assert (page.total, page.start_index, len(page.records)) == (96778, 0, 50)
    first = page.records[0]
    assert (first["source_id"], first["version"]) == ("2301.00306", 4)
    assert first["published_at"] == "2022-12-31T23:16:12Z"
    assert first["updated_at"] == "2025-08-24T23:38:34Z"
    assert first["url"] == "https://arxiv.org/abs/2301.00306v4"
    merlin = _by_id(page)["2301.01148"]
    assert merlin["doi"] == merlin["published_doi"] == "10.1016/j.apenergy.2023.121323"
    assert merlin["comment"] == "under review"
    assert merlin["categories"] == ["cs.LG", "cs.AI", "eess.SY"] and merlin["primary_category"] == "cs.LG"
    assert merlin["authors"] == ["Kingsley Nweye", "Siva Sankaranarayanan", "Zoltan Nagy"]
    upper_case_doi = [r for r in page.records if r["doi"] and r["doi"].startswith("10.1109/tmi.2024")]
    assert upper_case_doi, "DOIs are lower-cased"


@needs_shared_data
def test_legacy_format_with_inline_namespace_prefixes() -> None:
    page = arxiv_client.parse_feed(_body("arxiv_py_legacy_2016/id_list_1111.2011v2.xml"), RUN)
    assert page.total == 1
    (record,) = page.records
    assert (record["source_id"], record["version"]) == ("1111.2011", 2)
    assert record["doi"] == "10.1103/physrevb.85.115117"
    assert record["journal_ref"] == "Phys. Rev. B 85, 115117 (2012)"
    assert record["comment"] == "8 pages, 3 figures. Published version"
    assert record["categories"] == ["cond-mat.str-el", "cond-mat.stat-mech"]
    # legacy titles wrap with "\n  " and summaries are hard-wrapped with leading spaces
    assert record["title"] == (
        "Quantum Criticality for Extended Nodes on a Bethe Lattice in the Large Connectivity Limit"
    )
    assert record["abstract"].startswith("Theoretical description of anisotropic systems, such as layered ")
    assert "\n" not in record["abstract"] and "  " not in record["abstract"]
    assert record["published_at"] == "2011-11-08T18:48:36Z"


@needs_shared_data
def test_legacy_search_page_is_short_of_the_total() -> None:
    page = arxiv_client.parse_feed(_body("findpapers_2020-08/arxiv-api-search.xml"), RUN)
    assert (page.total, len(page.records)) == (21, 20)
    # a commented-out <published> precedes the real one; comments are not elements
    assert page.records[0]["published_at"] == "2020-08-25T17:53:17Z"


@needs_shared_data
def test_old_style_ids_keep_their_archive_prefix() -> None:
    astro = arxiv_client.parse_feed(
        _body("arxiv_py_recorded_2026-04/bodies/id_astro-ph_0601001_s0_m100_3150dca9dc76.xml"), RUN
    )
    (record,) = astro.records
    assert (record["source_id"], record["version"]) == ("astro-ph/0601001", 1)
    assert record["journal_ref"] == "ActaAstron.56:1-50,2006"
    assert record["authors"][:2] == ["Andrew Gould", "Susan Dorsher"]  # affiliations are not authors
    quant = arxiv_client.parse_feed(
        _body("arxiv_py_recorded_2026-04/bodies/id_quant-ph_0201082v1_s0_m100_86989fe779ef.xml"), RUN
    )
    assert [(r["source_id"], r["categories"]) for r in quant.records] == [
        ("quant-ph/0201082", ["quant-ph", "cs.PL"])
    ]
    legacy = arxiv_client.parse_feed(
        _body("arxiv_py_legacy_2016/search_au_del_maestro_AND_ti_checkerboard.xml"), RUN
    )
    assert [(r["source_id"], r["version"]) for r in legacy.records] == [("cond-mat/0603029", 1)]


@pytest.mark.parametrize(
    ("abs_id", "expected"),
    [
        ("http://arxiv.org/abs/2510.16973v2", ("2510.16973", 2)),
        ("http://arxiv.org/abs/astro-ph/0601001v1", ("astro-ph/0601001", 1)),
        ("https://arxiv.org/abs/1111.2011v12", ("1111.2011", 12)),
        ("http://arxiv.org/abs/2510.16973", ("2510.16973", None)),
    ],
)
def test_split_abs_id(abs_id: str, expected: tuple[str, int | None]) -> None:
    assert arxiv_client.split_abs_id(abs_id) == expected


@needs_shared_data
def test_pagination_pages_overlap_as_recorded() -> None:
    bodies = ATOM_DIR / "arxiv_py_recorded_2026-04" / "bodies"
    first = arxiv_client.parse_feed(next(bodies.glob("q_testing_s0_m10_*.xml")).read_bytes(), RUN)
    shifted = arxiv_client.parse_feed(next(bodies.glob("q_testing_s5_m10_*.xml")).read_bytes(), RUN)
    assert first.total == shifted.total == 214881
    assert (first.start_index, shifted.start_index) == (0, 5)
    ids = [r["source_id"] for r in first.records]
    assert ids[5:] == [r["source_id"] for r in shifted.records][:5]


@needs_shared_data
@pytest.mark.parametrize("prefix", ["id_0000.0000", "id_0808.05394_s0"])
def test_empty_feeds_are_empty_not_errors(prefix: str) -> None:
    status, body = _recorded(prefix)
    page = arxiv_client.parse_feed(body, RUN)
    assert (status, page.total, page.records) == (200, 0, [])


@needs_shared_data
def test_mixed_id_list_drops_the_missing_id() -> None:
    status, body = _recorded("id_0808.05394_1707.08567")
    page = arxiv_client.parse_feed(body, RUN)
    assert (status, page.total, [r["source_id"] for r in page.records]) == (200, 1, ["1707.08567"])


@needs_shared_data
def test_error_feed_becomes_a_clear_error() -> None:
    status, body = _recorded("id_abc")
    assert status == 400
    with pytest.raises(arxiv_client.ArxivQueryError, match="incorrect id format for abc"):
        arxiv_client.parse_feed(body, RUN)
    assert arxiv_client.error_feed_message(body) == "arXiv API error: incorrect id format for abc"


def test_acm_and_msc_codes_are_dropped_from_categories() -> None:
    feed = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"
      xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" xmlns:arxiv="http://arxiv.org/schemas/atom">
      <opensearch:totalResults>1</opensearch:totalResults><entry>
      <id>http://arxiv.org/abs/2509.23025v1</id><title>T</title><summary>S</summary>
      <category term="cs.CV"/><category term="I.5.1; I.5.4; I.4.3; J.3"/><category term="68T50"/>
      <category term="I.2.7"/><category term="q-bio.QM"/><category term="cs.CV"/>
      <arxiv:primary_category term="cs.CV"/></entry></feed>"""
    (record,) = arxiv_client.parse_feed(feed, RUN).records
    assert record["categories"] == ["cs.CV", "q-bio.QM"]


def test_not_well_formed_xml_is_a_malformed_page() -> None:
    with pytest.raises(MalformedPageError):
        arxiv_client.parse_feed(
            b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>', RUN
        )
    with pytest.raises(MalformedPageError, match="totalResults"):
        arxiv_client.parse_feed(b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>', RUN)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol9 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&lol9;</title></entry></feed>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><entry><title>&secret;</title></entry></feed>"""


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_hostile_xml_is_refused_without_expansion(body: bytes) -> None:
    with pytest.raises(arxiv_client.HostileXmlError) as refused:
        arxiv_client.parse_feed(body, RUN)
    assert "root:" not in str(refused.value) and "lollol" not in str(refused.value)


def test_query_covers_the_half_open_window_to_the_minute() -> None:
    query = arxiv_client.build_query(["cs.CV", "eess.IV"], date(2025, 10, 13), date(2025, 10, 20))
    assert query == "(cat:cs.CV OR cat:eess.IV) AND submittedDate:[202510130000 TO 202510192359]"


def test_search_spec_records_every_request_parameter() -> None:
    config = {"endpoint": "/api/query", "categories": ["cs.CV"], "page_size": 2000}
    spec = arxiv_client.search_spec(
        "arxiv", config, "https://export.arxiv.org", date(2025, 10, 13), date(2025, 10, 20)
    )
    assert spec.endpoint == "https://export.arxiv.org/api/query"
    assert spec.params == {"sortBy": "submittedDate", "sortOrder": "ascending", "max_results": 2000}
    with pytest.raises(ValueError, match="page_size"):
        arxiv_client.search_spec(
            "arxiv", {**config, "page_size": 5000}, "x", date(2025, 1, 1), date(2025, 1, 2)
        )
