"""The report as a person sees it: rendered by real headless Chromium, offline, numbers checked.

Chromium is Debian's `chromium` package (`.ci/run` installs it); the page is driven over the
DevTools protocol. The screenshot is kept under data/test-artifacts/ (gitignored).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from livingreview.cli import main
from livingreview.config import PROJECT_ROOT
from tests.report.conftest import Refreshes
from tests.report.headless_chromium import HeadlessPage, chromium_executable

SCREENSHOT = PROJECT_ROOT / "data" / "test-artifacts" / "report.png"
MIN_CHARTS = 5
CHARTS_DONE = "document.body.dataset.chartsRendered || document.body.dataset.chartsFailed"
RENDERED_CHARTS = """
Array.from(document.querySelectorAll('.chart')).filter(function (chart) {
  return Array.from(chart.querySelectorAll('svg, canvas')).some(function (element) {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  });
}).length
"""
PRISMA_NUMBERS = """
Array.from(document.querySelectorAll('[data-prisma]')).map(function (element) {
  return [element.dataset.prisma, element.textContent.trim()];
})
"""
HEADLINE_INCLUDED = "document.querySelector('[data-headline=studies_included]').textContent"
REQUIRED_PRISMA = (
    "records_identified",
    "duplicates_removed",
    "records_screened",
    "records_excluded",
    "excluded_by_automation",
    "excluded_by_humans",
    "studies_included",
)


@pytest.fixture(scope="module")
def rendered(refreshes: Refreshes, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Build the report from the published warehouse, open it in Chromium, record what happened."""
    executable = chromium_executable()
    assert executable, "Chromium is required: apt-get install -y chromium (.ci/run does this)"
    site = tmp_path_factory.mktemp("site")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LIVINGREVIEW_DATA_DIR", str(refreshes.data_dir))
        command = CliRunner().invoke(main, ["report", "--out", str(site)])  # default: the published file
    assert command.exit_code == 0, command.output
    url = (site / "index.html").as_uri()
    with HeadlessPage(executable) as page:
        page.open(url, CHARTS_DONE)
        result = {
            "url": url,
            "charts_failed": page.evaluate("document.body.dataset.chartsFailed || null"),
            "charts_declared": page.evaluate("document.querySelectorAll('script[data-chart]').length"),
            "charts_rendered": page.evaluate(RENDERED_CHARTS),
            "prisma": page.evaluate(PRISMA_NUMBERS),
            "headline_included": page.evaluate(
                "document.querySelector('[data-headline=studies_included]').textContent"
            ),
            "console_errors": page.log.console_errors,
            "requests": page.log.requests,
            "screenshot": page.screenshot(SCREENSHOT),
        }
    print(f"\nreport screenshot: {result['screenshot']}")
    return result


def test_report_renders_every_chart(rendered: dict) -> None:
    assert rendered["charts_failed"] is None
    assert rendered["charts_declared"] >= MIN_CHARTS
    assert rendered["charts_rendered"] == rendered["charts_declared"]
    assert rendered["screenshot"].stat().st_size > 50_000


def test_report_has_no_console_errors(rendered: dict) -> None:
    assert rendered["console_errors"] == []


def test_report_loads_nothing_but_itself(rendered: dict) -> None:
    assert rendered["requests"] == [rendered["url"]]


def test_prisma_numbers_on_the_page_equal_the_mart(rendered: dict, refreshes: Refreshes) -> None:
    with duckdb.connect(str(refreshes.published), read_only=True) as connection:
        rows = connection.execute(
            "select * from mart_prisma_flow where window_end = (select max(window_end) from mart_prisma_flow)"
        ).df()
    mart = {
        f"{row['scope']}.{column}": int(row[column])
        for row in rows.to_dict("records")
        for column in rows.columns
        if column not in ("review_version", "window_end", "scope")
    }
    shown = rendered["prisma"]
    assert {f"{scope}.{column}" for scope in ("update", "cumulative") for column in REQUIRED_PRISMA} <= {
        key for key, _ in shown
    }
    for key, text in shown:
        assert int(text) == mart[key], key
    assert int(rendered["headline_included"]) == mart["cumulative.studies_included"]


def test_screenshot_is_saved_as_an_artifact(rendered: dict) -> None:
    path: Path = rendered["screenshot"]
    assert path == SCREENSHOT and path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
