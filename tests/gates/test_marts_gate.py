"""Gate 2: the marts suites pass on a consistent warehouse and each fails on the defect it guards.

Single-suite cases read the tables from a DuckDB file as the gate does (so the SQL that picks the
rows to validate is under test too) and validate only the suite under test (one GX validation
each, ~1 s); the whole gate runs on a DuckDB file twice (a pass and a missing table).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from expectations import gate_marts
from expectations.marts import mart_checks, read_marts
from expectations.runner import GateSession
from tests.gates.gate_inputs import VERSIONS, valid_marts, write_warehouse


def suite_failures(tables: dict[str, list[dict[str, Any]]], suite: str, baseline: Any = None) -> list[str]:
    """Failures of one marts suite on the given tables (no Data Docs rendering)."""
    with tempfile.TemporaryDirectory() as folder:
        frames, missing = read_marts(write_warehouse(Path(folder) / "work.duckdb", tables))
    assert frames is not None, missing
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


# ---------------------------------------------------------------- rows of earlier updates
# fct_studies, fct_review_articles and the tags are read as this update's rows (the latest review
# version) plus the rows the SQL flags as possibly failing. Each defect below sits in a row of the
# first version, so it is found only if the SQL flags it.


def test_only_this_updates_rows_are_read_from_a_consistent_warehouse(data_dir: Path) -> None:
    frames, missing = read_marts(write_warehouse(data_dir / "work.duckdb", valid_marts()))
    assert frames is not None, missing
    assert list(frames.tables["fct_studies"]["study_id"]) == ["s3"]  # first seen in VERSIONS[1]
    assert frames.tables["fct_review_articles"].empty  # r1 is of VERSIONS[0]
    tags = sorted(map(tuple, frames.study_tags.to_numpy().tolist()))
    assert tags == [("fm_type", "s3", "vision_only"), ("modality", "s3", "ct")]
    assert frames.known_study_ids == ["s3"]
    assert len(frames.tables["mart_prisma_flow"]) == 4  # small marts: whole


@pytest.mark.parametrize(
    ("table", "changes", "suite", "expected"),
    [
        ("fct_studies", {"title": None}, "marts_fct_studies", "to_not_be_null(title): 1 unexpected"),
        ("fct_studies", {"study_id": None}, "marts_fct_studies", "to_not_be_null(study_id): 1 unexpected"),
        ("fct_studies", {"decision": "maybe"}, "marts_fct_studies", "be_in_set(decision): 1 unexpected"),
        ("fct_studies", {"decision_actor": "oracle"}, "marts_fct_studies", "e.g. ['oracle']"),
        ("fct_studies", {"fm_type": "audio_only"}, "marts_fct_studies", "e.g. ['audio_only']"),
        ("fct_studies", {"first_review_version": "1999.01.04"}, "marts_fct_studies", "e.g. ['1999.01.04']"),
        ("fct_review_articles", {"primary_reason": "boredom"}, "marts_review_articles", "e.g. ['boredom']"),
        ("fct_review_articles", {"decision": "perhaps"}, "marts_review_articles", "e.g. ['perhaps']"),
        (
            "fct_review_articles",
            {"study_id": "s1"},  # an excluded review that is also an included study
            "marts_review_articles",
            "to_not_be_in_set(study_id): 1 unexpected, e.g. ['s1']",
        ),
        (
            "bridge_study_anatomies",
            {"anatomy": "elbow"},
            "marts_study_tags",
            "be_in_set(value): 1 unexpected",
        ),
        (
            "bridge_study_anatomies",
            {"anatomy": None},
            "marts_study_tags",
            "to_not_be_null(value): 1 unexpected",
        ),
    ],
)
def test_defect_in_a_row_of_an_earlier_update_fails(
    data_dir: Path, table: str, changes: dict[str, Any], suite: str, expected: str
) -> None:
    tables = valid_marts()
    assert tables[table][0]["study_id"] in ("s1", "r1")  # of VERSIONS[0]
    tables[table][0] = tables[table][0] | changes
    only_failure(suite_failures(tables, suite), expected)


def test_duplicate_tag_of_an_earlier_study_fails(data_dir: Path) -> None:
    tables = valid_marts()
    tables["bridge_study_modalities"].append(dict(tables["bridge_study_modalities"][0]))  # s1 x-ray
    only_failure(suite_failures(tables, "marts_study_tags"), "compound_columns_to_be_unique")


def test_duplicate_review_article_fails(data_dir: Path) -> None:
    tables = valid_marts()
    tables["fct_review_articles"].append(dict(tables["fct_review_articles"][0]))
    only_failure(
        suite_failures(tables, "marts_review_articles"), "expect_column_values_to_be_unique(study_id)"
    )
