"""Field normalisers shared by the source clients, and the one way to build a contract record.

Parsers are lenient about field *values* (a null title or an odd date lands as-is so the
landing gate can flag it) and strict only about page *structure*.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from ingestion.contract import RECORD_FIELDS

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_MISSING = {"", "na", "n/a", "none", "null"}
# JSON may escape half of a surrogate pair ("\\ud83d" of a truncated emoji); Python's json decodes it
# to a lone surrogate, which no UTF-8 file (the landing files) and no DuckDB string can hold.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def make_record(**fields: Any) -> dict[str, Any]:
    """A record with exactly RECORD_FIELDS: unknown fields are a bug, missing ones are null. Lone
    surrogates in any text become U+FFFD (the raw response keeps the original)."""
    unknown = set(fields) - set(RECORD_FIELDS)
    if unknown:
        raise ValueError(f"not record fields: {sorted(unknown)}")
    return {name: _unicode_text(fields.get(name)) for name in RECORD_FIELDS}


def _unicode_text(value: Any) -> Any:
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_unicode_text(item) for item in value]
    return value


def normalize_text(value: Any) -> str | None:
    """Collapse every whitespace run to one space, so legacy hard-wrapped and new one-line
    abstracts of the same paper compare equal."""
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def normalize_doi(value: Any) -> str | None:
    """Lower-case DOI without `https://doi.org/` or `doi:`; null for empty or `NA`."""
    if value is None:
        return None
    doi = _DOI_PREFIX.sub("", str(value).strip()).strip().lower()
    return None if doi in _MISSING else doi


def is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip().lower() in _MISSING)


def iso_utc(value: Any) -> str | None:
    """`YYYY-MM-DDTHH:MM:SSZ` from an ISO date or datetime; an unparsable value is kept as
    given so the landing gate sees it rather than a silent null."""
    if is_missing(value):
        return None
    text = str(value).strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
        else:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except ValueError:
        return text
    return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")


def as_int(value: Any) -> int | None:
    """Integers that may arrive as strings (CSHL sends counts and versions as strings)."""
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def unique(values: list[str]) -> list[str]:
    """Drop repeats, keep first-seen order."""
    return list(dict.fromkeys(values))
