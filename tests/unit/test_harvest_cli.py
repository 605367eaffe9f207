"""`livingreview harvest` / `reparse`: exit codes, one-line errors, the summary line."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from ingestion.simulator import start_simulator
from livingreview.cli import main
from livingreview.config import load_protocol


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private data dir and a protocol copy with test-sized timing (no politeness delay)."""
    raw = copy.deepcopy(load_protocol().raw)
    raw["http"].update(backoff_factor_s=0.01, backoff_max_s=0.05, connect_timeout_s=2.0)
    for source in raw["sources"].values():
        source.update(politeness_delay_s=0.0, retry_budget=1)
    protocol_file = tmp_path / "protocol.yml"
    protocol_file.write_text(yaml.safe_dump(raw), encoding="utf-8")
    monkeypatch.setenv("LIVINGREVIEW_PROTOCOL", str(protocol_file))
    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("LIVINGREVIEW_API_BASE_URL", raising=False)
    return tmp_path / "data"


@pytest.fixture(scope="module")
def sim() -> Iterator:
    with start_simulator(corpus=None) as running:
        yield running


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--source", "pubmed", "--start", "2025-10-13", "--end", "2025-10-20"], "unknown source 'pubmed'"),
        (["--source", "arxiv", "--start", "2025-10-20", "--end", "2025-10-13"], "must be after --start"),
        (["--source", "arxiv", "--start", "2025-10-13", "--end", "2025-10-13"], "must be after --start"),
        (["--source", "arxiv", "--start", "13/10/2025", "--end", "2025-10-20"], "--start must be a date"),
        (["--source", "arxiv", "--start", "2025-10-13", "--end", "2025-02-30"], "--end must be a date"),
        (["--source", "arxiv", "--start", "20251013", "--end", "2025-10-20"], "--start must be a date"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_writes_nothing(
    data_dir: Path, args: list[str], message: str
) -> None:
    code, stdout, stderr = run("harvest", *args)
    assert code == 2 and stdout == ""
    assert stderr.count("\n") == 1 and stderr.startswith("error: ") and message in stderr
    assert not data_dir.exists()


def test_successful_harvest_prints_one_summary_line(data_dir: Path, sim) -> None:
    code, stdout, _ = run(
        "harvest",
        "--source",
        "europepmc",
        "--start",
        "2025-10-06",
        "--end",
        "2025-10-13",
        "--base-url",
        sim.base_url,
    )
    window = data_dir / "landing" / "europepmc" / "2025-10-06_2025-10-13"
    run_log = json.loads((window / "run.json").read_text())
    assert code == 0 and stdout.count("\n") == 1
    assert stdout == (
        f"europepmc:2025-10-06_2025-10-13: reported {run_log['api_reported_total']}, "
        f"retrieved {run_log['retrieved']}, pages 1, retries 0 -> {window}\n"
    )
    assert run_log["retrieved"] > 0


def test_base_url_from_the_environment(data_dir: Path, sim, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIVINGREVIEW_API_BASE_URL", sim.base_url)
    code, stdout, _ = run("harvest", "--source", "medrxiv", "--start", "2025-10-06", "--end", "2025-10-13")
    assert code == 0 and "medrxiv:2025-10-06_2025-10-13: reported" in stdout
    assert (data_dir / "landing" / "medrxiv" / "2025-10-06_2025-10-13" / "records.jsonl").is_file()


def test_failed_harvest_exits_1_with_the_reason(data_dir: Path) -> None:
    closed_port = "http://127.0.0.1:9"  # discard port: nothing listens there
    code, stdout, stderr = run(
        "harvest",
        "--source",
        "biorxiv",
        "--start",
        "2025-10-06",
        "--end",
        "2025-10-13",
        "--base-url",
        closed_port,
    )
    assert code == 1 and stdout == ""
    (failure,) = [line for line in stderr.splitlines() if line.startswith("harvest failed: ")]
    assert "biorxiv:2025-10-06_2025-10-13 failed: ConnectionError" in failure and "_failed" in failure
    assert not (data_dir / "landing" / "biorxiv").exists()


def test_reparse_rebuilds_records_from_raw(data_dir: Path, sim) -> None:
    run(
        "harvest",
        "--source",
        "europepmc",
        "--start",
        "2025-10-06",
        "--end",
        "2025-10-13",
        "--base-url",
        sim.base_url,
    )
    window = data_dir / "landing" / "europepmc" / "2025-10-06_2025-10-13"
    landed = (window / "records.jsonl").read_bytes()
    (window / "records.jsonl").write_text("stale\n")
    code, stdout, _ = run("reparse", str(window))
    assert (
        code == 0 and stdout == f"reparsed {len(landed.splitlines())} records -> {window / 'records.jsonl'}\n"
    )
    assert (window / "records.jsonl").read_bytes() == landed


def test_reparse_refuses_a_folder_that_is_not_a_window(tmp_path: Path) -> None:
    code, _, stderr = run("reparse", str(tmp_path))
    assert code == 2 and stderr.startswith("error: ") and "not a landed window" in stderr
