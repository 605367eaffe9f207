"""`livingreview refresh` end to end against the simulator: a good week publishes; a corrupted week
fails at gate 1, is quarantined (kept), is recorded, and leaves the published file byte-identical."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from click.testing import CliRunner

from ingestion.simulator import start_simulator
from livingreview.cli import main
from livingreview.publish import file_sha256, list_failures, list_publications, list_quarantine

GOOD_WEEK = ("2025-10-06", "2025-10-13")
CORRUPTED_WEEK = ("2025-10-13", "2025-10-20")
SOURCES = ("arxiv", "medrxiv", "biorxiv", "europepmc")


def refresh(week: tuple[str, str], base_url: str):
    return CliRunner().invoke(main, ["refresh", "--start", week[0], "--end", week[1], "--base-url", base_url])


def test_refresh_publishes_and_a_corrupted_week_changes_nothing_published(data_dir: Path) -> None:
    with start_simulator() as simulator:
        good = refresh(GOOD_WEEK, simulator.base_url)
    assert good.exit_code == 0, good.output
    lines = good.output.splitlines()
    assert sum(line.startswith("harvest ") for line in lines) == len(SOURCES)
    assert any(line.startswith("gate landing: passed") for line in lines)
    assert any(line.startswith("dbt build ok") for line in lines)
    assert any(line.startswith("gate marts: passed") for line in lines)
    assert any(line.startswith("published ") for line in lines)

    published = data_dir / "published" / "living_review.duckdb"
    with duckdb.connect(str(published), read_only=True) as connection:
        assert connection.execute("select count(*) from fct_studies").fetchone()[0] > 0
        assert connection.execute("select count(*) from mart_prisma_flow").fetchone()[0] > 0
    checksum = file_sha256(published)
    assert [entry["sha256"] for entry in list_publications()] == [checksum]

    with start_simulator(faults=frozenset({"corrupt"}), fault_rate=1.0) as corrupting:
        bad = refresh(CORRUPTED_WEEK, corrupting.base_url)
    assert bad.exit_code == 1, bad.output
    assert "gate_landing failed" in bad.output
    assert "the published warehouse is unchanged" in bad.output
    assert file_sha256(published) == checksum  # byte-identical
    assert len(list_publications()) == 1

    [quarantined] = list_quarantine()
    assert quarantined["reason"].startswith("gate_landing:")
    week_folder = f"{CORRUPTED_WEEK[0]}_{CORRUPTED_WEEK[1]}"
    for source in SOURCES:  # moved out of landing, kept in quarantine with their raw responses
        assert not (data_dir / "landing" / source / week_folder).exists()
        kept = Path(quarantined["path"]) / "landing" / source / week_folder
        assert (kept / "records.jsonl").is_file() and any((kept / "raw").iterdir())
        assert (data_dir / "landing" / source / f"{GOOD_WEEK[0]}_{GOOD_WEEK[1]}" / "run.json").is_file()
    [failure] = list_failures()
    assert failure["kind"] == "gate_landing"
    assert failure["run_id"] == quarantined["batch_id"]
    assert any("not_be_null(title)" in line for line in failure["details"]["failed"])
    assert json.loads((Path(quarantined["path"]) / "quarantine.json").read_text())["windows"]
