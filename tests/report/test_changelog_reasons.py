"""The reasons a CHANGELOG gives, and which earlier release it compares against (no warehouse needed)."""

from __future__ import annotations

from pathlib import Path

from livingreview.report.release_assets import previous_release, why_added, why_removed

BEFORE = {"review_version": "2025.10.20", "window_end": "2025-10-20", "criteria_version": "2026.11.1"}


def release_folder(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "fct_studies.parquet").write_bytes(b"PAR1")
    return folder


def test_previous_release_is_the_newest_finished_older_one(tmp_path: Path) -> None:
    older = release_folder(tmp_path, "2025.10.13")
    release_folder(tmp_path, "2025.10.20")
    release_folder(tmp_path, "2025.10.27")  # newer than the one being written: not "previous"
    release_folder(tmp_path, ".2025.10.19.123.partial")  # an unfinished write
    (tmp_path / "2025.10.18").mkdir()  # no export inside

    assert previous_release(tmp_path, "2025.10.20") == older
    assert previous_release(tmp_path, "2025.10.13") is None
    assert previous_release(tmp_path / "missing", "2025.10.20") is None


def test_why_a_study_was_added() -> None:
    assert (
        why_added("2025-10-27", "rule", "2026.11.1", BEFORE) == "new in the harvest window ending 2025-10-27"
    )
    assert why_added("2025-10-13", "human", "2026.11.1", BEFORE) == "included by a human reviewer's decision"
    assert (
        why_added("2025-10-13", "rule", "2026.12.1", BEFORE)
        == "included under criteria 2026.12.1 (was 2026.11.1)"
    )
    assert why_added("2025-10-13", "rule", "2026.11.1", BEFORE).startswith("included on re-screening")
    assert why_added("2025-10-13", "rule", "2026.11.1", None).startswith("included (first release")


def test_why_a_study_was_removed() -> None:
    assert why_removed("exclude", "off_topic", "human", "2026.11.1", True) == (
        "now exclude (off_topic) by human, criteria 2026.11.1"
    )
    assert why_removed(None, None, None, None, False).startswith("no longer a study of its own")
