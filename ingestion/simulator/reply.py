"""What an API module hands back to the HTTP layer."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

ATOM = "application/atom+xml; charset=utf-8"
JSON = "application/json; charset=utf-8"
TEXT = "text/plain; charset=utf-8"

# Content-level modes an API module must honour (transport faults are the server's business).
EMPTY_PAGE = "empty-page"
CORRUPT = "corrupt"


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(payload: Any, status: int = 200) -> Reply:
    return Reply(status, JSON, json.dumps(payload, ensure_ascii=False).encode("utf-8"))


def text_reply(status: int, text: str, headers: dict[str, str] | None = None) -> Reply:
    return Reply(status, TEXT, text.encode("utf-8"), headers or {})
