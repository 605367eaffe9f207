"""Render the static report: one self-contained `index.html` (data, charts and their JS inline).

Why inline JavaScript rather than server-side SVG: vl-convert ships the exact Vega, Vega-Lite and
vega-embed builds as one offline bundle, so charts stay interactive (tooltips) and are drawn by the
same library everyone else uses, with no CDN. The page's Content-Security-Policy forbids every
network source, so a stray URL fails loudly in the browser test instead of silently phoning out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from livingreview.config import published_path
from livingreview.publish import list_failures, list_quarantine
from livingreview.report import charts, marts
from livingreview.report.prisma import diagrams

TEMPLATES = Path(__file__).parent / "templates"
VEGA_LITE_VERSION = "6.4"  # the schema Altair 6 writes; vl-convert bundles the matching library
RECENT_FAILURES = 25


@dataclass(frozen=True)
class Chart:
    id: str
    spec: dict[str, Any]

    @property
    def spec_json(self) -> str:
        # inside <script>, "</" would end the element early
        return json.dumps(self.spec, default=str).replace("</", "<\\/")


@cache
def vega_bundle() -> str:
    """vega + vega-lite + vega-embed as one script, from the vl-convert wheel (no network)."""
    import vl_convert

    return vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION)


def build_report(out_dir: Path, warehouse: Path | None = None) -> Path:
    """Write `out_dir/index.html` from the (published) warehouse and return its path."""
    warehouse = Path(warehouse or published_path())
    with marts.connect_read_only(warehouse) as connection:
        return write_report(connection, out_dir)


def write_report(connection: Any, out_dir: Path) -> Path:
    """Write `out_dir/index.html` from an open warehouse connection (replaced whole, never half-written)."""
    html = render(report_context(connection))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "index.html"
    partial = target.with_name(".index.html.partial")
    partial.write_text(html, encoding="utf-8")
    partial.replace(target)
    return target


def report_context(connection: Any) -> dict[str, Any]:
    version = marts.latest_version(connection)
    window_end = version["window_end"]
    flow = marts.prisma_flow(connection, window_end)
    new_studies = marts.new_studies(connection, window_end)
    reviews = marts.review_articles(connection)
    return {
        "version": display_version(version),
        "headline": {
            "studies_included": marts.included_study_count(connection),
            "new_this_week": len(new_studies),
            "review_articles": len(reviews),
            "records_identified": flow["cumulative"]["records_identified"],
        },
        "prisma": diagrams(flow),
        "grain": marts.trend_grain(connection),
        "charts": build_charts(connection),
        "new_studies": table_rows(new_studies),
        "review_articles": table_rows(reviews),
        "search_runs": search_run_rows(connection),
        "failures": list(reversed(list_failures()))[:RECENT_FAILURES],
        "quarantine": list_quarantine(),
    }


def display_version(version: dict[str, Any]) -> dict[str, Any]:
    shown = {key: ("not recorded" if pd.isna(value) else value) for key, value in version.items()}
    shown["built_at"] = str(shown["built_at"])[:16]
    for key in ("window_start", "window_end"):
        shown[key] = str(shown[key])[:10]
    return shown


def build_charts(connection: Any) -> dict[str, list[Chart]]:
    grain = marts.trend_grain(connection)
    fm_types = marts.fm_type_trend(connection, grain)
    trends = [
        Chart("chart-fm-type", charts.studies_by_fm_type(fm_types)),
        Chart("chart-vl-share", charts.vision_language_share(marts.vision_language_share(fm_types))),
    ]
    for dimension, title in marts.TAG_DIMENSIONS.items():
        rows = marts.tag_trend(connection, dimension, grain)
        if not rows.empty:
            spec = charts.tag_trend_heatmap(rows, f"{title} by {grain}", title)
            trends.append(Chart(f"chart-{dimension}", spec))
    datasets = marts.dataset_utilization(connection)
    coverage = charts.evidence_coverage_matrix(marts.evidence_coverage(connection))
    harvest = charts.harvest_coverage(marts.harvest_coverage(connection))
    groups = {
        "trends": trends,
        "datasets": []
        if datasets.empty
        else [Chart("chart-datasets", charts.dataset_utilization_heatmap(datasets))],
        "coverage": [Chart("chart-coverage", coverage)],
        "harvest": [Chart("chart-harvest", harvest)],
    }
    groups["all"] = [chart for group in groups.values() for chart in group]
    return groups


def table_rows(rows: pd.DataFrame) -> list[dict[str, Any]]:
    """DataFrame rows as dicts, lists joined for display."""
    return [{key: display_value(value) for key, value in row.items()} for row in rows.to_dict("records")]


def display_value(value: Any) -> Any:
    if isinstance(value, list | tuple) or hasattr(value, "tolist"):
        return ", ".join(str(item) for item in list(value))
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else value


def search_run_rows(connection: Any) -> dict[str, Any]:
    """The search log grouped by window, newest window first."""
    runs = marts.search_runs(connection)
    windows: dict[str, list[dict[str, Any]]] = {}
    for row in [] if runs.rows is None else table_rows(runs.rows):
        windows.setdefault(f"{row['window_start']} → {row['window_end']}", []).append(row)
    return {"error": runs.error, "windows": list(windows.items())}


def render(context: dict[str, Any]) -> str:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    template = environment.get_template("index.html.j2")
    return template.render(
        **context,
        css=(TEMPLATES / "report.css").read_text(encoding="utf-8"),
        vega_bundle=vega_bundle(),
        vega_lite_version=VEGA_LITE_VERSION,
    )
