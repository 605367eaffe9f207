"""`livingreview screen`: the pipeline's screening on any JSONL file of records.

The rules are `livingreview.screening` (the dbt macro, rendered and run in DuckDB); the model vote is
`livingreview.prioritisation` (the current trained model, when there is one). Nothing here decides
anything: it validates the input, hands it to those two, and writes one line per record.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import msgspec

REQUIRED_TEXT_FIELDS = ("title", "abstract")
OUTPUT_FIELDS = (
    "id", "decision", "score", "reasons", "actor", "fm_type", "modalities", "tasks", "training_strategies",
    "datasets", "criteria_version", "model_version", "rule_decision", "rule_score", "model_score",
)  # fmt: skip
MODEL_BATCH = 5_000
ARROW_BATCH_ROWS = 8_192  # rows per Arrow record batch handed to DuckDB (its unit of parallel scan)
_DECODER, _ENCODER = msgspec.json.Decoder(), msgspec.json.Encoder()
PROGRESS_FROM = 10_000  # records; smaller inputs finish before a progress line would help


class InputError(ValueError):
    """The input file is not a JSONL file of records (the message names the line)."""


def _check_record(record: Any, line: int) -> dict[str, Any]:
    if not isinstance(record, dict):
        raise InputError(f"line {line}: expected a JSON object, got {type(record).__name__}")
    record_id = record.get("id")
    if isinstance(record_id, bool) or not isinstance(record_id, str | int) or str(record_id).strip() == "":
        raise InputError(f"line {line}: missing or empty field 'id'")
    for name in REQUIRED_TEXT_FIELDS:
        if not isinstance(record.get(name), str):
            problem = "missing field" if record.get(name) is None else "field must be a string:"
            raise InputError(f"line {line} (id {record_id}): {problem} '{name}'")
    categories = record.get("categories")
    if categories is not None and not (
        isinstance(categories, list) and all(isinstance(c, str) for c in categories)
    ):
        raise InputError(f"line {line} (id {record_id}): 'categories' must be a list of strings")
    return {"id": str(record_id), "title": record["title"], "abstract": record["abstract"]}


def _parse_line(line: str, line_number: int) -> Any:
    """msgspec's decoder (several times faster); what it refuses, the standard library decides, so
    the accepted input (NaN, say) and the error messages are json's. json also accepts an escaped
    lone surrogate ("\\ud800"), which is no text DuckDB or the output could hold: refused here."""
    try:
        return _DECODER.decode(line)
    except msgspec.DecodeError:
        pass
    try:
        value = json.loads(line)
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except json.JSONDecodeError as error:
        raise InputError(f"line {line_number}: invalid JSON ({error.msg} at column {error.colno})") from None
    except UnicodeEncodeError:
        raise InputError(f"line {line_number}: a lone surrogate escape is not Unicode text") from None
    return value


def read_records(handle: TextIO) -> Iterator[dict[str, Any]]:
    """Validated records of a JSONL stream (blank lines skipped); InputError on the first bad line."""
    seen: dict[str, int] = {}
    for line_number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        record = _check_record(_parse_line(line, line_number), line_number)
        if record["id"] in seen:
            raise InputError(
                f"line {line_number}: duplicate id {record['id']!r} (first on line {seen[record['id']]})"
            )
        seen[record["id"]] = line_number
        yield record


def load_records(path: Path) -> list[dict[str, Any]]:
    try:
        with open(path, encoding="utf-8") as handle:
            return list(read_records(handle))
    except UnicodeDecodeError as error:
        raise InputError(f"{path}: not UTF-8 text ({error.reason})") from None


def rule_screen(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rule screening and tags of each record, in input order (an Arrow table into DuckDB)."""
    import duckdb
    import pyarrow as pa

    from livingreview import screening

    table = pa.table(
        {
            "position": pa.array(range(len(records)), pa.int64()),
            "study_id": [r["id"] for r in records],
            "title": [r["title"] for r in records],
            "abstract": [r["abstract"] for r in records],
        }
    )
    # DuckDB scans an Arrow table in parallel by record batch: one batch would use one core.
    table = pa.Table.from_batches(table.to_batches(max_chunksize=ARROW_BATCH_ROWS), table.schema)
    con = duckdb.connect()
    con.register("input_records", table)
    sql = screening.render_screening_sql("input_records", screening.load_criteria())
    result = con.sql(
        f"select screened.* from ({sql}) as screened "
        "inner join input_records using (study_id) order by input_records.position"
    )
    return result.to_arrow_table().to_pylist()


def model_probabilities(model: Any, records: Sequence[dict[str, Any]], progress: bool) -> list[float]:
    from tqdm import tqdm

    from livingreview.prioritisation import record_text

    probabilities: list[float] = []
    with tqdm(total=len(records), desc="model", unit="rec", disable=not progress, file=sys.stderr) as bar:
        for start in range(0, len(records), MODEL_BATCH):
            batch = records[start : start + MODEL_BATCH]
            probabilities += model.probabilities([record_text(r["title"], r["abstract"]) for r in batch])
            bar.update(len(batch))
    return probabilities


def output_row(rule: dict[str, Any], model: Any, probability: float | None) -> dict[str, Any]:
    decision = rule["decision"] if model is None else model.vote(rule["decision"], probability)
    return {
        "id": rule["study_id"],
        "decision": decision,
        "score": rule["score"] if model is None else round(probability, 4),
        "reasons": [] if decision == "include" else list(rule["reasons"]),
        "actor": "rule" if decision == rule["decision"] else "model",
        "fm_type": rule["fm_type"],
        "modalities": rule["modalities"],
        "tasks": rule["tasks"],
        "training_strategies": rule["training_strategies"],
        "datasets": rule["datasets"],
        "criteria_version": rule["criteria_version"],
        "model_version": None if model is None else model.version,
        "rule_decision": rule["decision"],
        "rule_score": rule["score"],
        "model_score": None if model is None else round(probability, 4),
    }


def screen(
    records: Sequence[dict[str, Any]], model: Any = None, progress: bool = False
) -> list[dict[str, Any]]:
    """Rules, then (when a model is given) its vote; one output dict per record, input order."""
    rules = rule_screen(records)
    probabilities = (
        model_probabilities(model, records, progress) if model is not None else [None] * len(rules)
    )
    return [output_row(rule, model, p) for rule, p in zip(rules, probabilities, strict=True)]


def write_jsonl(rows: Sequence[dict[str, Any]], path: Path) -> None:
    """All lines to a temporary file beside `path`, then one rename: never a partial output."""
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        with open(partial, "wb") as handle:
            for row in rows:
                handle.write(_ENCODER.encode({name: row[name] for name in OUTPUT_FIELDS}) + b"\n")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
