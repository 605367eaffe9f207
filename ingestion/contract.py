"""The landing contract (DESIGN.md "Data contracts"): what every harvest writes, field by field.

Landing folder per source and window: `<data>/landing/<source>/<start>_<end>/` with
  raw/            the responses exactly as received (bytes), numbered in request order
  records.jsonl   normalized records, one JSON object per line, keys sorted, rows sorted by
                  (source_id, version): a rerun of the same window gives byte-identical bytes
  run.json        the search-run log row (RUN_FIELDS)
Windows are half-open [start, end) in UTC, dates as YYYY-MM-DD.
"""

from __future__ import annotations

from datetime import date

# Normalized record fields. `search_run_id` is the deterministic window key (see window_key);
# the per-run facts (started/finished timestamps) live in run.json, so records.jsonl stays
# byte-identical across reruns; dbt joins the two on search_run_id to get harvested_at.
RECORD_FIELDS = (
    "source",  # arxiv | medrxiv | biorxiv | europepmc
    "source_id",  # arXiv id without version / DOI (lower-case, no prefix) / Europe PMC id
    "version",  # int; 1 when the source has no versions
    "doi",  # lower-case, no https://doi.org/ prefix; null when unknown
    "title",
    "abstract",  # whitespace-normalized
    "authors",  # list of display names
    "categories",  # list (arXiv categories; CSHL subject; Europe PMC source/pub types)
    "primary_category",
    "published_at",  # ISO-8601 UTC: v1 / first posted / first publication date
    "updated_at",  # ISO-8601 UTC: date of this version
    "journal_ref",
    "published_doi",  # DOI of the published article when the preprint says so
    "comment",
    "url",
    "search_run_id",
)

RUN_FIELDS = (
    "search_run_id",  # window key, equal to records' search_run_id
    "run_uuid",  # unique per execution
    "source",
    "endpoint",  # full URL of the endpoint queried
    "query",  # the exact query string sent
    "params",  # dict of every other request parameter (page size, sort, category, ...)
    "window_start",  # ISO-8601 UTC, inclusive
    "window_end",  # ISO-8601 UTC, exclusive
    "started_at",
    "finished_at",
    "api_reported_total",
    "retrieved",
    "pages",
    "requests",
    "retries",
    "http_errors",  # list of {"status"/"error", "url", "at"}
    "status",  # succeeded | failed
    "error",  # message when failed, else null
    "protocol_version",
    "code_version",
)


def window_key(start: date, end: date) -> str:
    """Folder name of a window: `2025-10-13_2025-10-20`."""
    return f"{start.isoformat()}_{end.isoformat()}"


def search_run_id(source: str, start: date, end: date) -> str:
    return f"{source}:{window_key(start, end)}"
