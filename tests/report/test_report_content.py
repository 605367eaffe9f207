"""What the report says besides its charts: failures, quarantined batches, new studies, CLI errors."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from livingreview.cli import main
from livingreview.publish import quarantine_batch, record_failure
from livingreview.report.render import build_report
from tests.report.conftest import Refreshes


@pytest.fixture
def own_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def test_report_lists_recorded_failures_and_quarantined_batches(
    refreshes: Refreshes, own_data_dir: Path, tmp_path: Path
) -> None:
    record_failure("gate_landing", "manual__2025-10-27", "arxiv window retrieved 0 of 812 reported records")
    window = own_data_dir / "landing" / "arxiv" / "2025-10-20_2025-10-27"
    window.mkdir(parents=True)
    quarantine_batch("manual__2025-10-27", [window], None, "gate_landing failed")

    html = build_report(tmp_path / "site", refreshes.published).read_text(encoding="utf-8")

    operations = html[html.index('id="operations"') :]
    assert "arxiv window retrieved 0 of 812 reported records" in operations
    assert "manual__2025-10-27" in operations and "gate_landing failed" in operations
    assert str(window) in operations


def test_report_lists_the_studies_new_in_this_update(
    refreshes: Refreshes, own_data_dir: Path, tmp_path: Path
) -> None:
    with duckdb.connect(str(refreshes.published), read_only=True) as connection:
        titles = connection.execute(
            "select title from fct_studies where first_harvested_window_end = "
            "(select max(window_end) from dim_review_versions)"
        ).fetchall()
    html = build_report(tmp_path / "site", refreshes.published).read_text(encoding="utf-8")

    new_section = html[html.index('id="new"') : html.index('id="reviews"')]
    assert titles
    assert new_section.count("<tr><td>") == len(titles)
    assert f'data-headline="new_this_week">{len(titles)}<' in html


def test_report_without_a_published_warehouse_fails_with_one_line(own_data_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", "--out", str(tmp_path / "site")])

    assert result.exit_code == 1
    assert "no warehouse at" in result.output
    assert not (tmp_path / "site" / "index.html").exists()
