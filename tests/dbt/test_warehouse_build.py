"""The warehouse built by real dbt from four real weeks harvested through the real simulator.

Acceptance (issue 3): 2025-10-06 -> 2025-11-03, arXiv from the recorded real listings, medRxiv,
bioRxiv and Europe PMC from the simulator's generated corpus; every dbt test green, every
contracted mart non-empty, fewer studies than records landed. The harvest and the build run once
per module (about a minute); the tests read the result.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
import yaml

from ingestion.harvest import harvest_window
from ingestion.simulator import start_simulator
from livingreview import screening
from livingreview.build import BuildError, run_dbt_build, run_dbt_parse
from livingreview.config import SOURCES, load_protocol, shared_data_dir
from tests.dbt.landing_fixture import write_landing_window

FIRST_WEEK = date(2025, 10, 6)
WEEKS = 4
LISTINGS = shared_data_dir() / "arxiv" / "daily_listings" / "by_month"
CONTRACTED_MARTS = (
    "fct_studies",
    "fct_review_articles",
    "bridge_study_modalities",
    "bridge_study_tasks",
    "bridge_study_training_strategies",
    "bridge_study_datasets",
    "bridge_study_anatomies",
    "mart_prisma_flow",
    "mart_trends",
    "mart_dataset_utilization",
    "mart_evidence_coverage",
    "mart_harvest_coverage",
    "dim_review_versions",
)

pytestmark = pytest.mark.skipif(not LISTINGS.is_dir(), reason="recorded arXiv listings not present")


def polite_free_protocol(folder: Path) -> Path:
    """A copy of the review protocol with no politeness delay (the simulator needs none)."""
    raw = copy.deepcopy(load_protocol().raw)
    for source in raw["sources"].values():
        source["politeness_delay_s"] = 0
    path = folder / "protocol.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def harvest_weeks(base_url: str) -> None:
    protocol = load_protocol()
    for week in range(WEEKS):
        start = FIRST_WEEK + timedelta(days=7 * week)
        for source in SOURCES:
            harvest_window(source, start, start + timedelta(days=7), base_url=base_url, protocol=protocol)


def plant_unfinished_windows(landing: Path) -> None:
    """A failed run and an in-progress write: dbt must read neither."""
    decoy = [{"source_id": "2510.99999", "title": "Decoy", "published_at": "2025-10-07T00:00:00Z"}]
    write_landing_window(landing / "_failed", "arxiv", FIRST_WEEK, decoy)
    write_landing_window(landing / "_staging", "arxiv", FIRST_WEEK, decoy)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LIVINGREVIEW_DATA_DIR", str(data))
        patch.setenv("LIVINGREVIEW_PROTOCOL", str(polite_free_protocol(data)))
        with start_simulator(corpus=LISTINGS) as simulator:
            harvest_weeks(simulator.base_url)
        plant_unfinished_windows(data / "landing")
        summary = run_dbt_build()
        yield summary, data


def query(data: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(data / "warehouse" / "work.duckdb"), read_only=True) as connection:
        return connection.sql(sql).fetchall()


def landed_records(data: Path) -> int:
    files = (data / "landing").glob("[a-z]*/[0-9]*_[0-9]*/records.jsonl")
    return sum(len(path.read_text(encoding="utf-8").splitlines()) for path in files)


def test_build_is_green(warehouse):
    summary, _ = warehouse
    assert summary.ok, summary.failed_nodes
    assert summary.failed == {}
    assert summary.skipped == 0
    assert summary.passed["model"] >= 24
    assert summary.passed["unit_test"] >= 7
    assert summary.passed["test"] >= 150


@pytest.mark.parametrize("mart", CONTRACTED_MARTS)
def test_contracted_mart_is_not_empty(warehouse, mart):
    _, data = warehouse
    [(rows,)] = query(data, f"select count(*) from {mart}")
    assert rows > 0


def test_studies_are_fewer_than_records_landed(warehouse):
    _, data = warehouse
    [(records, studies)] = query(
        data, "select (select count(*) from int_records__unioned), (select count(*) from int_studies)"
    )
    assert records == landed_records(data)  # decoys in _failed/ and _staging/ were not read
    assert studies < records


def test_prisma_flow_accounts_for_every_record_and_update(warehouse):
    _, data = warehouse
    rows = query(
        data,
        "select review_version, records_identified, duplicates_removed, records_screened, studies_included "
        "from mart_prisma_flow where scope = 'cumulative' order by window_end",
    )
    assert [row[0] for row in rows] == ["2025.10.13", "2025.10.20", "2025.10.27", "2025.11.03"]
    _, identified, duplicates, screened, included = rows[-1]
    assert identified == landed_records(data)
    assert duplicates > 0  # Europe PMC copies of CSHL preprints, published versions
    assert identified - duplicates == screened
    [(fct_rows,)] = query(data, "select count(*) from fct_studies")
    assert included == fct_rows > 0


def test_every_study_carries_the_criteria_version_python_screens_with(warehouse):
    # the dbt macro and livingreview.screening each pick the newest row of the versions seed
    _, data = warehouse
    stamped = query(data, "select distinct criteria_version from int_records__rule_screened")
    assert stamped == [(screening.check_criteria_version(),)]


def test_europepmc_copies_of_preprints_join_their_study(warehouse):
    _, data = warehouse
    [(pairs, split)] = query(
        data,
        """
        select count(*), count(*) filter (where copy.study_id <> preprint.study_id)
        from int_records__deduplicated as copy
        inner join int_records__deduplicated as preprint
            on copy.report_doi = preprint.report_doi and preprint.source in ('medrxiv', 'biorxiv')
        where copy.source = 'europepmc'
        """,
    )
    assert pairs > 0
    assert split == 0


def test_harvest_coverage_has_every_source_and_week(warehouse):
    _, data = warehouse
    rows = query(
        data, "select source, count(*), bool_and(was_searched) from mart_harvest_coverage group by source"
    )
    assert sorted(rows) == sorted((source, WEEKS, True) for source in SOURCES)


def test_cli_build_prints_one_summary_line(warehouse):
    _, data = warehouse
    result = subprocess.run(
        [str(Path(sys.executable).parent / "livingreview"), "build", "--select", "stg_landing__search_runs"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("dbt build ok: passed 1 models")
    assert str(data / "warehouse" / "work.duckdb") in lines[0]


def test_build_failure_names_the_failing_node(warehouse):
    _, data = warehouse
    # another writer holding the warehouse (DuckDB allows one per file) fails the build, loudly
    with duckdb.connect(str(data / "warehouse" / "work.duckdb")), pytest.raises(BuildError) as failure:
        run_dbt_build(select="stg_landing__search_runs")
    assert "lock" in str(failure.value).lower()
    assert "work.duckdb" in str(failure.value)


def test_sources_without_windows_stage_as_zero_rows(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(tmp_path))
    record = {"source_id": "2510.00001", "title": "Only arXiv landed", "published_at": "2025-10-07T00:00:00Z"}
    write_landing_window(tmp_path / "landing", "arxiv", FIRST_WEEK, [record])
    record_models = [f"stg_{source}__records" for source in SOURCES]
    summary = run_dbt_build(select=" ".join(record_models))
    assert summary.passed["model"] == len(record_models)
    assert summary.passed["test"] > 0  # their column tests ran on the empty relations too
    counts = query(
        tmp_path,
        "select (select count(*) from stg_arxiv__records), (select count(*) from stg_medrxiv__records), "
        "(select count(*) from stg_biorxiv__records), (select count(*) from stg_europepmc__records)",
    )
    assert counts == [(1, 0, 0, 0)]


def test_parse_writes_the_manifest_airflow_reads(warehouse):
    _, data = warehouse
    manifest_path = run_dbt_parse(target_path=data / "dbt" / "target")  # reuses the build's parse state
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    models = {node["name"] for node in manifest["nodes"].values() if node["resource_type"] == "model"}
    assert set(CONTRACTED_MARTS) <= models
