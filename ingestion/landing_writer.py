"""Writes one landing window: built in a staging folder, then renamed into place.

Readers never see a partial window: until `commit` renames the staging folder, the window is
either absent or the previous complete copy. A failed run moves its staging folder (run.json
and the raw bodies received so far, but no records) under `landing/_failed/` instead.

    landing/<source>/<start>_<end>/                 the window (contract, see ingestion.contract)
    landing/_staging/<source>/<start>_<end>_<run>/   being written (never read downstream)
    landing/_failed/<source>/<start>_<end>_<run>/    a failed or interrupted run, for the record
Staging and failed folders sit one level deeper than windows, so a `landing/*/*/records.jsonl`
glob only ever matches complete windows.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from ingestion.contract import RUN_FIELDS, window_key

RAW_INDEX = "index.json"
_SUFFIXES = (("json", ".json"), ("xml", ".xml"), ("html", ".html"), ("text", ".txt"))


def serialize_records(records: Iterable[dict[str, Any]]) -> list[str]:
    """JSON lines with sorted keys, sorted by (source_id, version) then content; exact
    duplicates (the same record served twice across a page boundary) collapse to one.
    Conflicting rows with the same key are kept for the landing gate to flag."""
    lines = {json.dumps(record, sort_keys=True, ensure_ascii=False) for record in records}
    return sorted(lines, key=_line_order)


def _line_order(line: str) -> tuple[str, int, str]:
    record = json.loads(line)
    version = record.get("version")
    return (str(record.get("source_id") or ""), version if isinstance(version, int) else -1, line)


def write_records(path: Path, lines: list[str]) -> None:
    """records.jsonl, replaced atomically (also used by reparse on a landed window)."""
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    os.replace(partial, path)


def suffix_for(content_type: str) -> str:
    lowered = content_type.lower()
    return next((suffix for marker, suffix in _SUFFIXES if marker in lowered), ".bin")


class WindowWriter:
    """Implements the session's RawRecorder; `commit` or `fail` ends its life."""

    def __init__(self, landing_root: Path, source: str, start: date, end: date, run_uuid: str) -> None:
        window = window_key(start, end)
        self.target = landing_root / source / window
        self.staging = landing_root / "_staging" / source / f"{window}_{run_uuid}"
        self.failed = landing_root / "_failed" / source / f"{window}_{run_uuid}"
        self.raw_dir = self.staging / "raw"
        self.raw_dir.mkdir(parents=True)
        self.raw_index: list[dict[str, Any]] = []

    def save(self, url: str, status: int, content_type: str, body: bytes) -> int:
        number = len(self.raw_index) + 1
        name = f"{number:04d}{suffix_for(content_type)}"
        (self.raw_dir / name).write_bytes(body)
        self.raw_index.append(
            {"file": name, "url": url, "status": status, "content_type": content_type, "accepted": False}
        )
        return number

    def accept(self, number: int) -> None:
        self.raw_index[number - 1]["accepted"] = True

    def reject(self, number: int, reason: str) -> None:
        self.raw_index[number - 1].update(accepted=False, rejected_because=reason)

    def commit(self, lines: list[str], run: dict[str, Any]) -> Path:
        """Publish the window, replacing any previous copy of it."""
        write_records(self.staging / "records.jsonl", lines)
        self._write_run_and_index(run)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        previous = self.staging.with_name(f"{self.staging.name}_replaced")
        if self.target.exists():
            os.rename(self.target, previous)
        os.rename(self.staging, self.target)
        shutil.rmtree(previous, ignore_errors=True)
        return self.target

    def fail(self, run: dict[str, Any]) -> Path:
        """Record a failed run under _failed/; the window itself is left untouched."""
        self._write_run_and_index(run)
        self.failed.parent.mkdir(parents=True, exist_ok=True)
        os.rename(self.staging, self.failed)
        return self.failed

    def _write_run_and_index(self, run: dict[str, Any]) -> None:
        if tuple(run) != RUN_FIELDS:
            raise ValueError(f"run.json fields {tuple(run)} differ from the contract {RUN_FIELDS}")
        (self.staging / "run.json").write_text(json.dumps(run, indent=2) + "\n", encoding="utf-8")
        index = json.dumps(self.raw_index, indent=2) + "\n"
        (self.raw_dir / RAW_INDEX).write_text(index, encoding="utf-8")
