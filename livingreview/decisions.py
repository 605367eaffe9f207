"""Human screening decisions: the weekly review queue out, reviewers' decisions in.

Decisions are append-only CSV files in `review/decisions/` (LIVINGREVIEW_DECISIONS_DIR overrides it,
e.g. in tests): every import writes one new file and never touches an earlier one, so the folder is
the audit trail and dbt reads it as a source. A reviewer's latest decision on a study is the one
that counts; reviewers whose latest decisions differ are a conflict, listed until they agree.

Imports are all-or-nothing: every row is checked (known study id, decision, reason code, tag values
from the controlled vocabularies) and one bad row rejects the whole file with a report naming each
problem and its line.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from livingreview import config

DECISIONS = ("include", "exclude", "maybe")
# Columns of a decisions file in review/decisions/ (the dbt source reads exactly these).
DECISION_FILE_COLUMNS = (
    "study_id", "reviewer", "decision", "reason", "fm_type", "modalities", "tasks",
    "training_strategies", "datasets", "note", "decided_at", "import_file",
)  # fmt: skip
# Columns a reviewer fills in the queue file; tag columns correct the suggested tags when not empty.
TAG_CORRECTIONS = ("fm_type", "modalities", "tasks", "training_strategies", "datasets")
# Reason codes only automation gives (the model overturning a rule inclusion has no reason of its own).
AUTOMATION_ONLY_REASONS = frozenset({"model_unlikely"})
REVIEWER_FILLED = ("decision", "reason", *TAG_CORRECTIONS, "note")
MULTI_VALUED = ("modalities", "tasks", "training_strategies", "datasets")
REVIEWER_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# seed file and column holding each vocabulary
VOCABULARY_SEEDS = {
    "reason": ("exclusion_reasons.csv", "reason_code"),
    "fm_type": ("fm_types.csv", "fm_type"),
    "modalities": ("modalities.csv", "modality"),
    "tasks": ("tasks.csv", "task"),
    "training_strategies": ("training_strategies.csv", "training_strategy"),
    "datasets": ("medical_imaging_datasets.csv", "dataset_id"),
}


class DecisionImportError(ValueError):
    """A decisions file failed validation; `problems` lists each one (nothing was imported)."""

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s), nothing imported:\n  " + "\n  ".join(problems))
        self.problems = problems


def decisions_dir() -> Path:
    """LIVINGREVIEW_DECISIONS_DIR, else `review/decisions` beside the data dir: the committed folder
    in the standard layouts (`<repo>/data`, /opt/livingreview/data in the image). The dbt source
    `review_decisions` resolves the same rule, so writer and reader always agree."""
    default = config.data_dir().parent / "review" / "decisions"
    return Path(os.environ.get("LIVINGREVIEW_DECISIONS_DIR", default)).resolve()


def decision_files() -> list[Path]:
    folder = decisions_dir()
    return sorted(folder.glob("*.csv")) if folder.is_dir() else []


def vocabulary(column: str) -> set[str]:
    seed, key = VOCABULARY_SEEDS[column]
    with open(config.dbt_project_dir() / "seeds" / seed, newline="", encoding="utf-8") as handle:
        return {row[key] for row in csv.DictReader(handle)}


def default_warehouse() -> Path:
    """The published warehouse when there is one, else the work warehouse."""
    published = config.published_path()
    return published if published.exists() else config.warehouse_path()


def connect(warehouse: Path | None = None) -> Any:
    import duckdb

    path = warehouse or default_warehouse()
    if not path.exists():
        raise FileNotFoundError(f"no warehouse at {path}: run `livingreview build` first")
    return duckdb.connect(str(path), read_only=True)


# ----------------------------------------------------------------------------- reading decisions


def read_decisions() -> list[dict[str, str]]:
    """Every human decision ever imported, oldest file first."""
    rows = []
    for path in decision_files():
        with open(path, newline="", encoding="utf-8") as handle:
            rows.extend(csv.DictReader(handle))
    return rows


def latest_per_reviewer(rows: Iterable[dict[str, str]]) -> dict[tuple[str, str], dict[str, str]]:
    """(study_id, reviewer) -> that reviewer's latest decision (files are read oldest first)."""
    latest: dict[tuple[str, str], dict[str, str]] = {}
    for row in sorted(rows, key=lambda r: (r["decided_at"], r["import_file"])):
        latest[(row["study_id"], row["reviewer"])] = row
    return latest


def agreed_human_decisions() -> dict[str, bool]:
    """study_id -> include? for studies where every reviewer's latest decision is the same
    include or exclude (conflicts and maybes teach the model nothing)."""
    by_study: dict[str, set[str]] = {}
    for (study_id, _), row in latest_per_reviewer(read_decisions()).items():
        by_study.setdefault(study_id, set()).add(row["decision"])
    return {
        study_id: decided == {"include"}
        for study_id, decided in by_study.items()
        if len(decided) == 1 and decided <= {"include", "exclude"}
    }


def decisions_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in decision_files():
        digest.update(path.name.encode() + b"\n" + path.read_bytes())
    return digest.hexdigest()


def study_texts(study_ids: set[str], warehouse: Path | None = None) -> dict[str, tuple[str, str, str]]:
    """study_id -> (arxiv id or study id, title, abstract) from a warehouse's int_studies."""
    with connect(warehouse) as con:
        rows = con.execute(
            "select study_id, coalesce(arxiv_id, study_id), title, abstract from int_studies "
            "where study_id in (select unnest(?::varchar[]))",
            [sorted(study_ids)],
        ).fetchall()
    return {study_id: (key, title, abstract) for study_id, key, title, abstract in rows}


# ----------------------------------------------------------------------------- import


@dataclass(frozen=True)
class ImportResult:
    path: Path | None
    imported: int
    undecided: int  # queue rows left blank


def _check_row(row: dict[str, str], known_ids: set[str], vocabularies: dict[str, set[str]]) -> list[str]:
    problems = []
    decision = row.get("decision", "").strip()
    if decision not in DECISIONS:
        problems.append(f"decision {decision!r} is not one of {', '.join(DECISIONS)}")
    study_id = row.get("study_id", "").strip()
    if study_id not in known_ids:
        problems.append(f"unknown study_id {study_id!r}")
    reason = row.get("reason", "").strip()
    if decision == "exclude" and not reason:
        problems.append("an exclusion needs a reason code")
    if reason and decision != "exclude":
        problems.append(f"reason {reason!r} given for a {decision!r} decision (reasons are for exclusions)")
    if reason in AUTOMATION_ONLY_REASONS:
        problems.append(f"reason {reason!r} is the model's, not a reviewer's: name why the study is out")
    elif reason and reason not in vocabularies["reason"]:
        problems.append(f"unknown reason code {reason!r}")
    for column in TAG_CORRECTIONS:
        values = (
            split_values(row.get(column, "")) if column in MULTI_VALUED else [row.get(column, "").strip()]
        )
        problems += [
            f"unknown {column} value {value!r}"
            for value in values
            if value and value not in vocabularies[column]
        ]
    return problems


def split_values(cell: str | None) -> list[str]:
    return [value.strip() for value in (cell or "").split(";") if value.strip()]


def _is_blank(row: dict[str, str]) -> bool:
    return not any((row.get(column) or "").strip() for column in REVIEWER_FILLED)


def validate(rows: Sequence[dict[str, str]], header: Sequence[str], known_ids: set[str]) -> list[str]:
    """Every problem in a decisions file, each naming its line; [] when the file is good."""
    missing = [column for column in ("study_id", "decision") if column not in header]
    if missing:
        return [f"missing column(s): {', '.join(missing)}"]
    vocabularies = {column: vocabulary(column) for column in VOCABULARY_SEEDS}
    problems, seen = [], {}
    for line, row in enumerate(rows, start=2):  # line 1 is the header
        if None in row:
            problems.append(f"line {line}: more fields than the header has columns")
            continue
        if _is_blank(row):
            continue
        problems += [f"line {line}: {problem}" for problem in _check_row(row, known_ids, vocabularies)]
        study_id = row["study_id"].strip()
        if study_id in seen:
            problems.append(f"line {line}: study_id {study_id!r} already decided on line {seen[study_id]}")
        seen.setdefault(study_id, line)
    return problems


def read_queue_file(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def known_study_ids(warehouse: Path | None = None) -> set[str]:
    with connect(warehouse) as con:
        return {study_id for (study_id,) in con.sql("select study_id from int_studies").fetchall()}


def import_decisions(path: Path, reviewer: str, warehouse: Path | None = None) -> ImportResult:
    """Validate a filled-in queue (or any CSV with study_id, decision, ...) and append it as a new
    decisions file; raise DecisionImportError (nothing written) on any problem."""
    if not REVIEWER_ID.match(reviewer):
        raise DecisionImportError([f"reviewer id {reviewer!r} must be letters, digits, '.', '_' or '-'"])
    try:
        header, rows = read_queue_file(path)
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise DecisionImportError([f"cannot read {path}: {error}"]) from error
    problems = validate(rows, header, known_study_ids(warehouse))
    decided = [row for row in rows if not _is_blank(row)]
    if not problems and not decided:
        problems = ["no decisions in the file (every decision cell is empty)"]
    if problems:
        raise DecisionImportError(problems)
    return ImportResult(_append(decided, reviewer), len(decided), len(rows) - len(decided))


def _append(rows: Sequence[dict[str, str]], reviewer: str) -> Path:
    """One new file `<UTC time>_<reviewer>.csv`, written to a temporary name and renamed."""
    now = datetime.now(UTC)
    name = f"{now.strftime('%Y%m%dT%H%M%S%fZ')}_{reviewer}.csv"
    folder = decisions_dir()
    folder.mkdir(parents=True, exist_ok=True)
    partial = folder / f".{name}.partial"
    with open(partial, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=DECISION_FILE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            cells = {column: (row.get(column) or "").strip() for column in DECISION_FILE_COLUMNS}
            for column in MULTI_VALUED:
                cells[column] = ";".join(split_values(cells[column]))
            writer.writerow(
                cells | {"reviewer": reviewer, "decided_at": now.isoformat(), "import_file": name}
            )
    target = folder / name
    if target.exists():  # append-only: never replace an earlier import
        partial.unlink()
        raise FileExistsError(target)
    os.replace(partial, target)
    return target
