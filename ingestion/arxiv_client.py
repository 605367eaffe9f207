"""arXiv API client: Atom search by category and submission date, paged by start/max_results.

Wire-format facts (shared/data/arxiv/PROVENANCE.md): both the legacy (pre-2025) and the new
format occur; legacy declares the `opensearch:`/`arxiv:` prefixes inline on each element, so
everything is looked up by namespace URI. Element order differs between formats. A bad query
comes back (HTTP 400) as a feed whose single entry has an id containing `/api/errors#`.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from ingestion.http_session import EmptyPageError, MalformedPageError, PermanentHTTPError, PoliteSession
from ingestion.normalize import iso_utc, make_record, normalize_doi, normalize_text, unique
from ingestion.source_client import SearchSpec, WindowProgress

log = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"
ARXIV = "{http://arxiv.org/schemas/atom}"
AUTHOR_NAME = f"{ATOM}author/{ATOM}name"
ERROR_ID_MARK = "/api/errors#"
# arXiv taxonomy terms (cs.CV, astro-ph, cond-mat.str-el); ACM (I.2.7) and MSC (68T50) codes fail it
CATEGORY_TERM = re.compile(r"^[a-z\-]+(\.[A-Za-z\-]+)?$")
# `http://arxiv.org/abs/2510.16973v2` or `.../abs/astro-ph/0601001v1`
ABS_ID = re.compile(r"arxiv\.org/abs/(?P<id>.+?)(?:v(?P<version>\d+))?$")
MAX_PAGE_SIZE = 2000


class ArxivQueryError(Exception):
    """The API rejected the query (its error feed), which no retry will change."""


class HostileXmlError(Exception):
    """The body declares a DTD or entities; refused unexpanded."""


@dataclass(frozen=True)
class FeedPage:
    total: int
    start_index: int | None
    records: list[dict[str, Any]]


def search_spec(source: str, config: dict[str, Any], base_url: str, start: date, end: date) -> SearchSpec:
    page_size = int(config["page_size"])
    if not 0 < page_size <= MAX_PAGE_SIZE:
        raise ValueError(f"arXiv page_size must be 1..{MAX_PAGE_SIZE}, got {page_size}")
    return SearchSpec(
        source=source,
        endpoint=f"{base_url}{config['endpoint']}",
        query=build_query(config["categories"], start, end),
        params={"sortBy": "submittedDate", "sortOrder": "ascending", "max_results": page_size},
        window_start=start,
        window_end=end,
    )


def build_query(categories: list[str], start: date, end: date) -> str:
    """`(cat:A OR cat:B) AND submittedDate:[from TO to]` for the half-open window [start, end):
    the API's range is inclusive to the minute, so it ends one minute before `end`."""
    first = datetime.combine(start, time.min)
    last = datetime.combine(end, time.min) - timedelta(minutes=1)
    cats = " OR ".join(f"cat:{category}" for category in categories)
    return f"({cats}) AND submittedDate:[{first:%Y%m%d%H%M} TO {last:%Y%m%d%H%M}]"


def fetch_window(
    session: PoliteSession, spec: SearchSpec, search_run_id: str, progress: WindowProgress
) -> None:
    """Page with start/max_results until start reaches totalResults or a page stays empty."""
    offset = 0
    while True:
        params = {"search_query": spec.query, **spec.params, "start": offset}
        try:
            page = _fetch_page(session, spec, params, search_run_id, offset)
        except EmptyPageError as exc:
            log.warning("arxiv: page at start=%d stayed empty after retries; taking it as the end", offset)
            progress.note_total("", exc.reported_total)
            return
        progress.add_page("", page.total, page.records)
        offset += len(page.records)
        log.info("arxiv: page %d, %d of %d records", progress.pages, offset, page.total)
        if offset >= page.total:
            return


def _fetch_page(
    session: PoliteSession, spec: SearchSpec, params: dict[str, Any], search_run_id: str, offset: int
) -> FeedPage:
    def parse_checked(body: bytes) -> FeedPage:
        page = parse_feed(body, search_run_id)
        if not page.records and offset < page.total:
            raise EmptyPageError(
                f"no entries at start={offset} although totalResults={page.total}", page.total
            )
        return page

    try:
        return session.fetch(spec.endpoint, params, parse_checked)
    except PermanentHTTPError as exc:
        raise ArxivQueryError(
            f"arXiv API returned HTTP {exc.status}: {error_feed_message(exc.body)}"
        ) from exc


def parse_records(body: bytes, source: str, search_run_id: str) -> list[dict[str, Any]]:
    return parse_feed(body, search_run_id).records


def parse_feed(body: bytes, search_run_id: str) -> FeedPage:
    feed = _parse_xml(body)
    _raise_if_error_feed(feed)
    total = _int_child(feed, f"{OPENSEARCH}totalResults")
    if total is None:
        raise MalformedPageError("feed has no opensearch:totalResults")
    records = [entry_record(entry, search_run_id) for entry in feed.findall(f"{ATOM}entry")]
    return FeedPage(total=total, start_index=_int_child(feed, f"{OPENSEARCH}startIndex"), records=records)


def error_feed_message(body: bytes) -> str:
    """The error feed's message, or a short note when the body is not an error feed."""
    try:
        _raise_if_error_feed(_parse_xml(body))
    except ArxivQueryError as exc:
        return str(exc)
    except (MalformedPageError, HostileXmlError):
        pass
    return "response is not an arXiv error feed"


def entry_record(entry: Element, search_run_id: str) -> dict[str, Any]:
    source_id, version = split_abs_id(_text(entry, f"{ATOM}id"))
    terms = [category.get("term") or "" for category in entry.findall(f"{ATOM}category")]
    primary = entry.find(f"{ARXIV}primary_category")
    doi = normalize_doi(_text(entry, f"{ARXIV}doi"))
    return make_record(
        source="arxiv",
        source_id=source_id,
        version=version,
        doi=doi,
        # arXiv's doi field is the published article's DOI (arXiv's own is 10.48550/arXiv.<id>)
        published_doi=doi,
        title=normalize_text(_text(entry, f"{ATOM}title")),
        abstract=normalize_text(_text(entry, f"{ATOM}summary")),
        authors=[normalize_text(name.text) for name in entry.findall(AUTHOR_NAME) if name.text],
        categories=unique([term for term in terms if CATEGORY_TERM.match(term)]),
        primary_category=primary.get("term") if primary is not None else None,
        published_at=iso_utc(_text(entry, f"{ATOM}published")),
        updated_at=iso_utc(_text(entry, f"{ATOM}updated")),
        journal_ref=normalize_text(_text(entry, f"{ARXIV}journal_ref")),
        comment=normalize_text(_text(entry, f"{ARXIV}comment")),
        url=_abs_link(entry, source_id, version),
        search_run_id=search_run_id,
    )


def split_abs_id(abs_id: str | None) -> tuple[str | None, int | None]:
    """`http://arxiv.org/abs/astro-ph/0601001v1` -> (`astro-ph/0601001`, 1)."""
    match = ABS_ID.search(abs_id or "")
    if match is None:
        return (abs_id, None)
    version = match.group("version")
    return (match.group("id"), int(version) if version else None)


def _parse_xml(body: bytes) -> Element:
    try:
        return SafeET.fromstring(body, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise HostileXmlError(f"refused XML with a DTD or entities: {exc!r}") from exc
    except ParseError as exc:
        raise MalformedPageError(f"not well-formed XML: {exc}") from exc


def _raise_if_error_feed(feed: Element) -> None:
    for entry in feed.findall(f"{ATOM}entry"):
        if ERROR_ID_MARK in (_text(entry, f"{ATOM}id") or ""):
            message = normalize_text(_text(entry, f"{ATOM}summary")) or "unspecified error"
            raise ArxivQueryError(f"arXiv API error: {message}")


def _abs_link(entry: Element, source_id: str | None, version: int | None) -> str | None:
    for link in entry.findall(f"{ATOM}link"):
        if link.get("rel") == "alternate" and link.get("href"):
            return link.get("href")
    if source_id is None:
        return None
    return f"https://arxiv.org/abs/{source_id}" + (f"v{version}" if version else "")


def _text(element: Element, tag: str) -> str | None:
    child = element.find(tag)
    return child.text if child is not None else None


def _int_child(element: Element, tag: str) -> int | None:
    try:
        return int((_text(element, tag) or "").strip())
    except ValueError:
        return None
