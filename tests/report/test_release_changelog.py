"""Two consecutive releases: the second's CHANGELOG entry names exactly the studies added between them."""

from __future__ import annotations

import json
import re

import duckdb

from livingreview.publish import file_sha256
from livingreview.release import write_release
from tests.report.conftest import Refreshes

ENTRY_STUDY = re.compile(r"^- .*\(`(?P<study_id>[^`]+)`\): (?P<why>.+)$")


def study_ids(warehouse, where: str = "true") -> set[str]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return {
            row[0] for row in connection.execute(f"select study_id from fct_studies where {where}").fetchall()
        }


def entry_sections(entry: str) -> dict[str, dict[str, str]]:
    """{'Added': {study_id: why}, 'Removed': {...}} from one release's CHANGELOG.md."""
    sections: dict[str, dict[str, str]] = {}
    current = None
    for line in entry.splitlines():
        if line.startswith("### "):
            current = line[4:].split(" (")[0]
            sections[current] = {}
        elif current and (match := ENTRY_STUDY.match(line)):
            sections[current][match["study_id"]] = match["why"]
    return sections


def test_second_release_changelog_names_the_studies_added_by_the_new_window(refreshes: Refreshes) -> None:
    first, second = refreshes.first_release, refreshes.second_release
    assert first.review_version < second.review_version
    added_in_week_two = study_ids(refreshes.published) - study_ids(refreshes.first_published)
    assert added_in_week_two, "the second week must include new studies for this test to mean anything"

    entry = (second.path / "CHANGELOG.md").read_text(encoding="utf-8")
    sections = entry_sections(entry)

    assert set(sections["Added"]) == added_in_week_two
    assert f"Added ({len(added_in_week_two)})" in entry
    window_end = refreshes.second_window_end.isoformat()
    new_in_window = study_ids(refreshes.published, f"first_harvested_window_end = date '{window_end}'")
    for study_id, why in sections["Added"].items():
        if study_id in new_in_window:
            assert why == f"new in the harvest window ending {window_end}"
    assert set(sections["Removed"]) == study_ids(refreshes.first_published) - study_ids(refreshes.published)
    assert f"Previous release: {first.review_version}." in entry
    assert f"New harvest window {refreshes.first_window_end.isoformat()} to {window_end}." in entry


def test_aggregated_changelog_lists_every_release_newest_first(refreshes: Refreshes) -> None:
    text = (refreshes.data_dir / "releases" / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (\S+)", text, flags=re.MULTILINE)
    assert headings == [refreshes.second_release.review_version, refreshes.first_release.review_version]
    first_entry = entry_sections((refreshes.first_release.path / "CHANGELOG.md").read_text(encoding="utf-8"))
    assert set(first_entry["Added"]) == study_ids(refreshes.first_published)


def test_release_holds_parquet_csv_report_and_checksums(refreshes: Refreshes) -> None:
    release = refreshes.second_release.path
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    assert {"fct_studies", "mart_prisma_flow", "bridge_study_modalities"} <= {
        m["name"] for m in manifest["marts"]
    }
    for parquet, csv in zip(manifest["marts"], manifest["csv"], strict=True):
        assert csv["name"] == parquet["name"]
        assert file_sha256(release / csv["file"]) == csv["sha256"]
        csv_rows = duckdb.sql(f"select count(*) from read_csv('{release / csv['file']}')").fetchall()[0][0]
        assert csv_rows == parquet["rows"]
    assert file_sha256(release / manifest["report"]["file"]) == manifest["report"]["sha256"]


def test_rerelease_of_the_same_version_is_idempotent(refreshed_env: Refreshes) -> None:
    release = refreshed_env.second_release.path
    before = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    changelog = (refreshed_env.data_dir / "releases" / "CHANGELOG.md").read_bytes()

    again = write_release()

    after = json.loads((again.path / "manifest.json").read_text(encoding="utf-8"))
    assert again.path == release
    for key in ("marts", "csv", "report", "review_version", "criteria_version", "protocol_version"):
        assert after[key] == before[key], key
    assert (refreshed_env.data_dir / "releases" / "CHANGELOG.md").read_bytes() == changelog
