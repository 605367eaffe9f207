"""The versioned release: every published mart as Parquet, plus a manifest a citation can point at.

    data/releases/<review_version>/
        <mart>.parquet        one file per mart of the published warehouse
        <mart>.csv            the same rows as CSV (livingreview.report.release_assets)
        report/index.html     the offline HTML report of this version (livingreview.report)
        CHANGELOG.md          studies added / removed since the previous release, and why
        manifest.json         review / criteria / protocol versions, row counts, sha256 per file,
                              and the sha256 of the published warehouse the files were read from
        README.md             what the release holds
    data/releases/CHANGELOG.md   every release's entry, newest first

Written by the `living_review_release` DAG each time `publish` updates the published Asset, and by
`livingreview release`. The release is read from the *published* warehouse (opened read-only), so it
only ever contains audited data. A release folder is written beside its final place and renamed into
it, so a reader never sees half a release.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livingreview.config import data_dir, load_protocol, published_path
from livingreview.publish import file_sha256, now_utc, safe_name

# Marts are the tables readers are promised (DESIGN "Marts"): facts, dimensions, mart_ and tag bridges.
MART_PREFIXES = ("fct_", "dim_", "mart_", "bridge_")


@dataclass(frozen=True)
class Release:
    path: Path
    review_version: str
    marts: dict[str, int]  # mart -> rows

    def summary(self) -> str:
        rows = ", ".join(f"{name} {count}" for name, count in sorted(self.marts.items()))
        return f"release {self.review_version} at {self.path} ({rows})"


def releases_dir() -> Path:
    return data_dir() / "releases"


def write_release(published: Path | None = None, report: bool = True) -> Release:
    """Export the published marts of the current review version into `releases/<review_version>/`.

    `report=False` leaves out the HTML report (it needs every contracted mart; the CSVs and the
    changelog need only `fct_studies` and `dim_review_versions`).
    """
    import duckdb

    from livingreview.report.release_assets import write_changelog_index, write_release_assets

    published = Path(published or published_path())
    if not published.is_file():
        raise FileNotFoundError(f"nothing published yet at {published} (run the weekly refresh first)")
    published_sha256 = file_sha256(published)
    with duckdb.connect(str(published), read_only=True) as connection:
        versions = review_versions(connection)
        target = releases_dir() / safe_name(versions["review_version"])
        partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
        shutil.rmtree(partial, ignore_errors=True)
        partial.mkdir(parents=True)
        marts = [export_mart(connection, name, partial) for name in mart_tables(connection)]
        assets = write_release_assets(
            connection, partial, [mart["name"] for mart in marts], releases_dir(), report=report
        )
    manifest = {
        **versions,
        "protocol_version": load_protocol().version,
        "review": load_protocol().raw.get("review"),
        "released_at": now_utc(),
        "code_version": _code_version(),
        "published_warehouse": {"path": str(published), "sha256": published_sha256},
        "marts": marts,
        **assets,
    }
    (partial / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (partial / "README.md").write_text(readme(manifest), encoding="utf-8")
    move_into_place(partial, target)
    write_changelog_index(releases_dir())
    return Release(target, versions["review_version"], {mart["name"]: mart["rows"] for mart in marts})


def review_versions(connection: Any) -> dict[str, Any]:
    """The latest row of dim_review_versions: review_version and, when recorded, criteria_version."""
    if not mart_exists(connection, "dim_review_versions"):
        raise LookupError("the published warehouse has no dim_review_versions: cannot name the release")
    cursor = connection.execute("select * from dim_review_versions order by review_version desc limit 1")
    row = cursor.fetchone()
    if row is None:
        raise LookupError("dim_review_versions is empty: cannot name the release")
    latest = dict(zip([column[0] for column in cursor.description], row, strict=True))
    return {
        "review_version": str(latest["review_version"]),
        "criteria_version": _text_or_none(latest.get("criteria_version")),
    }


def mart_exists(connection: Any, name: str) -> bool:
    query = "select count(*) from information_schema.tables where table_name = ?"
    return connection.execute(query, [name]).fetchone()[0] > 0


def mart_tables(connection: Any) -> list[str]:
    names = connection.execute(
        "select table_name from information_schema.tables where table_type = 'BASE TABLE' order by 1"
    ).fetchall()
    return [name for (name,) in names if name.startswith(MART_PREFIXES)]


def export_mart(connection: Any, name: str, folder: Path) -> dict[str, Any]:
    """COPY one mart to Parquet (zstd) and describe the file for the manifest."""
    path = folder / f"{name}.parquet"
    quoted_path = str(path).replace("'", "''")
    connection.execute(
        f"copy (select * from \"{name}\") to '{quoted_path}' (format parquet, compression zstd)"
    )
    rows = connection.execute(f'select count(*) from "{name}"').fetchone()[0]
    return {
        "name": name,
        "file": path.name,
        "rows": rows,
        "bytes": path.stat().st_size,
        "sha256": file_sha256(path),
    }


def move_into_place(partial: Path, target: Path) -> None:
    """Swap the finished folder in; a previous release of the same review version is replaced."""
    previous = target.with_name(f".{target.name}.{os.getpid()}.previous")
    if target.exists():
        os.replace(target, previous)
    os.replace(partial, target)
    shutil.rmtree(previous, ignore_errors=True)


def readme(manifest: dict[str, Any]) -> str:
    lines = [
        f"# Living review release {manifest['review_version']}",
        "",
        f"{manifest['review']}",
        "",
        f"- review version: {manifest['review_version']}",
        f"- screening criteria version: {manifest['criteria_version'] or 'not recorded'}",
        f"- search protocol version: {manifest['protocol_version']}",
        f"- released at: {manifest['released_at']} (code {manifest['code_version']})",
        f"- read from the published warehouse with sha256 {manifest['published_warehouse']['sha256']}",
        "",
        "| mart | rows | sha256 |",
        "|---|---:|---|",
        *(f"| `{mart['file']}` | {mart['rows']} | `{mart['sha256']}` |" for mart in manifest["marts"]),
        "",
        "Each mart is also a CSV file of the same name. "
        + (
            f"The report of this version is `{manifest['report']['file']}` (opens offline). "
            if manifest["report"]
            else "This release has no HTML report. "
        )
        + f"`{manifest['changelog']}` lists the studies added and removed since the previous release.",
        "",
    ]
    return "\n".join(lines)


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _code_version() -> str:
    from ingestion.code_version import code_version

    return code_version()
