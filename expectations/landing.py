"""Gate 1: the landing suite over a batch of (source, window) folders: records.jsonl and run.json.

  landing_records_<source>  one row per landed record: schema, required fields, id pattern,
                            dates inside the record's window, no duplicate (source_id, version)
  landing_runs              one row per window (run.json + counts): run succeeded, retrieved and
                            landed vs the API-reported total within the protocol tolerance, volume
                            against the source's recent windows (zero rows or a cliff fails)
A batch's windows are validated together (GX costs ~1 s per validation whatever the row count),
so each row carries the bounds of its own window as check columns computed in pandas
(window_start/window_end, complete_floor, volume_floor) and the suites compare columns with them.
"""

from __future__ import annotations

import json
import math
import numbers
import re
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from expectations.config import landing_config
from expectations.runner import GateResult, GateSession
from ingestion.contract import RECORD_FIELDS, RUN_FIELDS, search_run_id
from livingreview.config import SOURCES, load_protocol

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations import ExpectationSuite

WINDOW_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d{4}-\d{2}-\d{2})$")
# Columns the gate adds (computed in pandas, then expected like any column).
RECORD_CHECK_COLUMNS = (
    "expected_search_run_id",
    "has_contract_fields",
    "published_ts",
    "updated_ts",
    "window_date",
    "window_start",
    "window_end",
)
# pair expectations skip rows with a null side: the not-null expectations report those
EITHER_MISSING = "either_value_is_missing"
RUN_CHECK_COLUMNS = (
    "expected_search_run_id",
    "record_count",
    "history_windows",
    "trailing_median_per_day",
    "complete_floor",
    "volume_floor",
)


@dataclass(frozen=True)
class LandingWindow:
    path: Path
    source: str
    start: date
    end: date

    @classmethod
    def from_path(cls, path: Path) -> LandingWindow:
        """`.../<source>/<start>_<end>` (the landing contract's folder naming)."""
        path = Path(path)
        match = WINDOW_NAME.match(path.name)
        if not match:
            raise ValueError(f"not a landing window folder (<source>/<start>_<end>): {path}")
        return cls(path, path.parent.name, date.fromisoformat(match[1]), date.fromisoformat(match[2]))

    @property
    def key(self) -> str:
        return search_run_id(self.source, self.start, self.end)

    @property
    def days(self) -> int:
        return max((self.end - self.start).days, 1)


def gate_landing(windows: list[Path]) -> GateResult:
    """Validate the landing windows of a batch; the result lists every failed expectation."""
    import pandas as pd

    problems: list[str] = []
    by_source: dict[str, list[LandingWindow]] = defaultdict(list)
    for path in windows:
        window = LandingWindow.from_path(path)
        missing = [name for name in ("records.jsonl", "run.json") if not (window.path / name).is_file()]
        if missing:
            problems.append(f"{window.key}: missing {', '.join(missing)} in {window.path}")
        else:
            by_source[window.source].append(window)
    session = GateSession("landing")
    run_frames = []
    for source, source_windows in sorted(by_source.items()):
        label = batch_label(source_windows)
        try:
            records = pd.concat([records_frame(window) for window in source_windows], ignore_index=True)
            run_frames.extend(run_frame(window) for window in source_windows)
        except ValueError as error:  # unparsable JSON: nothing to validate column by column
            problems.append(f"{label}: unreadable landing files: {error}")
            continue
        session.validate(records_suite(source), records, label)
    if run_frames:
        session.validate(runs_suite(), pd.concat(run_frames, ignore_index=True), batch_label(windows))
    result = session.finish()
    result.failed_expectations = problems + result.failed_expectations
    result.success = not result.failed_expectations
    return result


def batch_label(windows: list[LandingWindow] | list[Path]) -> str:
    """`arxiv 2025-10-06..2025-11-03 (4 windows)`: names the run in Data Docs and failure messages."""
    windows = [LandingWindow.from_path(window) if isinstance(window, Path) else window for window in windows]
    sources = "+".join(sorted({window.source for window in windows}))
    first, last = min(window.start for window in windows), max(window.end for window in windows)
    return f"{sources} {first}..{last} ({len(windows)} windows)"


# ---------------------------------------------------------------- frames


def read_records(window: LandingWindow) -> list[dict[str, Any]]:
    with open(window.path / "records.jsonl", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def records_frame(window: LandingWindow) -> pd.DataFrame:
    """Records as landed, plus check columns: contract keys present, parsed timestamps, bounds."""
    import pandas as pd

    rows = read_records(window)
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame(columns=list(RECORD_FIELDS))
    frame["expected_search_run_id"] = window.key
    frame["has_contract_fields"] = [set(row) == set(RECORD_FIELDS) for row in rows]
    frame["published_ts"] = _timestamps(frame, "published_at")
    frame["updated_ts"] = _timestamps(frame, "updated_at")
    date_field = landing_config()["window_date_field"][window.source]
    frame["window_date"] = frame[f"{date_field.removesuffix('_at')}_ts"]
    frame["window_start"] = pd.Timestamp(window.start, tz="UTC")
    frame["window_end"] = pd.Timestamp(window.end, tz="UTC")
    return frame


def _timestamps(frame: pd.DataFrame, column: str) -> pd.Series:
    """UTC timestamps; missing or unparsable values become NaT (and fail where required)."""
    import pandas as pd

    if column not in frame:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    return pd.to_datetime(frame[column], utc=True, errors="coerce", format="ISO8601")


def run_frame(window: LandingWindow) -> pd.DataFrame:
    """One row: run.json as written, plus the landed count and the floors this window is held to."""
    import pandas as pd

    run = json.loads((window.path / "run.json").read_text(encoding="utf-8"))
    history = previous_rates(window)
    trailing_median = statistics.median(history) if history else None
    row = {
        **run,
        "expected_search_run_id": window.key,
        "record_count": count_records(window.path),
        "history_windows": len(history),
        "trailing_median_per_day": trailing_median,
        "complete_floor": complete_floor(window.source, run.get("api_reported_total")),
        "volume_floor": volume_floor(window, len(history), trailing_median),
    }
    return pd.DataFrame([row])


def count_records(window_path: Path) -> int:
    with open(window_path / "records.jsonl", encoding="utf-8") as handle:
        return sum(1 for line in handle if line.strip())


def previous_rates(window: LandingWindow) -> list[float]:
    """Records per day of the source's last landed, succeeded windows that end before this one starts."""
    earlier = []
    for sibling in window.path.parent.iterdir():
        if not WINDOW_NAME.match(sibling.name) or not (sibling / "records.jsonl").is_file():
            continue
        other = LandingWindow.from_path(sibling)
        if other.end <= window.start and _succeeded(sibling):
            earlier.append(other)
    recent = sorted(earlier, key=lambda other: other.end)[-landing_config()["volume"]["history_windows"] :]
    return [count_records(other.path) / other.days for other in recent]


def _succeeded(window_path: Path) -> bool:
    try:
        return json.loads((window_path / "run.json").read_text(encoding="utf-8")).get("status") == "succeeded"
    except (OSError, ValueError):
        return False


def complete_floor(source: str, reported: Any) -> int:
    """Fewest records that satisfy the protocol's tolerance of reported-but-not-retrieved records
    (0 when the API reported nothing: the not-null expectation flags that)."""
    if not isinstance(reported, numbers.Real) or math.isnan(reported):
        return 0
    tolerance = float(load_protocol().source(source).get("tolerance", 0.0))
    return math.ceil((1 - tolerance) * float(reported))


def volume_floor(window: LandingWindow, history_windows: int, trailing_median: float | None) -> int:
    """At least one record; with enough history, at least cliff_ratio x the trailing median."""
    volume = landing_config()["volume"]
    if history_windows < volume["min_history"] or trailing_median is None:
        return 1
    # rounded first: 20/7 records a day x 7 days must give 20, not 20.000000000000004
    return max(1, math.ceil(round(volume["cliff_ratio"] * trailing_median * window.days, 6)))


# ---------------------------------------------------------------- suites


def records_suite(source: str) -> ExpectationSuite:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    config = landing_config()
    expectations = [
        gxe.ExpectTableColumnsToMatchSet(
            column_set=[*RECORD_FIELDS, *RECORD_CHECK_COLUMNS], exact_match=True
        ),
        gxe.ExpectColumnValuesToBeInSet(column="has_contract_fields", value_set=[True]),
        *(gxe.ExpectColumnValuesToNotBeNull(column=name) for name in config["required_fields"]),
        gxe.ExpectColumnValuesToBeInSet(column="source", value_set=[source]),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="search_run_id", column_B="expected_search_run_id"),
        gxe.ExpectColumnValuesToMatchRegex(column="source_id", regex=config["id_patterns"][source]),
        gxe.ExpectColumnValuesToBeBetween(column="version", min_value=1),
        gxe.ExpectCompoundColumnsToBeUnique(column_list=["expected_search_run_id", "source_id", "version"]),
        # the date the source's search filters on: present, parsable and inside [start, end)
        gxe.ExpectColumnValuesToNotBeNull(column="window_date"),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="window_date", column_B="window_start", or_equal=True, ignore_row_if=EITHER_MISSING
        ),
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(
            column_A="window_end", column_B="window_date", ignore_row_if=EITHER_MISSING
        ),
    ]
    if source in config["versioned_sources"]:  # a version cannot predate the first version
        expectations.append(
            gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                column_A="updated_ts", column_B="published_ts", or_equal=True, ignore_row_if=EITHER_MISSING
            )
        )
    return gx.ExpectationSuite(name=f"landing_records_{source}", expectations=expectations)


def runs_suite() -> ExpectationSuite:
    import great_expectations as gx
    import great_expectations.expectations as gxe

    def at_least(column: str, floor: str) -> Any:
        return gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A=column, column_B=floor, or_equal=True)

    expectations = [
        gxe.ExpectTableColumnsToMatchSet(column_set=[*RUN_FIELDS, *RUN_CHECK_COLUMNS], exact_match=True),
        gxe.ExpectColumnValuesToBeInSet(column="status", value_set=["succeeded"]),
        gxe.ExpectColumnValuesToBeInSet(column="source", value_set=list(SOURCES)),
        gxe.ExpectColumnPairValuesToBeEqual(column_A="search_run_id", column_B="expected_search_run_id"),
        gxe.ExpectColumnValuesToNotBeNull(column="api_reported_total"),
        gxe.ExpectColumnValuesToNotBeNull(column="retrieved"),
        # completeness: the protocol's tolerance of reported-but-not-retrieved records
        at_least("retrieved", "complete_floor"),
        at_least("record_count", "complete_floor"),
        # volume: zero rows, or a cliff against the trailing median, fails
        at_least("record_count", "volume_floor"),
    ]
    return gx.ExpectationSuite(name="landing_runs", expectations=expectations)
