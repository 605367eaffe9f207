"""The report's charts as Vega-Lite specs (built with Vega-Altair, rendered in the page by vega-embed).

Every function takes a small, already aggregated DataFrame (see `livingreview.report.marts`) and
returns a plain dict, so the page embeds data and spec together and needs no network.
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd

FM_TYPE_LABELS = {"vision_only": "Vision-only", "vision_language": "Vision-language"}
FM_TYPE_COLORS = ["#4c78a8", "#f58518"]
COUNT_SCHEME = "blues"
GAP_COLOR = "#fbe3e1"
HALF_WIDTH = 380


def to_spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    return chart.configure_view(stroke=None).configure_axis(labelFontSize=11, titleFontSize=12).to_dict()


def period_order(frame: pd.DataFrame) -> list[str]:
    """Period labels ('2025-Q4', '2025-10') in time order, whatever order the rows come in."""
    return frame.sort_values("period_start")["period"].drop_duplicates().tolist()


def studies_by_fm_type(frame: pd.DataFrame) -> dict[str, Any]:
    """Stacked bars: included studies per period, vision-only vs vision-language."""
    data = frame.assign(fm_label=frame["fm_type"].map(FM_TYPE_LABELS).fillna(frame["fm_type"]))
    chart = (
        alt.Chart(data, title="Included studies per period by foundation-model type")
        .mark_bar()
        .encode(
            x=alt.X("period:O", sort=period_order(frame), title=None, axis=alt.Axis(labelAngle=0)),
            y=alt.Y("sum(studies):Q", title="studies"),
            color=alt.Color(
                "fm_label:N",
                title=None,
                scale=alt.Scale(domain=list(FM_TYPE_LABELS.values()), range=FM_TYPE_COLORS),
                legend=alt.Legend(orient="top"),
            ),
            tooltip=["period:O", "fm_label:N", "studies:Q"],
        )
        .properties(width=HALF_WIDTH, height=240)
    )
    return to_spec(chart)


def vision_language_share(frame: pd.DataFrame) -> dict[str, Any]:
    """Line: share of included studies that are vision-language, per period."""
    base = alt.Chart(frame, title="Vision-language share of included studies").encode(
        x=alt.X("period:O", sort=period_order(frame), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("share:Q", title="share", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        tooltip=["period:O", alt.Tooltip("share:Q", format=".1%"), "studies:Q"],
    )
    line = base.mark_line(color=FM_TYPE_COLORS[1], strokeWidth=2.5)
    points = base.mark_point(filled=True, size=70, color=FM_TYPE_COLORS[1])
    return to_spec((line + points).properties(width=HALF_WIDTH, height=240))


def tag_trend_heatmap(frame: pd.DataFrame, title: str, value_title: str) -> dict[str, Any]:
    """Values of one tag dimension (rows, most frequent first) × period, cells = studies."""
    totals = frame.groupby("value")["studies"].sum().sort_values(ascending=False)
    base = alt.Chart(frame, title=title).encode(
        x=alt.X("period:O", sort=period_order(frame), title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("value:N", sort=totals.index.tolist(), title=value_title),
        tooltip=["value:N", "period:O", "studies:Q"],
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("studies:Q", scale=alt.Scale(scheme=COUNT_SCHEME), legend=None)
    )
    labels = base.mark_text(fontSize=11).encode(
        text="studies:Q",
        color=alt.condition(alt.datum.studies > totals.max() / 2, alt.value("white"), alt.value("#333")),
    )
    return to_spec((cells + labels).properties(width=HALF_WIDTH, height=alt.Step(20)))


def dataset_utilization_heatmap(frame: pd.DataFrame) -> dict[str, Any]:
    """Most used datasets (rows) × year, cells = studies using the dataset."""
    totals = frame.groupby("dataset")["studies"].sum().sort_values(ascending=False)
    base = alt.Chart(frame, title="Dataset utilization (top datasets × year)").encode(
        x=alt.X("year:O", title=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("dataset:N", sort=totals.index.tolist(), title=None),
        tooltip=["dataset:N", "year:O", "studies:Q"],
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("studies:Q", scale=alt.Scale(scheme="greens"), title="studies")
    )
    labels = base.mark_text(fontSize=11).encode(text="studies:Q")
    return to_spec((cells + labels).properties(width=HALF_WIDTH, height=alt.Step(20)))


def evidence_coverage_matrix(frame: pd.DataFrame) -> dict[str, Any]:
    """Modality × task with every cell drawn: zero-study cells are pale red and marked as gaps."""
    data = frame.assign(label=frame["studies"].astype(str).where(~frame["is_gap"], "gap"))
    base = alt.Chart(data, title="Evidence coverage: modality × clinical task (pale red = gap)").encode(
        x=alt.X("task:N", title=None, axis=alt.Axis(labelAngle=-35)),
        y=alt.Y("modality:N", title=None),
        tooltip=["modality:N", "task:N", "studies:Q", "is_gap:N"],
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1.5).encode(
        color=alt.condition(
            alt.datum.is_gap,
            alt.value(GAP_COLOR),
            alt.Color("studies:Q", scale=alt.Scale(scheme="purples"), title="studies"),
        )
    )
    high = frame["studies"].max() / 2
    labels = base.mark_text(fontSize=10).encode(
        text="label:N",
        color=alt.when(alt.datum.is_gap)
        .then(alt.value("#b03a2e"))
        .when(alt.datum.studies > high)
        .then(alt.value("white"))
        .otherwise(alt.value("#222")),
    )
    return to_spec((cells + labels).properties(width=alt.Step(62), height=alt.Step(24)))


HARVEST_STATUS_COLORS = {
    "complete": "#54a24b",
    "shortfall": "#e45756",
    "failed": "#b279a2",
    "not searched": "#d9d9d9",
}


def harvest_coverage(frame: pd.DataFrame) -> dict[str, Any]:
    """Source × week: was it searched, did we retrieve what the API reported (shortfalls in red)."""
    base = alt.Chart(frame, title="Harvest coverage: source × week (red = retrieved < reported)").encode(
        x=alt.X("week:O", title="week starting", axis=alt.Axis(labelAngle=-35)),
        y=alt.Y("source:N", title=None),
        tooltip=["source:N", "week:O", "status:N", "reported:Q", "retrieved:Q", "days_since_success:Q"],
    )
    cells = base.mark_rect(stroke="white", strokeWidth=2).encode(
        color=alt.Color(
            "status:N",
            title=None,
            scale=alt.Scale(domain=list(HARVEST_STATUS_COLORS), range=list(HARVEST_STATUS_COLORS.values())),
            legend=alt.Legend(orient="top"),
        )
    )
    labels = base.mark_text(fontSize=10, color="white").encode(text="retrieved_label:N")
    return to_spec((cells + labels).properties(width=alt.Step(70), height=alt.Step(28)))
