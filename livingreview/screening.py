"""Rule screening and tagging outside dbt: the SAME macro the dbt models run, rendered with jinja2.

`dbt_project/macros/screening.sql` holds the one implementation (plain Jinja, no dbt builtins). The
dbt models feed it the seeds through `run_query`; here we feed it the same seed CSV files and run the
rendered SQL in DuckDB on any table (a JSONL file read with `read_json`, an Arrow table, a warehouse
table); `livingreview screen` (livingreview/screen_file.py) is built on it.

The criteria are the screening/tagging seeds plus the macro itself. Their sha256 is recorded next to
each criteria version in `seeds/screening_criteria_versions.csv`; `check_criteria_version()` refuses to
run when they changed without a new version row, so no decision is ever stamped with a stale version.
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from livingreview import config

# Files whose content decides screening and tagging, hashed in this order.
CRITERIA_SEEDS = (
    "screening_terms.csv",
    "tag_terms.csv",
    "medical_imaging_datasets.csv",
    "fm_types.csv",
    "modalities.csv",
    "tasks.csv",
    "training_strategies.csv",
    "anatomies.csv",
    "exclusion_reasons.csv",
)
VERSIONS_SEED = "screening_criteria_versions.csv"
MACRO_FILE = "screening.sql"


class CriteriaVersionError(RuntimeError):
    """The screening seeds or macro changed without a new row in the criteria versions seed."""


def _project(project_dir: Path | None) -> Path:
    return project_dir or config.dbt_project_dir()


def _criteria_files(project_dir: Path | None = None) -> list[Path]:
    project = _project(project_dir)
    return [project / "seeds" / name for name in CRITERIA_SEEDS] + [project / "macros" / MACRO_FILE]


def criteria_fingerprint(project_dir: Path | None = None) -> str:
    """sha256 over the criteria files (name and bytes of each, in a fixed order)."""
    digest = hashlib.sha256()
    for path in _criteria_files(project_dir):
        digest.update(path.name.encode() + b"\n")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _read_seed(name: str, project_dir: Path | None = None) -> list[dict[str, str]]:
    with open(_project(project_dir) / "seeds" / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def criteria_versions(project_dir: Path | None = None) -> list[dict[str, str]]:
    """Rows of the versions seed, newest first (the order the dbt wrapper uses): by release date, then
    by version number for two releases on one day (2026.12.10 after 2026.12.9)."""
    rows = _read_seed(VERSIONS_SEED, project_dir)
    return sorted(rows, key=lambda row: (row["released_on"], _version_number(row)), reverse=True)


def _version_number(row: dict[str, str]) -> tuple[int, ...]:
    version = row["criteria_version"]
    if not re.fullmatch(r"\d+(\.\d+)*", version):
        raise CriteriaVersionError(f"seeds/{VERSIONS_SEED}: {version!r} is not a dotted version number")
    return tuple(int(part) for part in version.split("."))


def check_criteria_version(project_dir: Path | None = None) -> str:
    """The current criteria version, after checking the files still hash to what it recorded."""
    latest = criteria_versions(project_dir)[0]
    actual = criteria_fingerprint(project_dir)
    if latest["sha256"] != actual:
        raise CriteriaVersionError(
            f"screening criteria changed since version {latest['criteria_version']} "
            f"(recorded sha256 {latest['sha256'][:12]}..., files now {actual[:12]}...): add a row to "
            f"seeds/{VERSIONS_SEED} with a new, higher criteria_version, a released_on no earlier than "
            f"the last one's and sha256 {actual}"
        )
    return latest["criteria_version"]


@dataclass(frozen=True)
class Criteria:
    version: str
    screening_terms: list[dict[str, str]]
    tag_terms: list[dict[str, str]]
    datasets: list[dict[str, str]]
    project_dir: Path

    def as_macro_argument(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "screening_terms": self.screening_terms,
            "tag_terms": self.tag_terms,
            "datasets": self.datasets,
        }


def load_criteria(project_dir: Path | None = None) -> Criteria:
    """The criteria seeds, read the way dbt loads them, after the version check."""
    return Criteria(
        version=check_criteria_version(project_dir),
        screening_terms=_read_seed("screening_terms.csv", project_dir),
        tag_terms=_read_seed("tag_terms.csv", project_dir),
        datasets=_read_seed("medical_imaging_datasets.csv", project_dir),
        project_dir=_project(project_dir),
    )


def render_screening_sql(relation: str, criteria: Criteria) -> str:
    """The SELECT the dbt models run, over `relation` (columns study_id, title, abstract)."""
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)
    macro_text = (criteria.project_dir / "macros" / MACRO_FILE).read_text(encoding="utf-8")
    return str(
        environment.from_string(macro_text).module.screen_records(relation, criteria.as_macro_argument())
    )


def screen_relation(con: Any, relation: str, criteria: Criteria | None = None) -> Any:
    """Screen and tag a DuckDB table or view with columns study_id, title, abstract."""
    return con.sql(render_screening_sql(relation, criteria or load_criteria()))


def screen_records(records: list[dict[str, Any]], criteria: Criteria | None = None) -> list[dict[str, Any]]:
    """Screen in-memory records (keys id, title, abstract); one result dict per record, input order."""
    import duckdb

    con = duckdb.connect()
    con.execute(
        "create table input_records (position integer, study_id varchar, title varchar, abstract varchar)"
    )
    con.executemany(
        "insert into input_records values (?, ?, ?, ?)",
        [(i, r["id"], r.get("title"), r.get("abstract")) for i, r in enumerate(records)],
    )
    sql = render_screening_sql("input_records", criteria or load_criteria())
    con.execute(f"create table screened as {sql}")
    result = con.sql(
        "select s.* from screened as s join input_records as i using (study_id) order by i.position"
    )
    columns, rows = result.columns, result.fetchall()
    return [dict(zip(columns, row, strict=True)) for row in rows]
