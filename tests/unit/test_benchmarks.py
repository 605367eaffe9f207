"""The scale generator (benchmarks/generate.py): landing contract, determinism, no copied text.

Small N only, no timing assertions: the figures themselves come from `make bench`.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from benchmarks.corpus_model import builtin_model, listings_folder, load_model
from benchmarks.generate import generate_landing, plan_windows
from ingestion.contract import RECORD_FIELDS, RUN_FIELDS, search_run_id, window_key

RECORDS = 900
PER_WEEK = 300  # three weekly windows per source


@pytest.fixture(scope="module")
def corpus_model(tmp_path_factory):
    """The model of the real listings when present (fitted once for the module), else the fallback."""
    return load_model(tmp_path_factory.mktemp("model-cache"))


@pytest.fixture(scope="module")
def landing(tmp_path_factory, corpus_model) -> Path:
    root = tmp_path_factory.mktemp("generated") / "landing"
    generate_landing(root, RECORDS, per_week=PER_WEEK, model=corpus_model)
    return root


def window_folders(root: Path) -> list[Path]:
    return sorted(path.parent for path in root.glob("*/*/records.jsonl"))


def tree_bytes(root: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()
    }


def test_windows_follow_the_landing_contract(landing):
    folders = window_folders(landing)
    assert {folder.parent.name for folder in folders} == {"arxiv", "medrxiv", "biorxiv", "europepmc"}
    total = 0
    for folder in folders:
        start, end = (date.fromisoformat(part) for part in folder.name.split("_"))
        assert folder.name == window_key(start, end) and (end - start).days == 7
        lines = (folder / "records.jsonl").read_text(encoding="utf-8").splitlines()
        records = [json.loads(line, object_pairs_hook=list) for line in lines]
        assert all([key for key, _ in record] == sorted(RECORD_FIELDS) for record in records)
        records = [dict(record) for record in records]
        keys = [(record["source_id"], record["version"]) for record in records]
        assert keys == sorted(keys) and len(set(keys)) == len(keys)
        assert {record["search_run_id"] for record in records} == {
            search_run_id(folder.parent.name, start, end)
        }
        assert {record["source"] for record in records} == {folder.parent.name}
        run = json.loads((folder / "run.json").read_text(encoding="utf-8"))
        assert tuple(run) == RUN_FIELDS
        assert run["retrieved"] == run["api_reported_total"] == len(records)
        assert run["status"] == "succeeded" and run["search_run_id"] == search_run_id(
            folder.parent.name, start, end
        )
        total += len(records)
    assert total == RECORDS


def test_the_landing_gate_accepts_generated_windows(landing, tmp_path, monkeypatch):
    from expectations import gate_landing

    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(tmp_path))
    result = gate_landing(window_folders(landing))
    assert result.success, result.failed_expectations


def test_same_seed_same_bytes_other_seed_other_records(landing, tmp_path, corpus_model):
    again = tmp_path / "again"
    generate_landing(again, RECORDS, per_week=PER_WEEK, model=corpus_model)
    assert tree_bytes(again) == tree_bytes(landing)
    other = tmp_path / "other"
    generate_landing(other, RECORDS, per_week=PER_WEEK, model=corpus_model, seed=8)
    first = next(iter(window_folders(landing)))
    assert (other / first.relative_to(landing) / "records.jsonl").read_bytes() != (
        first / "records.jsonl"
    ).read_bytes()


def test_dedup_cases_are_generated(landing):
    records = [
        json.loads(line) for folder in window_folders(landing) for line in (folder / "records.jsonl").open()
    ]
    reposted = [
        record for record in records if record["source"] in ("medrxiv", "biorxiv") and record["version"] > 1
    ]
    assert reposted and all(record["published_at"] is None for record in reposted)
    dois = {record["doi"] for record in records if record["source"] == "europepmc"}
    pointing = [
        record
        for record in records
        if record["source"] != "europepmc" and (record["published_doi"] or record["doi"]) in dois
    ]
    assert pointing, "some preprints should name a harvested published version"


@pytest.mark.skipif(not listings_folder().is_dir(), reason="recorded arXiv listings absent")
def test_text_is_drawn_from_the_corpus_not_copied(landing, corpus_model):
    import duckdb

    assert corpus_model.origin.startswith("real arXiv listings")
    files = [str(path / "records.jsonl") for path in window_folders(landing)]
    corpus = [str(path) for path in sorted(listings_folder().glob("*.jsonl.gz"))]
    connection = duckdb.connect()
    copied = connection.execute(
        """
        with generated as (
            select title, abstract from read_json($files, columns = {title: 'varchar', abstract: 'varchar'})
        ), real as (
            select title, summary from read_json($corpus, columns = {title: 'varchar', summary: 'varchar'})
        )
        select count(*) from generated
        where title in (select title from real) or abstract in (select summary from real)
        """,
        {"files": files, "corpus": corpus},
    ).fetchone()[0]
    assert copied == 0
    categories = connection.execute(
        "select count(distinct primary_category) from read_json($files, columns = $columns) "
        "where source = 'arxiv'",
        {"files": files, "columns": {"primary_category": "varchar", "source": "varchar"}},
    ).fetchone()[0]
    assert categories > 1


def test_without_a_corpus_the_builtin_vocabulary_stands_in(tmp_path):
    model = load_model(folder=tmp_path / "absent")
    assert model.origin == builtin_model().origin
    summary = generate_landing(tmp_path / "landing", 40, per_week=40, model=model)
    assert summary.records == 40 and summary.windows == 4


def test_plan_spreads_records_over_weeks_and_sources():
    weeks = plan_windows(10_000, start=date(2024, 1, 1), per_week=3000)
    assert len(weeks) == 4 and sum(window.count for week in weeks for window in week) == 10_000
    assert all(
        {window.source for window in week} == {"arxiv", "medrxiv", "biorxiv", "europepmc"} for week in weeks
    )
    with pytest.raises(ValueError):
        plan_windows(10, start=date(2024, 1, 2))  # not a Monday
