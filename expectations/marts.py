"""Gate 2: the marts suites, over the work warehouse before it is published.

Each mart is read from the work DuckDB (opened read_only, closed before validating) into pandas.
Where GX has no expectation for a rule, the rule is computed in pandas as a check column and the
suite expects that column (e.g. `expected_records_screened`, `share_sum`, `required_minimum`).

  marts_fct_studies            keys unique, decision/actor/fm_type vocabularies, versions known
  marts_review_articles        keys unique, reason vocabulary, never also an included study
  marts_study_tags             bridge tables: (dimension, study, value) unique, values from the seeds
  marts_prisma_flow            PRISMA 2020 arithmetic, cumulative rows = running sums of updates
  marts_included_trajectory    cumulative included never drops without a recorded reason
  marts_trends                 keys unique, values from the seeds, shares within [0, 1]
  marts_trend_share_sums       shares sum to 1 per (period, dimension)
  marts_dataset_utilization    keys unique, datasets from the catalog
  marts_evidence_coverage      the full modality x task matrix, gaps flagged exactly
  marts_harvest_coverage       one row per (source, window), known sources
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from expectations.config import marts_config
from expectations.runner import GateResult, GateSession
from livingreview.config import SOURCES, published_path, warehouse_path

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations import ExpectationSuite

# tag dimension -> (vocabulary seed table, its key column)
VOCABULARIES = {
    "fm_type": ("fm_types", "fm_type"),
    "modality": ("modalities", "modality"),
    "task": ("tasks", "task"),
    "training_strategy": ("training_strategies", "training_strategy"),
    "anatomy": ("anatomies", "anatomy"),
    "dataset": ("medical_imaging_datasets", "dataset_id"),
}
# bridge table -> tag dimension (its value column is the vocabulary's key column)
BRIDGES = {
    "bridge_study_modalities": "modality",
    "bridge_study_tasks": "task",
    "bridge_study_training_strategies": "training_strategy",
    "bridge_study_anatomies": "anatomy",
    "bridge_study_datasets": "dataset",
}
MARTS = (
    "fct_studies",
    "fct_review_articles",
    "mart_prisma_flow",
    "mart_trends",
    "mart_dataset_utilization",
    "mart_evidence_coverage",
    "mart_harvest_coverage",
    "dim_review_versions",
    *BRIDGES,
)
SEEDS = (*dict.fromkeys(table for table, _ in VOCABULARIES.values()), "exclusion_reasons")
TREND_DIMENSIONS = ("fm_type", "modality", "task", "training_strategy", "anatomy")
PRISMA_COUNTS = (
    "identified_arxiv",
    "identified_medrxiv",
    "identified_biorxiv",
    "identified_europepmc",
    "records_identified",
    "duplicates_removed",
    "records_screened",
    "records_excluded",
    "excluded_by_automation",
    "excluded_by_humans",
    "awaiting_classification",
    "studies_included",
)
# PRISMA boxes whose cumulative row must equal the running sum of the update rows
PRISMA_RUNNING_SUMS = ("records_identified", "records_screened", "records_excluded", "studies_included")


def gate_marts(warehouse: Path | None = None) -> GateResult:
    """Validate every contracted mart of the work warehouse (default `data/warehouse/work.duckdb`)."""
    warehouse = Path(warehouse or warehouse_path())
    if not warehouse.is_file():
        raise FileNotFoundError(f"no warehouse to validate at {warehouse} (run `livingreview build`)")
    tables, missing = read_tables(warehouse, (*MARTS, *SEEDS))
    session = GateSession("marts")
    if not missing:
        baseline = read_published_baseline(warehouse)
        for suite, frame in mart_checks(tables, baseline):
            session.validate(suite, frame, warehouse.name)
    result = session.finish()
    result.failed_expectations = [f"missing table {name} in {warehouse}" for name in missing]
    result.failed_expectations += session.failures
    result.success = not result.failed_expectations
    return result


def mart_checks(
    tables: dict[str, pd.DataFrame], baseline: pd.DataFrame | None
) -> list[tuple[ExpectationSuite, pd.DataFrame]]:
    """(suite, frame) pairs, in the order they run."""
    vocabularies = {
        dimension: sorted(tables[table][column].dropna().astype(str))
        for dimension, (table, column) in VOCABULARIES.items()
    }
    study_ids = sorted(tables["fct_studies"]["study_id"].dropna().astype(str))
    versions = sorted(tables["dim_review_versions"]["review_version"].dropna().astype(str))
    reasons = sorted(tables["exclusion_reasons"]["reason_code"].dropna().astype(str))
    trends = tables["mart_trends"]
    return [
        (fct_studies_suite(vocabularies, versions), tables["fct_studies"]),
        (review_articles_suite(reasons, study_ids), tables["fct_review_articles"]),
        (study_tags_suite(vocabularies, study_ids), study_tags_frame(tables)),
        (prisma_flow_suite(), prisma_flow_frame(tables["mart_prisma_flow"])),
        (included_trajectory_suite(), included_trajectory_frame(tables, baseline)),
        (trends_suite(vocabularies), trends),
        (share_sums_suite(), share_sums_frame(trends)),
        (dataset_utilization_suite(vocabularies["dataset"]), tables["mart_dataset_utilization"]),
        (evidence_coverage_suite(vocabularies), coverage_frame(tables["mart_evidence_coverage"])),
        (harvest_coverage_suite(), tables["mart_harvest_coverage"]),
    ]


# ---------------------------------------------------------------- reading


def read_tables(warehouse: Path, names: tuple[str, ...]) -> tuple[dict[str, pd.DataFrame], list[str]]:
    """Every named table as a DataFrame, from a read-only connection closed before returning."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        present = {
            row[0]
            for row in connection.execute("select table_name from information_schema.tables").fetchall()
        }
        tables = {name: connection.sql(f'select * from "{name}"').df() for name in names if name in present}
    return tables, [name for name in names if name not in present]


def read_published_baseline(warehouse: Path) -> pd.DataFrame | None:
    """What the published warehouse says per review version (None before the first publication)."""
    import duckdb

    published = published_path()
    if not published.is_file() or published.resolve() == warehouse.resolve():
        return None
    query = """
        select versions.review_version, versions.criteria_version,
               versions.cumulative_studies_included, flow.excluded_by_humans
        from dim_review_versions as versions
        left join mart_prisma_flow as flow
            on flow.review_version = versions.review_version and flow.scope = 'cumulative'
    """
    with duckdb.connect(str(published), read_only=True) as connection:
        try:
            return connection.sql(query).df()
        except duckdb.CatalogException:  # published before these marts existed: no baseline
            return None


# ---------------------------------------------------------------- check frames


def study_tags_frame(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every tag assignment as (dimension, study_id, value): the bridges plus fct_studies.fm_type."""
    import pandas as pd

    parts = [
        tables[bridge].rename(columns={VOCABULARIES[dimension][1]: "value"}).assign(dimension=dimension)
        for bridge, dimension in BRIDGES.items()
    ]
    fm_types = tables["fct_studies"][["study_id", "fm_type"]].dropna(subset=["fm_type"])
    parts.append(fm_types.rename(columns={"fm_type": "value"}).assign(dimension="fm_type"))
    return pd.concat([part[["dimension", "study_id", "value"]] for part in parts], ignore_index=True)


def prisma_flow_frame(flow: pd.DataFrame) -> pd.DataFrame:
    """The flow plus what each box must equal by PRISMA arithmetic, and the running sums."""
    flow = flow.sort_values(["scope", "window_end"]).reset_index(drop=True)
    checks = flow.assign(
        expected_records_identified=flow[[f"identified_{source}" for source in SOURCES]].sum(axis=1),
        expected_records_screened=flow["records_identified"] - flow["duplicates_removed"],
        expected_records_excluded=flow["excluded_by_automation"] + flow["excluded_by_humans"],
        expected_studies_included=(
            flow["records_screened"] - flow["records_excluded"] - flow["awaiting_classification"]
        ),
    )
    updates = flow[flow["scope"] == "update"].set_index("review_version")
    for box in PRISMA_RUNNING_SUMS:
        running = updates[box].cumsum()
        checks[f"running_{box}"] = checks["review_version"].map(running)
    return checks


def included_trajectory_frame(tables: dict[str, pd.DataFrame], baseline: pd.DataFrame | None) -> pd.DataFrame:
    """Per review version, the cumulative included count and the least it may be.

    It may not fall below the previous version's count in this build, nor below what the published
    warehouse says for the same version, unless a reason is recorded: the screening criteria
    changed, human reviewers excluded more studies, or gates.yml lists the drop
    (`marts.recorded_included_drops`).
    """
    import pandas as pd

    versions = tables["dim_review_versions"].sort_values("window_end").reset_index(drop=True)
    flow = tables["mart_prisma_flow"]
    humans = flow[flow["scope"] == "cumulative"].set_index("review_version")["excluded_by_humans"]
    frame = versions[["review_version", "criteria_version", "cumulative_studies_included"]].copy()
    frame["excluded_by_humans"] = frame["review_version"].map(humans).fillna(0)
    frame["previous_included"] = frame["cumulative_studies_included"].shift(1)
    frame["published_included"] = pd.NA
    frame["drop_reason"] = None
    if baseline is not None:
        frame = _compare_with_published(frame, baseline)
    recorded = {
        str(item["review_version"]): item["reason"] for item in marts_config()["recorded_included_drops"]
    }
    explained = frame["review_version"].map(recorded)
    frame["drop_reason"] = frame["drop_reason"].where(frame["drop_reason"].notna(), explained)
    floor = pd.concat([frame["previous_included"], frame["published_included"]], axis=1).max(axis=1)
    frame["required_minimum"] = floor.where(frame["drop_reason"].isna(), 0).fillna(0).astype("int64")
    return frame


def _compare_with_published(frame: pd.DataFrame, baseline: pd.DataFrame) -> pd.DataFrame:
    published = baseline.set_index("review_version")
    frame["published_included"] = frame["review_version"].map(published["cumulative_studies_included"])
    criteria_before = frame["review_version"].map(published["criteria_version"])
    humans_before = frame["review_version"].map(published["excluded_by_humans"]).fillna(0)
    criteria_changed = criteria_before.notna() & (criteria_before != frame["criteria_version"])
    more_human_exclusions = frame["excluded_by_humans"] > humans_before
    frame.loc[more_human_exclusions, "drop_reason"] = "human reviewers excluded studies"
    frame.loc[criteria_changed, "drop_reason"] = "screening criteria changed: " + (
        criteria_before[criteria_changed].astype(str)
        + " -> "
        + frame.loc[criteria_changed, "criteria_version"]
    )
    return frame


def share_sums_frame(trends: pd.DataFrame) -> pd.DataFrame:
    keys = ["period_grain", "period_start", "dimension"]
    return trends.groupby(keys, as_index=False, dropna=False).agg(share_sum=("share", "sum"))


def coverage_frame(coverage: pd.DataFrame) -> pd.DataFrame:
    return coverage.assign(expected_is_gap=coverage["studies"] == 0)


# ---------------------------------------------------------------- suites


def _suite(name: str, expectations: list[Any]) -> ExpectationSuite:
    import great_expectations as gx

    return gx.ExpectationSuite(name=name, expectations=expectations)


def _unique_key(*columns: str) -> list[Any]:
    import great_expectations.expectations as gxe

    if len(columns) == 1:
        return [
            gxe.ExpectColumnValuesToNotBeNull(column=columns[0]),
            gxe.ExpectColumnValuesToBeUnique(column=columns[0]),
        ]
    return [gxe.ExpectCompoundColumnsToBeUnique(column_list=list(columns))]


def fct_studies_suite(vocabularies: dict[str, list[str]], versions: list[str]) -> ExpectationSuite:
    import great_expectations.expectations as gxe

    return _suite(
        "marts_fct_studies",
        [
            *_unique_key("study_id"),
            gxe.ExpectColumnValuesToNotBeNull(column="title"),
            gxe.ExpectColumnValuesToBeInSet(column="decision", value_set=["include"]),
            gxe.ExpectColumnValuesToBeInSet(column="decision_actor", value_set=["rule", "model", "human"]),
            gxe.ExpectColumnValuesToBeInSet(column="fm_type", value_set=vocabularies["fm_type"]),
            gxe.ExpectColumnValuesToBeInSet(column="first_review_version", value_set=versions),
        ],
    )


def review_articles_suite(reasons: list[str], study_ids: list[str]) -> ExpectationSuite:
    import great_expectations.expectations as gxe

    return _suite(
        "marts_review_articles",
        [
            *_unique_key("study_id"),
            gxe.ExpectColumnValuesToBeInSet(column="decision", value_set=["include", "exclude", "maybe"]),
            gxe.ExpectColumnValuesToBeInSet(column="primary_reason", value_set=reasons),
            # listed apart from the included studies, unless a human included the review itself
            gxe.ExpectColumnValuesToNotBeInSet(
                column="study_id",
                value_set=study_ids,
                row_condition='decision!="include"',
                condition_parser="pandas",
            ),
        ],
    )


def study_tags_suite(vocabularies: dict[str, list[str]], study_ids: list[str]) -> ExpectationSuite:
    import great_expectations.expectations as gxe

    per_dimension = [
        gxe.ExpectColumnValuesToBeInSet(
            column="value",
            value_set=values,
            row_condition=f'dimension=="{dimension}"',
            condition_parser="pandas",
        )
        for dimension, values in vocabularies.items()
    ]
    return _suite(
        "marts_study_tags",
        [
            *_unique_key("dimension", "study_id", "value"),
            gxe.ExpectColumnValuesToNotBeNull(column="value"),
            gxe.ExpectColumnValuesToBeInSet(column="dimension", value_set=list(VOCABULARIES)),
            gxe.ExpectColumnValuesToBeInSet(column="study_id", value_set=study_ids),
            *per_dimension,
        ],
    )


def prisma_flow_suite() -> ExpectationSuite:
    import great_expectations.expectations as gxe

    cumulative_only = {"row_condition": 'scope=="cumulative"', "condition_parser": "pandas"}
    arithmetic = [
        gxe.ExpectColumnPairValuesToBeEqual(column_A=box, column_B=f"expected_{box}")
        for box in ("records_identified", "records_screened", "records_excluded", "studies_included")
    ]
    running_sums = [
        gxe.ExpectColumnPairValuesToBeEqual(column_A=box, column_B=f"running_{box}", **cumulative_only)
        for box in PRISMA_RUNNING_SUMS
    ]
    return _suite(
        "marts_prisma_flow",
        [
            *_unique_key("review_version", "scope"),
            gxe.ExpectColumnValuesToBeInSet(column="scope", value_set=["update", "cumulative"]),
            *(gxe.ExpectColumnValuesToBeBetween(column=count, min_value=0) for count in PRISMA_COUNTS),
            *arithmetic,
            *running_sums,
        ],
    )


def included_trajectory_suite() -> ExpectationSuite:
    import great_expectations.expectations as gxe

    return _suite(
        "marts_included_trajectory",
        [
            *_unique_key("review_version"),
            gxe.ExpectColumnValuesToNotBeNull(column="cumulative_studies_included"),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="cumulative_studies_included", column_B="required_minimum", or_equal=True
            ),
        ],
    )


def trends_suite(vocabularies: dict[str, list[str]]) -> ExpectationSuite:
    import great_expectations.expectations as gxe

    per_dimension = [
        gxe.ExpectColumnValuesToBeInSet(
            column="value",
            value_set=vocabularies[dimension],
            row_condition=f'dimension=="{dimension}"',
            condition_parser="pandas",
        )
        for dimension in TREND_DIMENSIONS
    ]
    return _suite(
        "marts_trends",
        [
            *_unique_key("period_grain", "period_start", "dimension", "value"),
            gxe.ExpectColumnValuesToBeInSet(column="period_grain", value_set=["month", "quarter", "year"]),
            gxe.ExpectColumnValuesToBeInSet(column="dimension", value_set=list(TREND_DIMENSIONS)),
            *per_dimension,
            gxe.ExpectColumnValuesToBeBetween(column="share", min_value=0, max_value=1),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="studies_in_period", column_B="studies", or_equal=True
            ),
        ],
    )


def share_sums_suite() -> ExpectationSuite:
    import great_expectations.expectations as gxe

    tolerance = float(marts_config()["share_sum_tolerance"])
    return _suite(
        "marts_trend_share_sums",
        [
            gxe.ExpectColumnValuesToBeBetween(
                column="share_sum", min_value=1 - tolerance, max_value=1 + tolerance
            )
        ],
    )


def dataset_utilization_suite(datasets: list[str]) -> ExpectationSuite:
    import great_expectations.expectations as gxe

    return _suite(
        "marts_dataset_utilization",
        [
            *_unique_key("period_grain", "period_start", "dataset_id"),
            gxe.ExpectColumnValuesToBeInSet(column="dataset_id", value_set=datasets),
            gxe.ExpectColumnValuesToBeBetween(column="study_share", min_value=0, max_value=1),
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="studies_in_period", column_B="studies", or_equal=True
            ),
        ],
    )


def evidence_coverage_suite(vocabularies: dict[str, list[str]]) -> ExpectationSuite:
    import great_expectations.expectations as gxe

    cells = len(vocabularies["modality"]) * len(vocabularies["task"])
    return _suite(
        "marts_evidence_coverage",
        [
            *_unique_key("modality", "task"),
            gxe.ExpectTableRowCountToEqual(value=cells),  # zero cells included, so gaps show
            gxe.ExpectColumnValuesToBeInSet(column="modality", value_set=vocabularies["modality"]),
            gxe.ExpectColumnValuesToBeInSet(column="task", value_set=vocabularies["task"]),
            gxe.ExpectColumnValuesToBeBetween(column="studies", min_value=0),
            gxe.ExpectColumnPairValuesToBeEqual(column_A="is_gap", column_B="expected_is_gap"),
        ],
    )


def harvest_coverage_suite() -> ExpectationSuite:
    import great_expectations.expectations as gxe

    return _suite(
        "marts_harvest_coverage",
        [
            *_unique_key("source", "window_start"),
            gxe.ExpectColumnValuesToBeInSet(column="source", value_set=list(SOURCES)),
            gxe.ExpectColumnValuesToNotBeNull(column="was_searched"),
        ],
    )
