"""Hand-made landing windows and marts warehouses for the gate tests.

Small on purpose: each test breaks one thing in an otherwise valid input and checks that exactly
the expectation guarding it fails.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from ingestion.contract import RUN_FIELDS, search_run_id, window_key
from ingestion.landing_writer import serialize_records
from ingestion.normalize import make_record

WEEK = timedelta(days=7)


def arxiv_record(number: int, start: date, **changes: Any) -> dict[str, Any]:
    day = (start + timedelta(days=number % 7)).isoformat()
    fields = {
        "source": "arxiv",
        "source_id": f"2510.{10000 + number}",
        "version": 1,
        "title": f"A foundation model for chest X-ray number {number}",
        "abstract": "We pretrain a vision-language model on radiographs.",
        "authors": ["A. Author"],
        "categories": ["cs.CV"],
        "primary_category": "cs.CV",
        "published_at": f"{day}T12:00:00Z",
        "updated_at": f"{day}T12:00:00Z",
        "url": f"https://arxiv.org/abs/2510.{10000 + number}v1",
        "search_run_id": search_run_id("arxiv", start, start + WEEK),
    }
    return make_record(**(fields | changes))


def write_window(
    landing: Path,
    start: date,
    records: list[dict[str, Any]],
    source: str = "arxiv",
    raw_lines: list[str] | None = None,
    **run_changes: Any,
) -> Path:
    """`<landing>/<source>/<start>_<start+7d>/` with records.jsonl (or raw lines) and run.json."""
    end = start + WEEK
    folder = landing / source / window_key(start, end)
    folder.mkdir(parents=True)
    lines = raw_lines if raw_lines is not None else serialize_records(records)
    (folder / "records.jsonl").write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    count = len(lines)
    run = {name: None for name in RUN_FIELDS} | {
        "search_run_id": search_run_id(source, start, end),
        "run_uuid": f"run-{start}",
        "source": source,
        "endpoint": "http://127.0.0.1/api/query",
        "query": "cat:cs.CV",
        "params": {"max_results": 100},
        "window_start": f"{start}T00:00:00Z",
        "window_end": f"{end}T00:00:00Z",
        "api_reported_total": count,
        "retrieved": count,
        "pages": 1,
        "requests": 1,
        "retries": 0,
        "http_errors": [],
        "status": "succeeded",
        "protocol_version": "test",
        "code_version": "test",
    }
    (folder / "run.json").write_text(json.dumps(run | run_changes), encoding="utf-8")
    return folder


# ---------------------------------------------------------------- a valid marts warehouse

VERSIONS = ("2025.10.13", "2025.10.20")
MODALITIES = ("x-ray", "ct", "mri")
TASKS = ("segmentation", "classification")


def prisma_row(version: str, scope: str, identified: tuple[int, int, int, int], **boxes: int) -> dict:
    return {
        "review_version": version,
        "window_end": date.fromisoformat(version.replace(".", "-")),
        "scope": scope,
        "identified_arxiv": identified[0],
        "identified_medrxiv": identified[1],
        "identified_biorxiv": identified[2],
        "identified_europepmc": identified[3],
        "records_identified": sum(identified),
        **boxes,
    }


def valid_marts() -> dict[str, list[dict[str, Any]]]:
    """Tables shaped like the dbt marts (issue 3), tiny and internally consistent."""
    update_a = {
        "duplicates_removed": 4,
        "records_screened": 12,
        "records_excluded": 8,
        "excluded_by_automation": 8,
        "excluded_by_humans": 0,
        "awaiting_classification": 2,
        "studies_included": 2,
    }
    update_b = {
        "duplicates_removed": 2,
        "records_screened": 6,
        "records_excluded": 4,
        "excluded_by_automation": 3,
        "excluded_by_humans": 1,
        "awaiting_classification": 1,
        "studies_included": 1,
    }
    cumulative_b = {box: update_a[box] + update_b[box] for box in update_a}
    study = {"decision": "include", "decision_actor": "rule", "criteria_version": "c1"}
    trend = {"period_grain": "month", "period_start": date(2025, 10, 1), "period_label": "2025-10"}
    return {
        "fm_types": [{"fm_type": "vision_only"}, {"fm_type": "vision_language"}],
        "modalities": [{"modality": value} for value in MODALITIES],
        "tasks": [{"task": value} for value in TASKS],
        "training_strategies": [{"training_strategy": "contrastive"}, {"training_strategy": "peft"}],
        "anatomies": [{"anatomy": "chest"}, {"anatomy": "brain"}],
        "medical_imaging_datasets": [{"dataset_id": "mimic_cxr"}, {"dataset_id": "brats"}],
        "exclusion_reasons": [{"reason_code": "review_article"}, {"reason_code": "off_topic"}],
        "fct_studies": [
            {
                "study_id": "s1",
                "title": "MedCLIP",
                "fm_type": "vision_language",
                "first_review_version": VERSIONS[0],
            }
            | study,
            {
                "study_id": "s2",
                "title": "MedSAM",
                "fm_type": "vision_only",
                "first_review_version": VERSIONS[0],
            }
            | study,
            {
                "study_id": "s3",
                "title": "RadFM",
                "fm_type": "vision_only",
                "first_review_version": VERSIONS[1],
            }
            | study,
        ],
        "fct_review_articles": [
            {
                "study_id": "r1",
                "decision": "exclude",
                "primary_reason": "review_article",
                "first_review_version": VERSIONS[0],
            }
        ],
        "bridge_study_modalities": [
            {"study_id": "s1", "modality": "x-ray"},
            {"study_id": "s2", "modality": "x-ray"},
            {"study_id": "s3", "modality": "ct"},
        ],
        "bridge_study_tasks": [
            {"study_id": "s1", "task": "classification"},
            {"study_id": "s2", "task": "segmentation"},
        ],
        "bridge_study_training_strategies": [{"study_id": "s1", "training_strategy": "contrastive"}],
        "bridge_study_anatomies": [{"study_id": "s1", "anatomy": "chest"}],
        "bridge_study_datasets": [{"study_id": "s1", "dataset_id": "mimic_cxr"}],
        "mart_prisma_flow": [
            prisma_row(VERSIONS[0], "update", (10, 2, 1, 3), **update_a),
            prisma_row(VERSIONS[0], "cumulative", (10, 2, 1, 3), **update_a),
            prisma_row(VERSIONS[1], "update", (5, 1, 0, 2), **update_b),
            prisma_row(VERSIONS[1], "cumulative", (15, 3, 1, 5), **cumulative_b),
        ],
        "dim_review_versions": [
            {
                "review_version": VERSIONS[0],
                "window_end": date(2025, 10, 13),
                "criteria_version": "c1",
                "cumulative_studies_included": 2,
            },
            {
                "review_version": VERSIONS[1],
                "window_end": date(2025, 10, 20),
                "criteria_version": "c1",
                "cumulative_studies_included": 3,
            },
        ],
        "mart_trends": [
            trend
            | {
                "dimension": "modality",
                "value": "x-ray",
                "studies": 2,
                "studies_in_period": 3,
                "share": 2 / 3,
                "study_share": 2 / 3,
            },
            trend
            | {
                "dimension": "modality",
                "value": "ct",
                "studies": 1,
                "studies_in_period": 3,
                "share": 1 / 3,
                "study_share": 1 / 3,
            },
            trend
            | {
                "dimension": "fm_type",
                "value": "vision_only",
                "studies": 2,
                "studies_in_period": 3,
                "share": 2 / 3,
                "study_share": 2 / 3,
            },
            trend
            | {
                "dimension": "fm_type",
                "value": "vision_language",
                "studies": 1,
                "studies_in_period": 3,
                "share": 1 / 3,
                "study_share": 1 / 3,
            },
        ],
        "mart_dataset_utilization": [
            trend | {"dataset_id": "mimic_cxr", "studies": 1, "studies_in_period": 3, "study_share": 1 / 3}
        ],
        "mart_evidence_coverage": [
            {
                "modality": modality,
                "task": task,
                "studies": int(modality == "x-ray"),
                "is_gap": modality != "x-ray",
            }
            for modality in MODALITIES
            for task in TASKS
        ],
        "mart_harvest_coverage": [
            {
                "source": "arxiv",
                "window_start": date(2025, 10, 6),
                "window_end": date(2025, 10, 13),
                "was_searched": True,
            },
            {
                "source": "arxiv",
                "window_start": date(2025, 10, 13),
                "window_end": date(2025, 10, 20),
                "was_searched": True,
            },
        ],
    }


def write_warehouse(path: Path, tables: dict[str, list[dict[str, Any]]]) -> Path:
    """A DuckDB file with one table per entry (what dbt would have built)."""
    import duckdb
    import pandas as pd

    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as connection:
        for name, rows in tables.items():
            frame = pd.DataFrame(rows)  # noqa: F841 (read by name in the SQL below)
            connection.execute(f'create or replace table "{name}" as select * from frame')
    return path
