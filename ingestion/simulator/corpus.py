"""The records the simulator serves, per source, from real listings or the generated corpus.

Shapes (what the API modules expect):
  arxiv              list[ArxivRecord], sorted by (published, arxiv_id)
  medrxiv, biorxiv   list of CSHL `collection` rows (the API's own fields), sorted by (doi, version)
  europepmc          list of Europe PMC `resultType=core` results, sorted by (firstPublicationDate, id)

Records load lazily, once per process and path: 60k listing records take about a second, and
many simulators in one test session share them.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from ingestion.simulator import synthetic

SOURCES = ("arxiv", "medrxiv", "biorxiv", "europepmc")
CSHL_SERVERS = ("medrxiv", "biorxiv")
RECENT_RESULTS = 64  # query result sets kept: a harvest pages through one at a time


@dataclass(frozen=True, slots=True)
class ArxivRecord:
    arxiv_id: str  # without version
    version: int
    title: str | None
    summary: str
    authors: tuple[str, ...]
    categories: tuple[str, ...]  # primary first
    published: datetime  # v1 submission: what `submittedDate` filters on
    updated: datetime  # submission of this version
    comment: str | None = None
    journal_ref: str | None = None
    doi: str | None = None

    @property
    def primary_category(self) -> str:
        return self.categories[0] if self.categories else ""

    @classmethod
    def from_json(cls, row: dict[str, Any]) -> ArxivRecord:
        return cls(
            arxiv_id=row["id"],
            version=int(row["version"]),
            title=row["title"],
            summary=row["summary"],
            authors=tuple(row["authors"]),
            categories=tuple(row["categories"]),
            published=_parse_utc(row["published"]),
            updated=_parse_utc(row["updated"]),
            comment=row.get("comment"),
            journal_ref=row.get("journal_ref"),
            doi=row.get("doi"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.arxiv_id,
            "version": self.version,
            "title": self.title,
            "summary": self.summary,
            "authors": list(self.authors),
            "categories": list(self.categories),
            "published": _format_utc(self.published),
            "updated": _format_utc(self.updated),
            "comment": self.comment,
            "journal_ref": self.journal_ref,
            "doi": self.doi,
        }


def _parse_utc(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _format_utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class Corpus:
    """Per-source record lists behind lazy loaders, plus a memo for derived indexes."""

    def __init__(self, loaders: dict[str, Callable[[], list]], origins: dict[str, str]):
        missing = set(SOURCES) - set(loaders)
        if missing:
            raise ValueError(f"corpus lacks sources {sorted(missing)}")
        self._loaders = loaders
        self.origins = origins  # source -> where its records come from (for the CLI summary)
        self._memo: dict[Any, Any] = {}
        self._recent: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def records(self, source: str) -> list:
        return self.derived(("records", source), self._loaders[source])

    def derived(self, key: Any, build: Callable[[], Any]) -> Any:
        """Compute `build()` once per key (thread-safe); API modules cache their indexes here."""
        with self._lock:
            if key not in self._memo:
                self._memo[key] = build()
            return self._memo[key]

    def lru(self, key: Any, build: Callable[[], Any]) -> Any:
        """Like `derived`, but keeps only the most recent results (query result sets)."""
        with self._lock:
            if key in self._recent:
                self._recent.move_to_end(key)
                return self._recent[key]
        value = build()
        with self._lock:
            self._recent[key] = value
            while len(self._recent) > RECENT_RESULTS:
                self._recent.popitem(last=False)
        return value

    def summary(self) -> dict[str, int]:
        return {source: len(self.records(source)) for source in SOURCES}


# --- the real arXiv daily listings -------------------------------------------------------------


def listing_submitted_at(arxiv_id: str, listing_date: str) -> datetime:
    """Stand-in submission time: the listing day plus a time of day derived from the id.

    The listings carry no per-record dates (see their PROVENANCE.md), so the day is the listing
    day and the hash spreads records over the day deterministically.
    """
    seconds = int.from_bytes(hashlib.sha256(arxiv_id.encode()).digest()[:4], "big") % 86400
    return _midnight(listing_date) + timedelta(seconds=seconds)


@cache
def _midnight(day: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC)


def listing_record(row: dict[str, Any]) -> ArxivRecord:
    submitted = listing_submitted_at(row["id"], row["_listing_date"])
    return ArxivRecord(
        arxiv_id=row["id"],
        version=1,  # listing ids carry no version
        title=row["title"],
        summary=row["summary"] or "",
        authors=tuple(row["authors"] or ()),
        categories=tuple(row["categories"] or ()),
        published=submitted,
        updated=submitted,
        comment=row.get("comment"),
    )


@cache
def load_listings(folder: str) -> list[ArxivRecord]:
    by_id: dict[str, ArxivRecord] = {}
    for path in sorted(Path(folder).glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                row = json.loads(line)
                if row["id"] not in by_id:  # keep the earliest listing, like the by_month files
                    by_id[row["id"]] = listing_record(row)
    return sorted(by_id.values(), key=lambda record: (record.published, record.arxiv_id))


def find_listings_folder(path: Path) -> Path | None:
    """The folder of `YYYY-MM.jsonl.gz` listing files at or below `path`, if any."""
    for candidate in (path, path / "by_month", path / "daily_listings" / "by_month"):
        if candidate.is_dir() and any(candidate.glob("????-??.jsonl.gz")):
            return candidate
    return None


def default_listings_folder() -> Path | None:
    from livingreview.config import shared_data_dir

    return find_listings_folder(shared_data_dir() / "arxiv")


# --- assembling a corpus ----------------------------------------------------------------------


def generated_corpus(seed: int = synthetic.DEFAULT_SEED) -> Corpus:
    return Corpus(
        {source: _generated_loader(source, seed) for source in SOURCES},
        {source: f"generated (synthetic, seed {seed})" for source in SOURCES},
    )


def _generated_loader(source: str, seed: int) -> Callable[[], list]:
    def load() -> list:
        rows = synthetic.generate(seed)[source]
        return [ArxivRecord.from_json(row) for row in rows] if source == "arxiv" else rows

    return load


def _generated_dir_loader(folder: Path, source: str) -> Callable[[], list]:
    def load() -> list:
        rows = synthetic.read_source(folder, source)
        return [ArxivRecord.from_json(row) for row in rows] if source == "arxiv" else rows

    return load


def load_corpus(path: str | Path | None = None, seed: int = synthetic.DEFAULT_SEED) -> Corpus:
    """A corpus from the arXiv listings folder, a generated-corpus directory, or the defaults.

    None: the real listings in the shared data dir when present, else the generated arXiv corpus.
    Sources a corpus does not cover (CSHL and Europe PMC for the listings) come from the
    generated corpus.
    """
    corpus = generated_corpus(seed)
    loaders = dict(corpus._loaders)
    origins = dict(corpus.origins)
    if path is None:
        listings = default_listings_folder()
    else:
        folder = Path(path)
        if not folder.exists():
            raise FileNotFoundError(f"corpus path does not exist: {folder}")
        listings = find_listings_folder(folder)
        if listings is None:
            if not synthetic.is_generated_dir(folder):
                raise ValueError(
                    f"{folder} is neither an arXiv listings folder (YYYY-MM.jsonl.gz files) "
                    "nor a generated corpus (manifest.json); see `livingreview simulate --help`"
                )
            for source in synthetic.sources_in(folder):
                loaders[source] = _generated_dir_loader(folder, source)
                origins[source] = f"generated (synthetic) at {folder}"
    if listings is not None:
        loaders["arxiv"] = lambda: load_listings(str(listings.resolve()))
        origins["arxiv"] = f"real arXiv listings at {listings}"
    return Corpus(loaders, origins)
