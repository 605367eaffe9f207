"""Write-audit-publish, the last steps: publish an audited warehouse, quarantine a failed batch,
record failures.

    data/published/living_review.duckdb     what readers query (opened read_only=True)
    data/published/publications.jsonl       one line per publication: checksum, review version, time
    data/quarantine/<batch_id>/             a failed batch: its landing windows (moved), the failed
                                            work warehouse (copied), quarantine.json (why, when, what)
    data/failures/failures.jsonl            one line per failure (gates, builds, Airflow callbacks)

Publishing replaces the file with `os.replace` of a fully written, fsynced temp file in the same
directory: a reader that opens the path sees either the previous file or the new one, never a mix,
and one that already has the old file open keeps reading the old inode undisturbed.
Heavy imports (duckdb) stay inside functions: DAG files and the Airflow callback import this module.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from livingreview.config import data_dir, published_path, quarantine_dir, warehouse_path

COPY_CHUNK = 1 << 20
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class PublishResult:
    path: Path
    sha256: str
    bytes: int
    review_version: str | None
    published_at: str

    def summary(self) -> str:
        version = self.review_version or "unversioned"
        return (
            f"published {self.path} (review version {version}, sha256 {self.sha256[:12]}, {self.bytes} bytes)"
        )


def publications_log() -> Path:
    return published_path().parent / "publications.jsonl"


def failures_log() -> Path:
    return data_dir() / "failures" / "failures.jsonl"


def now_utc() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---------------------------------------------------------------- publish


def publish_warehouse(work: Path | None = None, published: Path | None = None) -> PublishResult:
    """Atomically replace the published warehouse with a copy of the (audited) work warehouse."""
    work = Path(work or warehouse_path())
    published = Path(published or published_path())
    if not work.is_file():
        raise FileNotFoundError(f"no work warehouse to publish at {work} (run `livingreview build`)")
    review_version = checkpoint_and_read_version(work)
    published.parent.mkdir(parents=True, exist_ok=True)
    temp = published.with_name(f".{published.name}.{os.getpid()}.partial")
    try:
        digest, size = copy_and_fsync(work, temp)
        os.replace(temp, published)
    finally:
        temp.unlink(missing_ok=True)
    fsync_directory(published.parent)
    result = PublishResult(published, digest, size, review_version, now_utc())
    append_jsonl(published.parent / "publications.jsonl", {**asdict(result), "path": str(published)})
    return result


def checkpoint_and_read_version(work: Path) -> str | None:
    """Fold the WAL into the file (so a byte copy is the whole database) and read its review version."""
    import duckdb

    with duckdb.connect(str(work)) as connection:
        connection.execute("checkpoint")
        return latest_review_version(connection)


def latest_review_version(connection: Any) -> str | None:
    # fetchall, not fetchone: DuckDB 2 refuses new work on a connection with an unfinished result
    [(has_versions,)] = connection.execute(
        "select count(*) from information_schema.tables where table_name = 'dim_review_versions'"
    ).fetchall()
    if not has_versions:
        return None
    [(version,)] = connection.execute("select max(review_version) from dim_review_versions").fetchall()
    return None if version is None else str(version)


def copy_and_fsync(source: Path, target: Path) -> tuple[str, int]:
    """Copy bytes, hashing on the way, and force them to disk before anyone can rename the file."""
    digest = hashlib.sha256()
    size = 0
    with open(source, "rb") as reader, open(target, "wb") as writer:
        while chunk := reader.read(COPY_CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
        writer.flush()
        os.fsync(writer.fileno())
    return digest.hexdigest(), size


def fsync_directory(directory: Path) -> None:
    """Make the rename itself durable."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as reader:
        while chunk := reader.read(COPY_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def list_publications() -> list[dict[str, Any]]:
    return read_jsonl(publications_log())


# ---------------------------------------------------------------- quarantine


def quarantine_batch(
    batch_id: str, windows: list[Path], warehouse: Path | None, reason: str, details: Any = None
) -> Path:
    """Move the batch's landing windows out of landing (the next build no longer reads them), keep a
    copy of the failed work warehouse, and write quarantine.json. Nothing is ever deleted."""
    target = quarantine_dir() / safe_name(batch_id)
    target.mkdir(parents=True, exist_ok=True)
    moved = [move_window(Path(window), target / "landing") for window in windows]
    kept_warehouse = copy_warehouse(Path(warehouse), target) if warehouse else None
    record = {
        "batch_id": batch_id,
        "quarantined_at": now_utc(),
        "reason": reason,
        "details": details,
        "windows": [entry for entry in moved if entry],
        "warehouse": str(kept_warehouse) if kept_warehouse else None,
    }
    write_json_atomically(target / "quarantine.json", record)
    return target


def move_window(window: Path, landing_copy: Path) -> dict[str, str] | None:
    """`<landing>/<source>/<window>` -> `<quarantine>/<batch>/landing/<source>/<window>`."""
    if not window.exists():
        return None  # already moved (a retried quarantine) or never landed
    destination = landing_copy / window.parent.name / window.name
    if destination.exists():  # the same window quarantined twice in one batch: keep both
        destination = destination.with_name(f"{window.name}_{now_utc().replace(':', '')}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(window), str(destination))
    return {"from": str(window), "to": str(destination)}


def copy_warehouse(warehouse: Path, target: Path) -> Path | None:
    """Copy the failed warehouse (and its WAL, if a writer left one) as evidence."""
    if not warehouse.is_file():
        return None
    copy = target / warehouse.name
    shutil.copy2(warehouse, copy)
    wal = warehouse.with_name(warehouse.name + ".wal")
    if wal.is_file():
        shutil.copy2(wal, target / wal.name)
    return copy


def list_quarantine() -> list[dict[str, Any]]:
    """Every quarantined batch, oldest first (the records written by quarantine_batch)."""
    root = quarantine_dir()
    if not root.is_dir():
        return []
    records = [
        {**json.loads(marker.read_text(encoding="utf-8")), "path": str(marker.parent)}
        for marker in root.glob("*/quarantine.json")
    ]
    return sorted(records, key=lambda record: record["quarantined_at"])


def safe_name(batch_id: str) -> str:
    """Airflow run ids carry ':' and '+'; folder names should not."""
    return UNSAFE_NAME.sub("_", batch_id).strip("_") or "batch"


# ---------------------------------------------------------------- failures


def record_failure(kind: str, run_id: str, message: str, details: Any = None) -> dict[str, Any]:
    """Append one failure (gate, build, harvest, Airflow task) to data/failures/failures.jsonl."""
    entry = {"recorded_at": now_utc(), "kind": kind, "run_id": run_id, "message": message, "details": details}
    append_jsonl(failures_log(), entry)
    return entry


def list_failures() -> list[dict[str, Any]]:
    return read_jsonl(failures_log())


# ---------------------------------------------------------------- files


def append_jsonl(path: Path, entry: dict[str, Any]) -> None:
    """One write of one line in append mode: concurrent appenders do not interleave within a line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(entry, sort_keys=True, default=str) + "\n"
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(partial, path)
