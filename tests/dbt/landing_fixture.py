"""Contract-conformant landing windows written by hand, for dbt tests that need exact rows.

The records go through the harvest's own `make_record` and `serialize_records`, so a fixture
window has the same fields, key order and line order as a harvested one.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from ingestion.contract import RUN_FIELDS, search_run_id, window_key
from ingestion.landing_writer import serialize_records, write_records
from ingestion.normalize import make_record


def write_landing_window(
    landing_root: Path, source: str, start: date, records: list[dict[str, Any]], **run_fields: Any
) -> Path:
    """One window folder `<source>/<start>_<start+7d>/` with records.jsonl and run.json."""
    end = start + timedelta(days=7)
    run_id = search_run_id(source, start, end)
    folder = landing_root / source / window_key(start, end)
    folder.mkdir(parents=True, exist_ok=True)
    defaults = {"version": 1}
    rows = [make_record(**(defaults | record), source=source, search_run_id=run_id) for record in records]
    write_records(folder / "records.jsonl", serialize_records(rows))
    run = _run(source, start, end, retrieved=len(rows)) | run_fields
    (folder / "run.json").write_text(json.dumps({name: run[name] for name in RUN_FIELDS}), encoding="utf-8")
    return folder


def _run(source: str, start: date, end: date, retrieved: int) -> dict[str, Any]:
    finished = datetime.combine(end, time(6, 5), UTC)
    return {
        "search_run_id": search_run_id(source, start, end),
        "run_uuid": str(uuid.uuid4()),
        "source": source,
        "endpoint": f"http://simulator/{source}",
        "query": "fixture",
        "params": {"page_size": 100},
        "window_start": f"{start.isoformat()}T00:00:00Z",
        "window_end": f"{end.isoformat()}T00:00:00Z",
        "started_at": (finished - timedelta(minutes=2)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "finished_at": finished.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "api_reported_total": retrieved,
        "retrieved": retrieved,
        "pages": 1,
        "requests": 1,
        "retries": 0,
        "http_errors": [],
        "status": "succeeded",
        "error": None,
        "protocol_version": "fixture",
        "code_version": "fixture",
    }
