"""What a release adds beside the Parquet export: CSV per mart, the report, and the CHANGELOG.

    data/releases/<review_version>/
        <mart>.csv            the same rows as <mart>.parquet, for spreadsheets
        report/index.html     the offline report of this version
        CHANGELOG.md          this version's entry: studies added and removed since the previous
                              release, and why
    data/releases/CHANGELOG.md   every release's entry, newest first (rebuilt from the entries)

Everything here is a function of the published warehouse and the earlier releases on disk (no
clock), so re-releasing the same version writes the same entry: releases are idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livingreview.publish import file_sha256

CHANGELOG = "CHANGELOG.md"
REPORT_DIR = "report"


# ---------------------------------------------------------------- CSV per mart


def export_csv(connection: Any, name: str, folder: Path) -> dict[str, Any]:
    """COPY one mart to CSV (header, lists written as [a, b]) and describe the file."""
    path = folder / f"{name}.csv"
    quoted_path = str(path).replace("'", "''")
    connection.execute(f"copy (select * from \"{name}\") to '{quoted_path}' (format csv, header true)")
    return {"name": name, "file": path.name, "bytes": path.stat().st_size, "sha256": file_sha256(path)}


# ---------------------------------------------------------------- changelog


@dataclass(frozen=True)
class StudyChange:
    study_id: str
    title: str
    url: str | None
    why: str

    def markdown(self) -> str:
        title = f"[{self.title}]({self.url})" if self.url else self.title
        return f"- {title} (`{self.study_id}`): {self.why}"


def previous_release(releases_root: Path, review_version: str) -> Path | None:
    """The newest finished release older than this version (version names sort by date)."""
    if not releases_root.is_dir():
        return None
    earlier = [
        folder
        for folder in releases_root.iterdir()
        if folder.is_dir()
        and not folder.name.startswith(".")
        and (folder / "fct_studies.parquet").is_file()
        and folder.name < review_version
    ]
    return max(earlier, key=lambda folder: folder.name, default=None)


def latest_window(connection: Any, dim_review_versions: str = "dim_review_versions") -> dict[str, Any]:
    rows = connection.execute(
        f"select review_version, strftime(window_start, '%Y-%m-%d'), strftime(window_end, '%Y-%m-%d'), "
        f"criteria_version, protocol_version from {dim_review_versions} order by window_end desc limit 1"
    ).fetchall()
    names = ("review_version", "window_start", "window_end", "criteria_version", "protocol_version")
    return dict(zip(names, rows[0], strict=True))


def parquet(folder: Path, mart: str) -> str:
    quoted = str(folder / f"{mart}.parquet").replace("'", "''")
    return f"read_parquet('{quoted}')"


def added_studies(connection: Any, previous: Path | None, before: dict[str, Any] | None) -> list[StudyChange]:
    """Studies included now and not in the previous release, with the reason each one is new."""
    not_released = (
        f"where study_id not in (select study_id from {parquet(previous, 'fct_studies')})" if previous else ""
    )
    rows = connection.execute(
        f"""
        select study_id, title, url, strftime(first_harvested_window_end, '%Y-%m-%d'),
               decision_actor, criteria_version
        from fct_studies
        {not_released}
        order by first_harvested_window_end, study_id
        """
    ).fetchall()
    return [StudyChange(row[0], row[1], row[2], why_added(*row[3:], before=before)) for row in rows]


def why_added(window_end: str, actor: str, criteria: str, before: dict[str, Any] | None) -> str:
    if before is None:
        return f"included (first release; harvested in the window ending {window_end})"
    if window_end > before["window_end"]:
        return f"new in the harvest window ending {window_end}"
    if actor == "human":
        return "included by a human reviewer's decision"
    if criteria != before["criteria_version"]:
        return f"included under criteria {criteria} (was {before['criteria_version']})"
    return "included on re-screening of an earlier window (rules, tags or deduplication changed)"


def removed_studies(connection: Any, previous: Path) -> list[StudyChange]:
    """Studies in the previous release that are no longer included, with their current fate."""
    rows = connection.execute(
        f"""
        select old.study_id, old.title, old.url, screened.decision, screened.primary_reason,
               screened.actor, screened.criteria_version, studies.study_id is not null
        from {parquet(previous, "fct_studies")} as old
        left join fct_studies as current on old.study_id = current.study_id
        left join int_studies as studies on old.study_id = studies.study_id
        left join int_records__screened as screened on old.study_id = screened.study_id
        where current.study_id is null
        order by old.study_id
        """
    ).fetchall()
    return [StudyChange(row[0], row[1], row[2], why_removed(*row[3:])) for row in rows]


def why_removed(
    decision: str | None, reason: str | None, actor: str | None, criteria: str | None, exists: bool
) -> str:
    if not exists:
        return (
            "no longer a study of its own: merged with another study by deduplication, "
            "or its records left the landing (quarantine)"
        )
    return f"now {decision} ({reason or 'no reason code'}) by {actor}, criteria {criteria}"


def changelog_entry(connection: Any, releases_root: Path) -> str:
    """This release's CHANGELOG entry, as markdown."""
    now = latest_window(connection)
    previous = previous_release(releases_root, now["review_version"])
    before = latest_window(connection, parquet(previous, "dim_review_versions")) if previous else None
    added = added_studies(connection, previous, before)
    removed = removed_studies(connection, previous) if previous else []
    lines = [
        f"## {now['review_version']} (harvest window {now['window_start']} to {now['window_end']})",
        "",
        *release_reasons(connection, now, before),
        "",
        f"### Added ({len(added)})",
        *(change.markdown() for change in added),
        "",
        f"### Removed ({len(removed)})",
        *(change.markdown() for change in removed),
        "",
    ]
    return "\n".join(lines)


def release_reasons(connection: Any, now: dict[str, Any], before: dict[str, Any] | None) -> list[str]:
    """Why this release differs from the previous one: new windows, criteria or protocol changes."""
    if before is None:
        return [f"- First release. Criteria {now['criteria_version']}, protocol {now['protocol_version']}."]
    new_windows = connection.execute(
        "select strftime(window_start, '%Y-%m-%d'), strftime(window_end, '%Y-%m-%d') "
        "from dim_review_versions where window_end > cast(? as date) order by window_end",
        [before["window_end"]],
    ).fetchall()
    lines = [f"- Previous release: {before['review_version']}."]
    lines += [f"- New harvest window {start} to {end}." for start, end in new_windows]
    for key, label in (("criteria_version", "Screening criteria"), ("protocol_version", "Search protocol")):
        if now[key] != before[key]:
            lines.append(f"- {label} changed: {before[key]} to {now[key]}.")
        else:
            lines.append(f"- {label} unchanged ({now[key]}).")
    return lines


def write_changelog_index(releases_root: Path) -> Path:
    """`releases/CHANGELOG.md`: every release's entry, newest first."""
    entries = sorted(
        (
            folder
            for folder in releases_root.iterdir()
            if not folder.name.startswith(".") and (folder / CHANGELOG).is_file()
        ),
        key=lambda folder: folder.name,
        reverse=True,
    )
    text = "# Changelog of the living review releases\n\n" + "\n".join(
        (folder / CHANGELOG).read_text(encoding="utf-8") for folder in entries
    )
    index = releases_root / CHANGELOG
    partial = index.with_name(f".{CHANGELOG}.partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(index)
    return index


# ---------------------------------------------------------------- all of it


def write_release_assets(
    connection: Any, folder: Path, marts: list[str], releases_root: Path, report: bool = True
) -> dict[str, Any]:
    """Write the CSVs, the changelog entry and (unless told not to) the report into a release folder.

    Returns what the manifest records about them.
    """
    csv_files = [export_csv(connection, name, folder) for name in marts]
    (folder / CHANGELOG).write_text(changelog_entry(connection, releases_root), encoding="utf-8")
    assets: dict[str, Any] = {"csv": csv_files, "changelog": CHANGELOG, "report": None}
    if report:
        from livingreview.report.render import write_report

        page = write_report(connection, folder / REPORT_DIR)
        assets["report"] = {"file": f"{REPORT_DIR}/{page.name}", "sha256": file_sha256(page)}
    return assets
