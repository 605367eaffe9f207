"""CSHL `api.biorxiv.org/details/...` for medRxiv and bioRxiv.

  /details/{server}/{from}/{to}[/{cursor}[/json]][?category=radiology_and_imaging]
  /details/{server}/{doi}[/na][/json]

One row per version posted in the window (dates inclusive), grouped per preprint; `cursor` is an
offset. Like the real API, numbers are mixed: `cursor`/`count` are ints, `total` and
`count_new_papers` strings. The page size is 100, but 30 for windows starting in an odd ISO week
(the real API has served both), so clients must advance by what they received.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, unquote

from ingestion.simulator.corpus import CSHL_SERVERS, Corpus
from ingestion.simulator.reply import CORRUPT, EMPTY_PAGE, Reply, json_reply

FULL_PAGE = 100
SHORT_PAGE = 30
NO_POSTS = {"messages": [{"status": "no posts found"}], "collection": []}


def page_size(start: date) -> int:
    """Deterministic per window start: 30 in odd ISO weeks, 100 otherwise."""
    return SHORT_PAGE if start.isocalendar().week % 2 else FULL_PAGE


def _error(status: str) -> Reply:
    return json_reply({"messages": [{"status": status}], "collection": []})


def _category(query: str) -> str | None:
    values = parse_qs(query, keep_blank_values=True).get("category")
    if not values or not values[-1].strip():
        return None
    return values[-1].replace("_", " ").strip().lower()


def window_rows(corpus: Corpus, server: str, start: date, end: date, category: str | None) -> list[dict]:
    def build() -> list[dict]:
        low, high = start.isoformat(), end.isoformat()
        return [
            row
            for row in corpus.records(server)
            if low <= row["date"] <= high and (category is None or row["category"].lower() == category)
        ]

    return corpus.lru(("cshl", server, start, end, category), build)


def corrupt_page(rows: list[dict], start: date) -> list[dict]:
    """First row: null title; second: dated outside the window; third: a duplicate (doi, version)."""
    bad = [dict(row) for row in rows]
    if bad:
        bad[0]["title"] = None
    if len(bad) > 1:
        bad[1]["date"] = (start - timedelta(days=30)).isoformat()
    if len(bad) > 2:
        bad[2]["doi"], bad[2]["version"] = bad[0]["doi"], bad[0]["version"]
    return bad


def interval_page(corpus: Corpus, server: str, parts: list[str], query: str, mode: str | None) -> Reply:
    try:
        start, end = date.fromisoformat(parts[0]), date.fromisoformat(parts[1])
    except ValueError:
        return _error(f"invalid interval {parts[0]}/{parts[1]}: use YYYY-MM-DD/YYYY-MM-DD")
    cursor_text = parts[2] if len(parts) > 2 else "0"
    if not cursor_text.isdigit():
        return _error(f"invalid cursor {cursor_text!r}")
    cursor, category = int(cursor_text), _category(query)
    rows = window_rows(corpus, server, start, end, category)
    if cursor >= len(rows):
        return json_reply(NO_POSTS)
    page = rows[cursor : cursor + page_size(start)]
    if mode == EMPTY_PAGE:
        page = []
    elif mode == CORRUPT:
        page = corrupt_page(page, start)
    new_papers = len({row["doi"] for row in rows if row["version"] == "1"})
    message: dict[str, Any] = {
        "status": "ok",
        "category": category.replace(" ", "_") if category else "all",
        "interval": f"{start.isoformat()}:{end.isoformat()}",
        "funder": "all",
        "cursor": cursor,
        "count": len(page),
        "count_new_papers": str(new_papers),
        "total": str(len(rows)),
    }
    return json_reply({"messages": [message], "collection": page})


def doi_lookup(corpus: Corpus, server: str, doi: str) -> Reply:
    rows = [row for row in corpus.records(server) if row["doi"].lower() == doi.lower()]
    if not rows:
        return json_reply(NO_POSTS)
    return json_reply({"messages": [{"status": "ok", "category": "all"}], "collection": rows})


def handle(corpus: Corpus, path: str, query: str, mode: str | None) -> Reply:
    parts = [unquote(part) for part in path.split("/")[2:] if part]  # after "/details/"
    if parts and parts[-1] in ("json", "na"):
        parts = parts[:-1]
    if parts and parts[-1] == "na":
        parts = parts[:-1]
    if not parts or parts[0] not in CSHL_SERVERS:
        return _error("server must be one of: " + ", ".join(CSHL_SERVERS))
    server, rest = parts[0], parts[1:]
    if rest and re.match(r"^10\.\d+$", rest[0]):
        return doi_lookup(corpus, server, "/".join(rest))
    if len(rest) not in (2, 3):
        return _error("use /details/{server}/{from}/{to}/{cursor}/json")
    return interval_page(corpus, server, rest, query, mode)
