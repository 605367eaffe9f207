"""Everything the report reads, in one place: small queries over the published marts.

The warehouse is opened read-only (the published file is replaced atomically by `publish`; a
reader never writes). Each function returns a small DataFrame or dict shaped for one section.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

TAG_DIMENSIONS = {
    "modality": "Modality",
    "task": "Clinical task",
    "training_strategy": "Training strategy",
}
TOP_DATASETS = 15
SEARCH_RUNS_VIEW = "stg_landing__search_runs"


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    if not Path(path).is_file():
        raise FileNotFoundError(f"no warehouse at {path} (run the weekly refresh, or pass --warehouse)")
    return duckdb.connect(str(path), read_only=True)


def scalar(connection: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    # fetchall, not fetchone: DuckDB 2 keeps a half-read result open and refuses the next query
    return connection.execute(sql, params or []).fetchall()[0][0]


def frame(connection: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
    return connection.execute(sql, params or []).df()


def latest_version(connection: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The newest row of dim_review_versions: the update this report describes."""
    rows = frame(connection, "select * from dim_review_versions order by window_end desc limit 1")
    if rows.empty:
        raise LookupError("dim_review_versions is empty: nothing has been built yet")
    return rows.iloc[0].to_dict()


def prisma_flow(connection: duckdb.DuckDBPyConnection, window_end: Any) -> dict[str, dict[str, int]]:
    """{'update': {...}, 'cumulative': {...}}: the PRISMA boxes of one update, as integers."""
    rows = frame(connection, "select * from mart_prisma_flow where window_end = ?", [window_end])
    counts = rows.drop(columns=["review_version", "window_end", "scope"])
    return {
        scope: {column: int(value) for column, value in counts.loc[rows["scope"] == scope].iloc[0].items()}
        for scope in ("update", "cumulative")
    }


def new_studies(connection: duckdb.DuckDBPyConnection, window_end: Any) -> pd.DataFrame:
    """Studies that entered the review in this update."""
    return frame(
        connection,
        """
        select title, url, sources, fm_type, modalities, tasks, decision_actor,
               strftime(first_seen_at, '%Y-%m-%d') as first_seen
        from fct_studies
        where first_harvested_window_end = ?
        order by first_seen_at desc, title
        """,
        [window_end],
    )


def included_study_count(connection: duckdb.DuckDBPyConnection) -> int:
    return scalar(connection, "select count(*) from fct_studies")


def review_articles(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return frame(
        connection,
        """
        select title, url, sources, strftime(first_seen_at, '%Y-%m-%d') as first_seen, first_review_version
        from fct_review_articles
        order by first_seen_at desc, title
        """,
    )


def trend_grain(connection: duckdb.DuckDBPyConnection) -> str:
    """Quarters when the studies span at least two of them, else months (a one-bar chart says nothing)."""
    quarters = scalar(
        connection, "select count(distinct period_start) from mart_trends where period_grain = 'quarter'"
    )
    return "quarter" if quarters >= 2 else "month"


def fm_type_trend(connection: duckdb.DuckDBPyConnection, grain: str) -> pd.DataFrame:
    """period, period_start, fm_type, studies, share (of the period's studies)."""
    return frame(
        connection,
        """
        select period_label as period, period_start, value as fm_type, studies, study_share as share
        from mart_trends
        where dimension = 'fm_type' and period_grain = ?
        order by period_start, value
        """,
        [grain],
    )


def vision_language_share(fm_types: pd.DataFrame) -> pd.DataFrame:
    """One row per period: the vision-language share (0 when a period has none)."""
    periods = fm_types[["period", "period_start"]].drop_duplicates()
    language = fm_types.loc[fm_types["fm_type"] == "vision_language", ["period", "share", "studies"]]
    merged = periods.merge(language, on="period", how="left")
    return merged.fillna({"share": 0.0, "studies": 0})


def tag_trend(connection: duckdb.DuckDBPyConnection, dimension: str, grain: str) -> pd.DataFrame:
    return frame(
        connection,
        """
        select period_label as period, period_start, value, studies
        from mart_trends
        where dimension = ? and period_grain = ?
        """,
        [dimension, grain],
    )


def dataset_utilization(connection: duckdb.DuckDBPyConnection, top: int = TOP_DATASETS) -> pd.DataFrame:
    """The most used datasets overall × year."""
    return frame(
        connection,
        """
        with yearly as (
            select coalesce(dataset_name, dataset_id) as dataset, period_label as year, studies
            from mart_dataset_utilization
            where period_grain = 'year'
        ),
        top_datasets as (
            select dataset from yearly group by dataset order by sum(studies) desc, dataset limit ?
        )
        select yearly.* from yearly inner join top_datasets using (dataset)
        """,
        [top],
    )


def evidence_coverage(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return frame(connection, "select modality, task, studies, is_gap from mart_evidence_coverage")


def harvest_coverage(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """source × week with a status a colour can show: complete, shortfall, failed, not searched."""
    rows = frame(
        connection,
        """
        select source, strftime(window_start, '%Y-%m-%d') as week, was_searched, run_status,
               api_reported_total as reported, retrieved, has_shortfall,
               days_since_last_successful_harvest as days_since_success
        from mart_harvest_coverage
        order by source, window_start
        """,
    )
    rows["status"] = [
        harvest_status(searched, status, shortfall)
        for searched, status, shortfall in zip(
            rows["was_searched"], rows["run_status"], rows["has_shortfall"], strict=True
        )
    ]
    rows["retrieved_label"] = rows["retrieved"].map(lambda n: "" if pd.isna(n) else str(int(n)))
    return rows


def harvest_status(was_searched: bool, run_status: str | None, has_shortfall: bool) -> str:
    if not was_searched:
        return "not searched"
    if run_status != "succeeded":
        return "failed"
    return "shortfall" if has_shortfall else "complete"


@dataclass(frozen=True)
class SearchRuns:
    """The PRISMA-S log, or why it could not be read (it is a view over the landing run.json files)."""

    rows: pd.DataFrame | None
    error: str | None


def search_runs(connection: duckdb.DuckDBPyConnection) -> SearchRuns:
    try:
        rows = frame(
            connection,
            f"""
            select source, strftime(window_start, '%Y-%m-%d') as window_start,
                   strftime(window_end, '%Y-%m-%d') as window_end, endpoint, query,
                   cast(params as varchar) as params,
                   strftime(started_at, '%Y-%m-%d %H:%M:%S') as started_at,
                   strftime(finished_at, '%Y-%m-%d %H:%M:%S') as finished_at,
                   api_reported_total, retrieved, pages, retries, status,
                   protocol_version, code_version
            from {SEARCH_RUNS_VIEW}
            order by window_start desc, source
            """,
        )
    except duckdb.Error as error:
        return SearchRuns(None, f"{SEARCH_RUNS_VIEW} could not be read: {error}")
    return SearchRuns(rows, None)
