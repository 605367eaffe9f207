"""Europe PMC REST `search` (JSON) with cursorMark paging.

The keyword part of `query` is opaque (every corpus record matches: the simulator does not try to
be a search engine); `FIRST_PDATE:[YYYY-MM-DD TO YYYY-MM-DD]` (inclusive) is honoured. Paging
starts at `cursorMark=*`; each page hands back `nextCursorMark`; asking past the end returns no
results and the same cursorMark again, as the real API does. JSON only (`format=json`).
"""

from __future__ import annotations

import base64
import binascii
import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, quote, urlencode

from ingestion.simulator.corpus import Corpus
from ingestion.simulator.reply import CORRUPT, EMPTY_PAGE, Reply, json_reply

API_VERSION = "6.9"
DEFAULT_PAGE_SIZE = 25
MAX_PAGE_SIZE = 1000
SEARCH_URL = "https://www.ebi.ac.uk/europepmc/webservices/rest/search"
FIRST_PDATE = re.compile(
    r"FIRST_PDATE:\[\s*(\d{4}-\d{2}-\d{2})\s+TO\s+(\d{4}-\d{2}-\d{2})\s*\]", re.IGNORECASE
)
LITE_FIELDS = (
    "id", "source", "pmid", "doi", "title", "authorString", "pubYear", "isOpenAccess", "inEPMC",
    "inPMC", "hasPDF", "citedByCount", "firstIndexDate", "firstPublicationDate",
)  # fmt: skip
IDLIST_FIELDS = ("id", "source", "pmid", "doi")


def _error(status: int, message: str) -> Reply:
    return json_reply({"version": API_VERSION, "errCode": status, "errMsg": message}, status)


def encode_cursor(offset: int, query: str) -> str:
    """Opaque like the real marks; binds the offset to the query it was issued for."""
    return base64.b64encode(f"sim|{offset}|{len(query)}".encode()).decode()


def decode_cursor(mark: str, query: str) -> int:
    if mark == "*":
        return 0
    try:
        tag, offset, length = base64.b64decode(mark, validate=True).decode().split("|")
        if tag != "sim" or int(length) != len(query):
            raise ValueError(mark)
        return int(offset)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ValueError(f"invalid cursorMark {mark!r}") from None


def date_window(query: str) -> tuple[date, date] | None:
    match = FIRST_PDATE.search(query)
    if match is None:
        return None
    return date.fromisoformat(match[1]), date.fromisoformat(match[2])


def matching(corpus: Corpus, window: tuple[date, date] | None) -> list[dict]:
    def build() -> list[dict]:
        records = corpus.records("europepmc")
        if window is None:
            return records
        low, high = window[0].isoformat(), window[1].isoformat()
        return [r for r in records if low <= r["firstPublicationDate"] <= high]

    return corpus.lru(("europepmc", window), build)


def corrupt_page(results: list[dict], window: tuple[date, date] | None) -> list[dict]:
    """First: null title; second: published outside the window; third: a duplicate (source, id)."""
    bad = [dict(result) for result in results]
    if bad:
        bad[0]["title"] = None
    if len(bad) > 1:
        outside = window[0] - timedelta(days=30) if window else date(1999, 1, 1)
        bad[1]["firstPublicationDate"] = outside.isoformat()
    if len(bad) > 2:
        for key in ("id", "source", "pmid", "doi"):
            if key in bad[0]:
                bad[2][key] = bad[0][key]
    return bad


def shape(result: dict[str, Any], result_type: str) -> dict[str, Any]:
    if result_type == "core":
        return result
    fields = IDLIST_FIELDS if result_type == "idlist" else LITE_FIELDS
    shaped = {key: result[key] for key in fields if key in result}
    if result_type == "lite":
        shaped["pubType"] = "; ".join(result.get("pubTypeList", {}).get("pubType", [])).lower()
    return shaped


def handle(corpus: Corpus, path: str, query_string: str, mode: str | None) -> Reply:
    params = {key: values[-1] for key, values in parse_qs(query_string, keep_blank_values=True).items()}
    query = params.get("query", "").strip()
    if not query:
        return _error(400, "query is required")
    if params.get("format", "xml").lower() != "json":
        return _error(400, "the simulator serves format=json only")
    result_type = params.get("resultType", "lite")
    if result_type not in ("core", "lite", "idlist"):
        return _error(400, f"unknown resultType {result_type!r}")
    try:
        page_size = min(int(params.get("pageSize", DEFAULT_PAGE_SIZE)), MAX_PAGE_SIZE)
        window = date_window(query)
        cursor_mark = params.get("cursorMark", "*") or "*"
        offset = decode_cursor(cursor_mark, query)
    except ValueError as error:
        return _error(400, str(error))
    if page_size < 1:
        return _error(400, "pageSize must be positive")
    results = matching(corpus, window)
    page = results[offset : offset + page_size]
    if mode == EMPTY_PAGE:
        page = []
    elif mode == CORRUPT:
        page = corrupt_page(page, window)
    payload: dict[str, Any] = {"version": API_VERSION, "hitCount": len(results)}
    if results:
        # past the end (or an empty page) repeats the mark: the client's signal to stop
        next_mark = encode_cursor(offset + len(page), query) if page else cursor_mark
        payload["nextCursorMark"] = next_mark
        if page:
            next_params = {
                "query": query,
                "cursorMark": next_mark,
                "resultType": result_type,
                "pageSize": page_size,
                "format": "json",
            }
            payload["nextPageUrl"] = f"{SEARCH_URL}?{urlencode(next_params)}"
    payload["request"] = {
        "queryString": query,
        "resultType": result_type,
        "cursorMark": quote(cursor_mark, safe=""),
        "pageSize": page_size,
        "sort": params.get("sort", ""),
        "synonym": params.get("synonym", "false").lower() == "true",
    }
    payload["resultList"] = {"result": [shape(result, result_type) for result in page]}
    return json_reply(payload)
