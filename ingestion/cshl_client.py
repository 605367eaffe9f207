"""medRxiv and bioRxiv client: the CSHL `details` interval endpoint, one subject at a time.

Wire-format facts (shared/data/medrxiv/PROVENANCE.md): there is no keyword search, so each
protocol subject is harvested whole for the window; the cursor advances by the records actually
returned (100 or 30 per page, depending on the day); `total` arrives as a string and may
overstate what can be fetched; one row per version; past the end the status is
"no posts found" with an empty collection.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ingestion.http_session import EmptyPageError, MalformedPageError, PoliteSession
from ingestion.normalize import (
    as_int,
    is_missing,
    iso_utc,
    make_record,
    normalize_doi,
    normalize_text,
)
from ingestion.source_client import SearchSpec, WindowProgress

log = logging.getLogger(__name__)

SITES = {"medrxiv": "https://www.medrxiv.org", "biorxiv": "https://www.biorxiv.org"}
PAST_THE_END = "no posts found"


class CshlApiError(Exception):
    """A status other than "ok" or "no posts found": the API refused the request."""


@dataclass(frozen=True)
class DetailsPage:
    status: str
    total: int | None
    records: list[dict[str, Any]]


def search_spec(source: str, config: dict[str, Any], base_url: str, start: date, end: date) -> SearchSpec:
    last_day = end - timedelta(days=1)  # the API's interval is inclusive
    subjects = list(config["subjects"])
    return SearchSpec(
        source=source,
        endpoint=f"{base_url}/details/{config['server']}",
        query=f"interval {start}/{last_day}; category in ({', '.join(subjects)})",
        params={
            "server": config["server"],
            "interval": f"{start}/{last_day}",
            "category": [subject_param(subject) for subject in subjects],
            "format": "json",
        },
        window_start=start,
        window_end=end,
    )


def subject_param(subject: str) -> str:
    """`radiology and imaging` -> `radiology_and_imaging` (the API's spelling of spaces)."""
    return subject.strip().replace(" ", "_")


def fetch_window(
    session: PoliteSession, spec: SearchSpec, search_run_id: str, progress: WindowProgress
) -> None:
    for category in spec.params["category"]:
        _fetch_subject(session, spec, category, search_run_id, progress)


def _fetch_subject(
    session: PoliteSession, spec: SearchSpec, category: str, search_run_id: str, progress: WindowProgress
) -> None:
    cursor = 0
    while True:
        url = f"{spec.endpoint}/{spec.params['interval']}/{cursor}/json"
        try:
            page = session.fetch(
                url, {"category": category}, _checked_parser(spec.source, search_run_id, cursor)
            )
        except EmptyPageError as exc:
            log.warning(
                "%s %s: page at cursor %d stayed empty; taking it as the end", spec.source, category, cursor
            )
            progress.note_total(category, exc.reported_total)
            return
        # past the end any total the page carries is not the subject's
        reported = progress.reported_totals.get(category, 0) if page.status == PAST_THE_END else page.total
        progress.add_page(category, reported, page.records)
        if page.status == PAST_THE_END or not page.records:
            return
        cursor += len(page.records)
        log.info(
            "%s %s: page %d, %d of %s records", spec.source, category, progress.pages, cursor, page.total
        )
        if page.total is not None and cursor >= page.total:
            return


def _checked_parser(source: str, search_run_id: str, cursor: int) -> Callable[[bytes], DetailsPage]:
    def parse_checked(body: bytes) -> DetailsPage:
        page = parse_details(body, source, search_run_id)
        if page.status not in ("ok", PAST_THE_END):
            raise CshlApiError(f"{source} API status: {page.status}")  # never mistaken for the end
        # "no posts found" is the server saying the window is done; an empty "ok" page short of
        # the total may be a hiccup, so it is asked again (within the retry budget).
        if page.status == "ok" and not page.records and page.total is not None and cursor < page.total:
            raise EmptyPageError(
                f"empty collection at cursor {cursor} although total is {page.total}", page.total
            )
        return page

    return parse_checked


def parse_records(body: bytes, source: str, search_run_id: str) -> list[dict[str, Any]]:
    return parse_details(body, source, search_run_id).records


def parse_details(body: bytes, source: str, search_run_id: str) -> DetailsPage:
    """One `details` response (interval or per-DOI endpoint)."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedPageError(f"not JSON: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("messages"), list) or not data["messages"]:
        raise MalformedPageError("no `messages` block")
    message = data["messages"][0]
    collection = data.get("collection") or []
    if not isinstance(message, dict) or not isinstance(collection, list):
        raise MalformedPageError("`messages[0]` or `collection` has the wrong shape")
    return DetailsPage(
        status=str(message.get("status", "")).strip().lower(),
        total=as_int(message.get("total")),
        records=[details_record(row, source, search_run_id) for row in collection if isinstance(row, dict)],
    )


def details_record(row: dict[str, Any], source: str, search_run_id: str) -> dict[str, Any]:
    doi = normalize_doi(row.get("doi"))
    version = as_int(row.get("version"))
    posted = iso_utc(row.get("date"))
    category = normalize_text(row.get("category"))
    return make_record(
        source=source,
        source_id=doi,
        version=version,
        doi=doi,
        title=normalize_text(row.get("title")),
        abstract=normalize_text(row.get("abstract")),
        authors=split_authors(row.get("authors")),
        categories=[category] if category else [],
        primary_category=category,
        # `date` is when *this version* was posted; only v1's is the first-posted date
        published_at=posted if version == 1 else None,
        updated_at=posted,
        published_doi=None if is_missing(row.get("published")) else normalize_doi(row.get("published")),
        url=f"{SITES[source]}/content/{doi}v{version}" if doi and version else None,
        search_run_id=search_run_id,
    )


def split_authors(authors: Any) -> list[str]:
    """`"Banno, M.; Tsujimoto, Y."` -> `["Banno, M.", "Tsujimoto, Y."]`."""
    if not isinstance(authors, str):
        return []
    return [name for name in (normalize_text(part) for part in authors.split(";")) if name]
