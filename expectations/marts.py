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

The tables that grow with the history (fct_studies, fct_review_articles and the tags: the bridges
plus fct_studies.fm_type) are not read whole. One SQL query per suite, over the checked columns
only, returns the rows GX validates: every row of this update (first_review_version = the latest
review version) and every row of any version that may fail an expectation of the suite (a
duplicated key, a value outside its vocabulary, a tag of an unknown study, ...; the SQL flags a
superset and GX decides). The study ids the suites compare with (`value_set`) are those of the
included studies among the rows read, not all of them. Failure counts and examples are those of
the whole table; the row totals in Data Docs are those of the rows read. The small marts (one row
per version, window, period or cell), the seeds' key columns and dim_review_versions are read whole.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from expectations.config import marts_config
from expectations.runner import GateResult, GateSession
from livingreview.config import SOURCES, published_path, warehouse_path

if TYPE_CHECKING:
    import duckdb
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
# read whole: one row per review version, window, period or (modality, task) cell
SMALL_MARTS = tuple(name for name in MARTS if name.startswith(("mart_", "dim_")))
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
STUDY_DECISIONS = ("include",)
DECISION_ACTORS = ("rule", "model", "human")
REVIEW_DECISIONS = ("include", "exclude", "maybe")
# the column naming the update that first saw a study (fct_studies, fct_review_articles)
UPDATE_COLUMN = "first_review_version"


@dataclass
class MartFrames:
    """What the marts suites validate, as read from the warehouse.

    tables: the small marts whole, the seeds' key columns, and for fct_studies and
        fct_review_articles the rows to validate (this update's, and every row that may fail)
    study_tags: (dimension, study_id, value) rows to validate, chosen the same way
    known_study_ids: the included studies among the study ids of those review-article and tag rows
    """

    tables: dict[str, pd.DataFrame]
    study_tags: pd.DataFrame
    known_study_ids: list[str]


def gate_marts(warehouse: Path | None = None) -> GateResult:
    """Validate every contracted mart of the work warehouse (default `data/warehouse/work.duckdb`)."""
    warehouse = Path(warehouse or warehouse_path())
    if not warehouse.is_file():
        raise FileNotFoundError(f"no warehouse to validate at {warehouse} (run `livingreview build`)")
    frames, missing = read_marts(warehouse)
    session = GateSession("marts")
    if frames is not None:
        baseline = read_published_baseline(warehouse)
        for suite, frame in mart_checks(frames, baseline):
            session.validate(suite, frame, warehouse.name)
    result = session.finish()
    result.failed_expectations = [f"missing table {name} in {warehouse}" for name in missing]
    result.failed_expectations += session.failures
    result.success = not result.failed_expectations
    return result


def mart_checks(
    frames: MartFrames, baseline: pd.DataFrame | None
) -> list[tuple[ExpectationSuite, pd.DataFrame]]:
    """(suite, frame) pairs, in the order they run."""
    tables = frames.tables
    vocabularies = {
        dimension: sorted(tables[table][column].dropna().astype(str))
        for dimension, (table, column) in VOCABULARIES.items()
    }
    versions = sorted(tables["dim_review_versions"]["review_version"].dropna().astype(str))
    reasons = sorted(tables["exclusion_reasons"]["reason_code"].dropna().astype(str))
    trends = tables["mart_trends"]
    study_ids = frames.known_study_ids
    return [
        (fct_studies_suite(vocabularies, versions), tables["fct_studies"]),
        (review_articles_suite(reasons, study_ids), tables["fct_review_articles"]),
        (study_tags_suite(vocabularies, study_ids), frames.study_tags),
        (prisma_flow_suite(), prisma_flow_frame(tables["mart_prisma_flow"])),
        (included_trajectory_suite(), included_trajectory_frame(tables, baseline)),
        (trends_suite(vocabularies), trends),
        (share_sums_suite(), share_sums_frame(trends)),
        (dataset_utilization_suite(vocabularies["dataset"]), tables["mart_dataset_utilization"]),
        (evidence_coverage_suite(vocabularies), coverage_frame(tables["mart_evidence_coverage"])),
        (harvest_coverage_suite(), tables["mart_harvest_coverage"]),
    ]


# ---------------------------------------------------------------- reading


def read_marts(warehouse: Path) -> tuple[MartFrames | None, list[str]]:
    """The frames to validate (None when a contracted table is missing) and the missing tables,
    from a read-only connection closed before returning."""
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        connection.execute("set enable_progress_bar = false")
        columns: dict[str, list[str]] = {}
        for table, column in connection.execute(
            "select table_name, column_name from information_schema.columns"
            " where table_schema = current_schema() order by table_name, ordinal_position"
        ).fetchall():
            columns.setdefault(table, []).append(column)
        missing = [name for name in (*MARTS, *SEEDS) if name not in columns]
        if missing:
            return None, missing
        reader = MartReader(connection, columns)
        tables = {name: connection.sql(f'select * from "{name}"').df() for name in SMALL_MARTS}
        for table, column in (*VOCABULARIES.values(), ("exclusion_reasons", "reason_code")):
            tables[table] = reader.whole(table, [column])
        tables["fct_studies"] = reader.fct_studies()
        tables["fct_review_articles"] = reader.review_articles()
        study_tags = reader.study_tags()
        known = reader.included_among(
            [*tables["fct_review_articles"].get("study_id", []), *study_tags["study_id"]]
        )
    return MartFrames(tables, study_tags, known), []


def _quoted(values: Iterable[str]) -> str:
    return ", ".join("'" + str(value).replace("'", "''") + "'" for value in values)


def _outside(column: str, allowed: str) -> str:
    """SQL: `column` holds a value GX's value_set (of strings) would not accept. Null passes, as in
    GX; a value that is not a string never matches a set of strings."""
    return f"({column} is not null and (typeof({column}) <> 'VARCHAR' or {column} not in ({allowed})))"


def _vocabulary(dimension: str) -> str:
    """SQL: the dimension's vocabulary as strings (what `astype(str)` makes of the seed column)."""
    table, column = VOCABULARIES[dimension]
    return f'select cast("{column}" as varchar) from "{table}" where "{column}" is not null'


class MartReader:
    """The SQL of the marts that grow with the history: only the checked columns, and only the rows
    of this update plus every row that may fail (see the module docstring)."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, columns: dict[str, list[str]]) -> None:
        self.connection = connection
        self.columns = columns
        latest = connection.execute(
            "select review_version from dim_review_versions order by window_end desc nulls last limit 1"
        ).fetchall()
        self.latest_version = latest[0][0] if latest else None

    def whole(self, table: str, columns: list[str]) -> pd.DataFrame:
        return self.connection.sql(f'select {self._select(table, columns)} from "{table}"').df()

    def _select(self, table: str, columns: list[str]) -> str:
        """The named columns the table has (a missing one is left for GX to report)."""
        present = [column for column in columns if column in self.columns[table]]
        return ", ".join(f'"{column}"' for column in present) or "null as no_checked_column"

    def _rows(self, table: str, columns: list[str], rules: list[tuple[str, tuple[str, ...]]]) -> pd.DataFrame:
        """`columns` of the rows of this update and of those any rule flags; a rule is
        (SQL, the columns it reads) and is skipped when the table lacks one (GX reports it)."""
        have = set(self.columns[table])
        conditions = [sql for sql, needs in rules if set(needs) <= have]
        if UPDATE_COLUMN in have:
            conditions.append(f"{UPDATE_COLUMN} = $latest")
        where = "\n   or ".join(f"coalesce({condition}, true)" for condition in conditions) or "false"
        return self._query(f'select {self._select(table, columns)} from "{table}" where {where}')

    def _query(self, query: str) -> pd.DataFrame:
        parameters = {"latest": self.latest_version} if "$latest" in query else {}
        return self.connection.execute(query, parameters).df()

    def _duplicated(self, table: str, key: str) -> tuple[str, tuple[str, ...]]:
        """Rule: the key is null or shared by another row."""
        return (
            f'{key} is null or {key} in (select {key} from "{table}" group by {key} having count(*) > 1)',
            (key,),
        )

    def fct_studies(self) -> pd.DataFrame:
        columns = ["study_id", "title", "decision", "decision_actor", "fm_type", UPDATE_COLUMN]
        versions = "select review_version from dim_review_versions where review_version is not null"
        return self._rows(
            "fct_studies",
            columns,
            [
                self._duplicated("fct_studies", "study_id"),
                ("title is null", ("title",)),
                (_outside("decision", _quoted(STUDY_DECISIONS)), ("decision",)),
                (_outside("decision_actor", _quoted(DECISION_ACTORS)), ("decision_actor",)),
                (_outside("fm_type", _vocabulary("fm_type")), ("fm_type",)),
                (
                    _outside(UPDATE_COLUMN, f"select cast(review_version as varchar) from ({versions})"),
                    (UPDATE_COLUMN,),
                ),
            ],
        )

    def review_articles(self) -> pd.DataFrame:
        reasons = "select cast(reason_code as varchar) from exclusion_reasons where reason_code is not null"
        return self._rows(
            "fct_review_articles",
            ["study_id", "decision", "primary_reason"],
            [
                self._duplicated("fct_review_articles", "study_id"),
                (_outside("decision", _quoted(REVIEW_DECISIONS)), ("decision",)),
                (_outside("primary_reason", reasons), ("primary_reason",)),
                (  # pandas' `decision!="include"` holds for a null decision too
                    "decision is distinct from 'include'"
                    " and study_id in (select study_id from fct_studies where study_id is not null)",
                    ("study_id", "decision"),
                ),
            ],
        )

    def study_tags(self) -> pd.DataFrame:
        """Every tag assignment as (dimension, study_id, value): the bridges plus fct_studies.fm_type."""
        parts = [
            f"select '{dimension}' as dimension, study_id, \"{VOCABULARIES[dimension][1]}\" as value"
            f' from "{bridge}"'
            for bridge, dimension in BRIDGES.items()
        ]
        parts.append(
            "select 'fm_type' as dimension, study_id, fm_type as value"
            " from fct_studies where fm_type is not null"
        )
        vocabularies = " union all ".join(
            f"select '{dimension}' as dimension, value from ({_vocabulary(dimension)}) as vocabulary(value)"
            for dimension in VOCABULARIES
        )
        update = (
            f"study_id in (select study_id from fct_studies where {UPDATE_COLUMN} = $latest)"
            if UPDATE_COLUMN in self.columns["fct_studies"]
            else "false"
        )
        query = f"""
            with tags as ({" union all ".join(parts)}),
            vocabularies as (select distinct dimension, value from ({vocabularies})),
            flagged as (
                select
                    dimension,
                    study_id,
                    value,
                    coalesce(
                        {update}
                        or count(*) over (partition by dimension, study_id, value) > 1
                        or value is null
                        or study_id is null
                        or study_id not in (select study_id from fct_studies where study_id is not null)
                        or typeof(value) <> 'VARCHAR'
                        or not exists (
                            select 1 from vocabularies
                            where vocabularies.dimension = tags.dimension and vocabularies.value = tags.value
                        ),
                        true
                    ) as is_read
                from tags
            )
            select dimension, study_id, value from flagged where is_read
        """
        return self._query(query)

    def included_among(self, study_ids: list[Any]) -> list[str]:
        """Those of `study_ids` that are included studies (the value_set the suites compare with)."""
        wanted = sorted({str(study_id) for study_id in study_ids if study_id is not None})
        if not wanted:
            return []
        rows = self.connection.execute(
            "select distinct cast(study_id as varchar) from fct_studies"
            " where cast(study_id as varchar) in (select unnest($ids))",
            {"ids": wanted},
        ).fetchall()
        return sorted(row[0] for row in rows)


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
