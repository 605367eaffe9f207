"""What every source client provides, so the harvest and reparse code treat sources alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from ingestion.http_session import PoliteSession


@dataclass(frozen=True)
class SearchSpec:
    """The exact search of one window, as run.json records it (PRISMA-S)."""

    source: str
    endpoint: str  # full URL of the endpoint
    query: str  # the exact query string sent (or the filter, for APIs without a query)
    params: dict[str, Any]  # every other request parameter
    window_start: date
    window_end: date  # exclusive


@dataclass
class WindowProgress:
    """Filled in page by page, so a failed harvest still reports how far it got."""

    records: list[dict[str, Any]] = field(default_factory=list)
    pages: int = 0
    # reported total per independently paged part (CSHL pages each subject on its own)
    reported_totals: dict[str, int] = field(default_factory=dict)

    @property
    def api_reported_total(self) -> int | None:
        return sum(self.reported_totals.values()) if self.reported_totals else None

    def add_page(self, part: str, reported_total: int | None, records: list[dict[str, Any]]) -> None:
        self.pages += 1
        self.records.extend(records)
        self.note_total(part, reported_total)

    def note_total(self, part: str, reported_total: int | None) -> None:
        """Also for a page that was not used (an empty page believed after retries)."""
        if reported_total is not None:
            self.reported_totals[part] = reported_total


class SourceClient(Protocol):
    def search_spec(
        self, source: str, config: dict[str, Any], base_url: str, start: date, end: date
    ) -> SearchSpec: ...

    def fetch_window(
        self, session: PoliteSession, spec: SearchSpec, search_run_id: str, progress: WindowProgress
    ) -> None: ...

    def parse_records(self, body: bytes, source: str, search_run_id: str) -> list[dict[str, Any]]: ...
