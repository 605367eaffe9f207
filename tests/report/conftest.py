"""Two consecutive weekly refreshes, run for real: simulator -> harvest -> dbt build -> publish -> release.

Built once per session (two dbt builds, the slow part) and shared by the report and release tests.
The dbt builds leave out dbt's own data and unit tests (tests/dbt runs those; here they would double
the time) but build every seed and model exactly as the weekly refresh does.
The environment (data dir, protocol) is set only while building, so nothing leaks into other tests.
"""

from __future__ import annotations

import copy
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from ingestion.harvest import harvest_window
from ingestion.simulator import start_simulator
from livingreview.build import run_dbt
from livingreview.config import load_protocol, warehouse_path
from livingreview.publish import publish_warehouse
from livingreview.release import Release, write_release

# Two real weeks of the recorded arXiv listings (the generated corpus covers them too).
FIRST_WINDOW = date(2025, 10, 6)
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Refreshes:
    data_dir: Path
    protocol_file: Path
    published: Path  # the published warehouse after the second week
    first_published: Path  # a copy of the published warehouse after the first week
    first_release: Release
    second_release: Release
    first_window_end: date
    second_window_end: date


def fast_protocol(folder: Path) -> Path:
    """The real protocol with test-sized politeness and retry timing."""
    raw = copy.deepcopy(load_protocol().raw)
    raw["http"].update(backoff_factor_s=0.01, backoff_max_s=0.05)
    for source in raw["sources"].values():
        source.update(politeness_delay_s=0.0)
    path = folder / "protocol.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def build_models() -> None:
    warehouse_path().parent.mkdir(parents=True, exist_ok=True)
    build = run_dbt(["build", "--exclude", "resource_type:test resource_type:unit_test"])
    assert build.returncode == 0, build.stdout[-3000:]


def weekly_refresh(start: date, base_url: str, report: bool) -> Release:
    """One week as the weekly DAG runs it: harvest every enabled source, build, publish, release."""
    for source in load_protocol().enabled_sources():
        harvest_window(source, start, start + WEEK, base_url=base_url)
    build_models()
    publish_warehouse()
    return write_release(report=report)


@pytest.fixture(scope="session")
def refreshes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Refreshes]:
    root = tmp_path_factory.mktemp("two-refreshes")
    data_dir = root / "data"
    protocol_file = fast_protocol(root)
    with pytest.MonkeyPatch.context() as env, start_simulator(corpus=None) as simulator:
        env.setenv("LIVINGREVIEW_DATA_DIR", str(data_dir))
        env.setenv("LIVINGREVIEW_PROTOCOL", str(protocol_file))
        env.delenv("LIVINGREVIEW_API_BASE_URL", raising=False)
        first = weekly_refresh(FIRST_WINDOW, simulator.base_url, report=False)  # tests read the second
        first_published = shutil.copy2(data_dir / "published" / "living_review.duckdb", root / "first.duckdb")
        second = weekly_refresh(FIRST_WINDOW + WEEK, simulator.base_url, report=True)
    yield Refreshes(
        data_dir=data_dir,
        protocol_file=protocol_file,
        published=data_dir / "published" / "living_review.duckdb",
        first_published=Path(first_published),
        first_release=first,
        second_release=second,
        first_window_end=FIRST_WINDOW + WEEK,
        second_window_end=FIRST_WINDOW + 2 * WEEK,
    )


@pytest.fixture
def refreshed_env(refreshes: Refreshes, monkeypatch: pytest.MonkeyPatch) -> Refreshes:
    """Point this test's environment at the refreshed data dir (for code that reads `data_dir()`)."""
    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(refreshes.data_dir))
    monkeypatch.setenv("LIVINGREVIEW_PROTOCOL", str(refreshes.protocol_file))
    return refreshes
