"""Europe PMC client: REST `search` (JSON, resultType=core) paged by cursorMark from `*`.

Wire-format facts (shared/data/europepmc/PROVENANCE.md): `hitCount` is the reported total;
paging ends when `nextCursorMark` is missing or repeats; records are keyed by (`source`, `id`),
where preprints have source `PPR` and ids like `PPR123456`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ingestion.http_session import EmptyPageError, MalformedPageError, PoliteSession
from ingestion.normalize import iso_utc, make_record, normalize_doi, normalize_text, unique
from ingestion.source_client import SearchSpec, WindowProgress

log = logging.getLogger(__name__)

FIRST_CURSOR = "*"
# Core abstracts carry light HTML (`<h4>Objective</h4>This study ...`); headings stay as words.
ABSTRACT_MARKUP = re.compile(r"</?(?:h[1-6]|p|br|b|i|em|strong|sup|sub|inf)\b[^>]*>", re.IGNORECASE)


@dataclass(frozen=True)
class SearchPage:
    hit_count: int
    next_cursor: str | None
    records: list[dict[str, Any]]


def search_spec(source: str, config: dict[str, Any], base_url: str, start: date, end: date) -> SearchSpec:
    last_day = end - timedelta(days=1)  # FIRST_PDATE ranges are inclusive
    query = f"({normalize_text(config['query'])}) AND FIRST_PDATE:[{start} TO {last_day}]"
    return SearchSpec(
        source=source,
        endpoint=f"{base_url}{config['endpoint']}",
        query=query,
        params={"resultType": "core", "format": "json", "pageSize": int(config["page_size"])},
        window_start=start,
        window_end=end,
    )


def fetch_window(
    session: PoliteSession, spec: SearchSpec, search_run_id: str, progress: WindowProgress
) -> None:
    cursor = FIRST_CURSOR
    while True:
        params = {"query": spec.query, **spec.params, "cursorMark": cursor}
        try:
            page = session.fetch(spec.endpoint, params, _checked_parser(search_run_id, len(progress.records)))
        except EmptyPageError as exc:
            log.warning("europepmc: page at cursor %s stayed empty; taking it as the end", cursor)
            progress.note_total("", exc.reported_total)
            return
        progress.add_page("", page.hit_count, page.records)
        log.info(
            "europepmc: page %d, %d of %d records", progress.pages, len(progress.records), page.hit_count
        )
        done = not page.records or len(progress.records) >= page.hit_count
        if done or page.next_cursor in (None, cursor):
            return
        cursor = page.next_cursor


def _checked_parser(search_run_id: str, retrieved_so_far: int) -> Callable[[bytes], SearchPage]:
    def parse_checked(body: bytes) -> SearchPage:
        page = parse_search(body, search_run_id)
        if not page.records and retrieved_so_far < page.hit_count:
            raise EmptyPageError(
                f"no results after {retrieved_so_far} although hitCount is {page.hit_count}", page.hit_count
            )
        return page

    return parse_checked


def parse_records(body: bytes, source: str, search_run_id: str) -> list[dict[str, Any]]:
    return parse_search(body, search_run_id).records


def parse_search(body: bytes, search_run_id: str) -> SearchPage:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedPageError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("hitCount"), int):
        raise MalformedPageError("no integer `hitCount`")
    results = (data.get("resultList") or {}).get("result") or []
    if not isinstance(results, list):
        raise MalformedPageError("`resultList.result` is not a list")
    return SearchPage(
        hit_count=data["hitCount"],
        next_cursor=data.get("nextCursorMark"),
        records=[result_record(result, search_run_id) for result in results if isinstance(result, dict)],
    )


def result_record(result: dict[str, Any], search_run_id: str) -> dict[str, Any]:
    origin = result.get("source")
    record_id = result.get("id")
    return make_record(
        source="europepmc",
        source_id=str(record_id) if record_id is not None else None,
        version=1,
        doi=normalize_doi(result.get("doi")),
        title=normalize_text(result.get("title")),
        abstract=normalize_text(ABSTRACT_MARKUP.sub(" ", result.get("abstractText") or "")),
        authors=result_authors(result),
        categories=unique([value for value in [origin, *publication_types(result)] if value]),
        primary_category=origin,
        published_at=iso_utc(result.get("firstPublicationDate")),
        updated_at=iso_utc(result.get("dateOfRevision")),
        journal_ref=journal_ref(result),
        url=f"https://europepmc.org/article/{origin}/{record_id}" if origin and record_id else None,
        search_run_id=search_run_id,
    )


def result_authors(result: dict[str, Any]) -> list[str]:
    """Core results list authors; lite results only have `authorString` ("Smith J, Doe A.")."""
    listed = (result.get("authorList") or {}).get("author")
    if isinstance(listed, list):
        names = [author.get("fullName") or author.get("collectiveName") for author in listed]
        return [name for name in (normalize_text(value) for value in names) if name]
    author_string = normalize_text(result.get("authorString"))
    if not author_string:
        return []
    return [name.strip() for name in author_string.rstrip(".").split(",") if name.strip()]


def publication_types(result: dict[str, Any]) -> list[str]:
    """`pubTypeList.pubType` in core results, a single `pubType` string in lite ones."""
    listed = (result.get("pubTypeList") or {}).get("pubType")
    if isinstance(listed, list):
        return [str(value) for value in listed]
    if isinstance(listed, str):
        return [listed]
    single = result.get("pubType")
    return [single] if isinstance(single, str) else []


def journal_ref(result: dict[str, Any]) -> str | None:
    """`Lancet 404(10471):2603-2604, 2025` from core `journalInfo`, or the lite fields."""
    info = result.get("journalInfo") or {}
    names = info.get("journal") or {}
    journal = names.get("medlineAbbreviation") or names.get("title") or result.get("journalTitle")
    if not journal:
        return None
    volume = info.get("volume") or result.get("journalVolume")
    issue = info.get("issue") or result.get("issue")
    reference = f"{journal} {volume or ''}{f'({issue})' if issue else ''}".strip()
    if result.get("pageInfo"):
        reference += f":{result['pageInfo']}"
    year = info.get("yearOfPublication") or result.get("pubYear")
    return normalize_text(f"{reference}, {year}" if year else reference)
