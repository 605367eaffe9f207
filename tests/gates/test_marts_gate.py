"""Gate 2: the marts suites pass on a consistent warehouse and each fails on the defect it guards.

Single-suite cases validate only the suite under test (one GX validation each, ~1 s); the
whole gate runs on a DuckDB file twice (a pass and a missing table).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from expectations import gate_marts
from expectations.marts import mart_checks
from expectations.runner import GateSession
from tests.gates.gate_inputs import VERSIONS, valid_marts, write_warehouse


def suite_failures(tables: dict[str, list[dict[str, Any]]], suite: str, baseline: Any = None) -> list[str]:
    """Failures of one marts suite on the given tables (no Data Docs rendering)."""
    frames = {name: pd.DataFrame(rows) for name, rows in tables.items()}
    session = GateSession("marts-test")
    checks = [(expectations, frame) for expectations, frame in mart_checks(frames, baseline)]
    matching = [(expectations, frame) for expectations, frame in checks if expectations.name == suite]
    assert matching, f"no suite {suite}"
    for expectations, frame in matching:
        session.validate(expectations, frame, "test")
    return session.failures


def only_failure(failures: list[str], expected: str) -> None:
    assert len(failures) == 1, failures
    assert expected in failures[0], failures[0]


def test_consistent_warehouse_passes_every_suite(data_dir: Path) -> None:
    warehouse = write_warehouse(data_dir / "warehouse" / "work.duckdb", valid_marts())
    result = gate_marts(warehouse)
    assert result.success, result.failed_expectations
    assert result.validations == 10
    assert result.data_docs_path.is_file()


def test_missing_mart_fails_without_validating(data_dir: Path) -> None:
    tables = valid_marts()
    del tables["mart_prisma_flow"]
    warehouse = write_warehouse(data_dir / "warehouse" / "work.duckdb", tables)
    result = gate_marts(warehouse)
    assert not result.success
    assert result.failed_expectations == [f"missing table mart_prisma_flow in {warehouse}"]


def test_duplicate_study_key_fails(data_dir: Path) -> None:
    tables = valid_marts()
    tables["fct_studies"].append(dict(tables["fct_studies"][0]))
    only_failure(suite_failures(tables, "marts_fct_studies"), "expect_column_values_to_be_unique(study_id)")


def test_unknown_vocabulary_value_fails(data_dir: Path) -> None:
    tables = valid_marts()
    tables["bridge_study_modalities"].append({"study_id": "s3", "modality": "sonar"})
    only_failure(suite_failures(tables, "marts_study_tags"), "be_in_set(value): 1 unexpected, e.g. ['sonar']")


def test_tag_of_an_unknown_study_fails(data_dir: Path) -> None:
    tables = valid_marts()
    tables["bridge_study_tasks"].append({"study_id": "ghost", "task": "segmentation"})
    only_failure(
        suite_failures(tables, "marts_study_tags"), "be_in_set(study_id): 1 unexpected, e.g. ['ghost']"
    )


def test_broken_prisma_arithmetic_fails(data_dir: Path) -> None:
    tables = valid_marts()
    tables["mart_prisma_flow"][2]["studies_included"] += 1  # the second update claims one more study
    failures = suite_failures(tables, "marts_prisma_flow")
    assert any("(studies_included vs expected_studies_included): 1 unexpected" in f for f in failures), (
        failures
    )
    # the cumulative row no longer equals the running sum of the updates either
    assert any("(studies_included vs running_studies_included): 1 unexpected" in f for f in failures), (
        failures
    )


def test_identified_not_summing_over_sources_fails(data_dir: Path) -> None:
    tables = valid_marts()
    tables["mart_prisma_flow"][0]["identified_arxiv"] += 1
    failures = suite_failures(tables, "marts_prisma_flow")
    assert failures and all("records_identified" in failure for failure in failures), failures


def test_cumulative_included_dropping_fails(data_dir: Path) -> None:
    tables = valid_marts()
    tables["dim_review_versions"][1]["cumulative_studies_included"] = 1  # 2 -> 1
    only_failure(
        suite_failures(tables, "marts_included_trajectory"),
        "(cumulative_studies_included vs required_minimum): 1 unexpected, e.g. [(1, 2)]",
    )


def test_drop_against_the_published_version_fails_unless_criteria_changed(data_dir: Path) -> None:
    published = pd.DataFrame(
        {
            "review_version": list(VERSIONS),
            "criteria_version": ["c1", "c1"],
            "cumulative_studies_included": [2, 4],  # the published build had one more study
            "excluded_by_humans": [0, 1],
        }
    )
    tables = valid_marts()
    only_failure(
        suite_failures(tables, "marts_included_trajectory", published),
        "e.g. [(3, 4)]",
    )
    published["criteria_version"] = ["c0", "c0"]  # a re-screen under new criteria is a recorded reason
    assert suite_failures(tables, "marts_included_trajectory", published) == []


def test_shares_not_summing_to_one_fail(data_dir: Path) -> None:
    tables = valid_marts()
    tables["mart_trends"][0]["share"] = 0.5  # modality shares now sum to 0.5 + 1/3
    only_failure(suite_failures(tables, "marts_trend_share_sums"), "be_between(share_sum): 1 unexpected")


def test_coverage_matrix_without_zero_cells_fails(data_dir: Path) -> None:
    tables = valid_marts()
    tables["mart_evidence_coverage"] = [row for row in tables["mart_evidence_coverage"] if row["studies"]]
    only_failure(suite_failures(tables, "marts_evidence_coverage"), "expect_table_row_count_to_equal")


def test_gap_flag_contradicting_the_count_fails(data_dir: Path) -> None:
    tables = valid_marts()
    tables["mart_evidence_coverage"][0]["is_gap"] = True  # x-ray x segmentation has a study
    only_failure(suite_failures(tables, "marts_evidence_coverage"), "(is_gap vs expected_is_gap)")


@pytest.mark.parametrize(
    ("table", "row", "suite", "expected"),
    [
        ("mart_trends", {"dimension": "task", "value": "telepathy"}, "marts_trends", "['telepathy']"),
        ("mart_dataset_utilization", {"dataset_id": "imagenet"}, "marts_dataset_utilization", "['imagenet']"),
        ("mart_harvest_coverage", {"source": "pubmed"}, "marts_harvest_coverage", "['pubmed']"),
    ],
)
def test_values_outside_the_vocabularies_fail(
    data_dir: Path, table: str, row: dict[str, Any], suite: str, expected: str
) -> None:
    tables = valid_marts()
    tables[table][0] = tables[table][0] | row
    failures = suite_failures(tables, suite)
    assert any(expected in failure for failure in failures), failures
