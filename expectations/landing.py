"""Gate 1: the landing suite over a batch of (source, window) folders: records.jsonl and run.json.

  landing_records_<source>  one row per landed record: schema, required fields, id pattern,
                            dates inside the record's window, no duplicate (source_id, version)
  landing_runs              one row per window (run.json + counts): run succeeded, retrieved and
                            landed vs the API-reported total within the protocol tolerance, volume
                            against the source's recent windows (zero rows or a cliff fails)

Reading (the batch can be a whole backfill, 1M records and 1.8 GB of JSON): DuckDB scans each
source's records.jsonl files once (`read_json_objects`, streamed, in an in-memory DuckDB capped at
DUCKDB_MEMORY_LIMIT; no text leaves DuckDB) and computes, per record, its keys and the JSON of the
checked fields only. From these it flags every record that could fail a records expectation (a
superset: any value not in the plain, obviously valid form is flagged, so Python's re and pandas'
date parsing still decide; duplicates are found over a coarse hash of (window, source_id,
version), and the windows holding a duplicated key are read a second time). GX then validates the
flagged records plus every record of the source's newest window in the batch (a weekly refresh has
one window per source, so there GX sees every record, as before). The frames GX gets are built from
the fields' JSON with json.loads, as before; title and url, which are only checked for null, arrive
as a presence flag (true, or null when null or missing) and the unchecked fields (abstract,
authors, ...) as empty columns, so the column-set expectation still sees every key any record of
the batch carries. Failure counts and examples are those of the whole batch; the row totals and
percentages in Data Docs are those of the frame validated. Record counts per window come from the
same scan (windows outside the batch, read for the volume history, are counted once per run).

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
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from expectations.config import landing_config
from expectations.runner import GateResult, GateSession
from ingestion.contract import RECORD_FIELDS, RUN_FIELDS, search_run_id
from livingreview.config import SOURCES, load_protocol

if TYPE_CHECKING:
    import duckdb
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
# Record fields the records suite reads the values of (their JSON is extracted per record).
VALUE_FIELDS = ("source", "source_id", "version", "search_run_id", "published_at", "updated_at")
# Record fields only checked for null: handed to GX as a presence flag, never as text.
FLAG_FIELDS = ("title", "url")
EXTRACTED = (*VALUE_FIELDS, *FLAG_FIELDS)
# A timestamp both DuckDB and pandas read the same way (anything else is left to pandas to judge).
PLAIN_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$"
# Printable ASCII: where RE2 (DuckDB) and Python's re agree on \d, \S, $ and the like.
PLAIN_TEXT = r"^[ -~]*$"
DUCKDB_MEMORY_LIMIT = "512MB"


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

    @property
    def records_file(self) -> Path:
        return self.path / "records.jsonl"


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
    history = LandingHistory()
    records: dict[str, tuple[str, pd.DataFrame]] = {}
    with landing_connection() as connection:  # closed (memory released) before GX runs
        for source, source_windows in sorted(by_source.items()):
            label = batch_label(source_windows)
            try:
                records[source] = (label, records_frame(connection, source, source_windows, history))
            except (ValueError, *_read_errors()) as error:  # unparsable JSON: nothing to validate
                problems.append(f"{label}: unreadable landing files: {error}")
    run_frames = [run_frame(window, history) for source in records for window in by_source[source]]
    for source, (label, frame) in records.items():
        session.validate(records_suite(source), frame, label)
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


# ---------------------------------------------------------------- reading the records


def _read_errors() -> tuple[type[Exception], ...]:
    """What DuckDB raises on a file it cannot read or parse (malformed JSON, an unreadable file)."""
    import duckdb

    return duckdb.InvalidInputException, duckdb.IOException


@contextmanager
def landing_connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB for the scans: UTC (timestamps without offset are UTC, as in pandas),
    bounded memory spilling to a private temporary folder, no progress bar."""
    import duckdb

    with tempfile.TemporaryDirectory(prefix="livingreview-gate-") as spill:
        config = {"memory_limit": DUCKDB_MEMORY_LIMIT, "temp_directory": spill}
        with duckdb.connect(config=config) as connection:
            connection.execute("set TimeZone = 'UTC'")
            connection.execute("set enable_progress_bar = false")
            connection.execute("set preserve_insertion_order = false")
            yield connection


@dataclass
class ScannedRecords:
    """What the scan of one source's windows returns: counts per window and the rows for GX."""

    counts: list[int]  # records per window, in the order of the windows scanned
    contract_rows: int  # records carrying exactly the contract's fields
    # (window index, has_contract_fields, the record's keys when not the contract's, *EXTRACTED JSON)
    rows: list[tuple[Any, ...]]


def scan_records(
    connection: duckdb.DuckDBPyConnection, source: str, windows: list[LandingWindow]
) -> ScannedRecords:
    """One pass over the source's records.jsonl files: counts, and the records GX must see (every
    record that may fail an expectation, and every record of the newest window). Duplicate keys
    are found after the pass, over a hash per record; the records of a duplicated key that were
    not kept (only in a failing batch) are read again, from their windows only."""
    config = landing_config()
    newest = max(range(len(windows)), key=lambda index: windows[index].end)
    connection.execute(
        "create or replace temp table window_bounds (window_index integer, expected_search_run_id varchar,"
        " window_start timestamptz, window_end timestamptz, is_newest boolean)"
    )
    connection.executemany(
        "insert into window_bounds values (?, ?, ?, ?, ?)",
        [
            (index, window.key, f"{window.start}T00:00:00Z", f"{window.end}T00:00:00Z", index == newest)
            for index, window in enumerate(windows)
        ],
    )
    connection.execute("create or replace temp table duplicate_keys (duplicate_key ubigint)")
    parameters = {
        "source": source,
        "contract": sorted(RECORD_FIELDS),
        "id_pattern": id_pattern_for_sql(connection, config["id_patterns"][source]),
        "plain_text": PLAIN_TEXT,
        "plain_timestamp": PLAIN_TIMESTAMP,
    }
    extracted = ", ".join(f"{name}_json" for name in EXTRACTED)
    kept = f"window_index, has_contract_fields, other_keys, {extracted}"

    def scan(indexes: list[int]) -> None:
        files = [str(windows[index].records_file) for index in indexes]
        connection.execute(
            "create or replace temp table batch_windows (filename varchar, window_index integer)"
        )
        connection.executemany(
            "insert into batch_windows values (?, ?)",
            [[str(windows[index].records_file), index] for index in indexes],
        )
        connection.execute(
            f"create or replace temp table scanned as {scan_sql(source)}", {**parameters, "files": files}
        )

    scan(list(range(len(windows))))
    per_window = dict(
        connection.execute("select window_index, count(*) from scanned group by window_index").fetchall()
    )
    [(contract_rows,)] = connection.execute(
        "select count(*) from scanned where has_contract_fields"
    ).fetchall()
    rows = connection.execute(f"select {kept} from scanned where handed").fetchall()
    connection.execute(
        "insert into duplicate_keys"
        " select duplicate_key from scanned group by duplicate_key having count(*) > 1"
    )
    unread = connection.execute(
        "select distinct window_index from scanned"
        " where not handed and duplicate_key in (select duplicate_key from duplicate_keys)"
    ).fetchall()
    if unread:  # the other records of a duplicated (source_id, version): read those windows again
        scan(sorted(index for (index,) in unread))
        rows += connection.execute(f"select {kept} from scanned where handed and not flagged").fetchall()
    connection.execute("drop table scanned")
    return ScannedRecords([per_window.get(index, 0) for index in range(len(windows))], contract_rows, rows)


def id_pattern_for_sql(connection: duckdb.DuckDBPyConnection, pattern: str) -> str:
    """The id pattern when RE2 compiles it, else one no id matches (every record is flagged and
    Python's re decides)."""
    import duckdb

    try:
        connection.execute("select regexp_matches('', ?)", [pattern])
    except duckdb.Error:
        return r"^\b\B$"
    return pattern


def scan_sql(source: str) -> str:
    """Per record: window, keys, a hash of its (source_id, version), `flagged` (of the newest
    window, or may fail an expectation), `handed` (flagged, or its key is in duplicate_keys), and
    the checked fields' JSON when handed.

    The rules over-approximate the records suite row by row: anything not plainly valid is flagged
    (a non-string where a string is expected, a non-integer version, an id with characters outside
    printable ASCII, a timestamp not in the plain `...T..:..:..Z` form, ...).
    """
    config = landing_config()
    date_field = config["window_date_field"][source]
    paths = ", ".join(f"'$.{name}'" for name in EXTRACTED)

    def text(name: str) -> str:
        return f"(values_[{EXTRACTED.index(name) + 1}] ->> '$')"

    def kind(name: str) -> str:
        return f"json_type(values_[{EXTRACTED.index(name) + 1}])"

    def plain_ts(name: str) -> str:
        return (
            f"coalesce({kind(name)} = 'VARCHAR' and regexp_matches({text(name)}, $plain_timestamp)"
            f" and try_cast({text(name)} as timestamptz) is not null, false)"
        )

    def ts(name: str) -> str:
        return f"try_cast({text(name)} as timestamptz)"

    version = text("version")
    # grouped more coarsely than pandas compares: 1, 1.0, "1" and true fall together, and every
    # version that is no number falls with the missing ones
    version_key = f"coalesce(try_cast({version} as double), case {version} when 'true' then 1 end)"
    rules = [
        # not exactly the contract's keys as the writer writes them (sorted, once): a missing or
        # extra field, and a repeated key too (Python keeps its last value, DuckDB its first)
        "not has_contract_keys",
        *(f"{kind(name)} is distinct from 'VARCHAR'" for name in ("source", "source_id", "search_run_id")),
        *(f"{kind(name)} is distinct from 'VARCHAR'" for name in FLAG_FIELDS),
        f"{text('source')} is distinct from $source",
        f"not regexp_matches({text('source_id')}, $id_pattern)",
        f"not regexp_matches({text('source_id')}, $plain_text)",
        f"{kind('version')} not in ('BIGINT', 'UBIGINT')",
        f"try_cast({text('version')} as hugeint) < 1",
        f"{text('search_run_id')} is distinct from bounds.expected_search_run_id",
        f"not {plain_ts(date_field)}",
        f"{ts(date_field)} < bounds.window_start",
        f"{ts(date_field)} >= bounds.window_end",
    ]
    if source in config["versioned_sources"]:  # updated_ts >= published_ts where both parse
        rules += [
            f"{text(name)} is not null and not {plain_ts(name)}" for name in ("published_at", "updated_at")
        ]
        # a side that is null or unparsable is skipped by the pair expectation (either_value_is_missing)
        rules.append(f"coalesce({ts('updated_at')} < {ts('published_at')}, false)")
    suspect = "\n            or ".join(f"coalesce({rule}, true)" for rule in rules)  # unknown: suspect
    extracted = ",\n        ".join(
        f"case when handed then values_[{index}] end as {name}_json"
        if name in VALUE_FIELDS
        else f"case when not handed then null when values_[{index}] ->> '$' is not null then 'true'"
        f" when values_[{index}] is not null then 'null' end as {name}_json"
        for index, name in enumerate(EXTRACTED, start=1)
    )
    # a hash per (window, source_id, version), grouped more coarsely than pandas compares
    duplicate_key = f"hash(records.window_index, {text('source_id')}, {version_key})"
    return f"""
    with parsed as (
        select
            batch_windows.window_index,
            json_keys(raw.json) as all_keys,
            json_extract(raw.json, [{paths}]) as values_
        from read_json_objects($files, format = 'newline_delimited', filename = true) as raw
        inner join batch_windows on raw.filename = batch_windows.filename
    ),

    records as (
        -- the writer writes the contract's keys sorted, once: keep the list only when it differs
        select
            window_index,
            all_keys = $contract as has_contract_keys,
            case when not has_contract_keys then all_keys end as keys,
            values_
        from parsed
    ),

    checked as (
        select
            records.window_index,
            bounds.is_newest,
            -- compared as sets, as Python does (a repeated key counts once)
            coalesce(has_contract_keys or list_sort(list_distinct(keys)) = $contract, false)
                as has_contract_fields,
            case when not has_contract_fields then keys end as other_keys,
            values_,
            {duplicate_key} as duplicate_key,
            (
            {suspect}
            ) or bounds.is_newest as flagged
        from records
        inner join window_bounds as bounds on records.window_index = bounds.window_index
    ),

    marked as (
        select
            *,
            flagged or duplicate_key in (select duplicate_key from duplicate_keys) as handed
        from checked
    )

    select
        window_index,
        has_contract_fields,
        duplicate_key,
        flagged,
        handed,
        case when handed then other_keys end as other_keys,
        {extracted}
    from marked
    """


def records_frame(
    connection: duckdb.DuckDBPyConnection,
    source: str,
    windows: list[LandingWindow],
    history: LandingHistory,
) -> pd.DataFrame:
    """The records GX validates for one source (see the module docstring), plus check columns:
    contract keys present, parsed timestamps, the bounds of each record's window."""
    import pandas as pd

    scanned = scan_records(connection, source, windows)
    history.counts.update({window.path: count for window, count in zip(windows, scanned.counts, strict=True)})
    records = [
        {
            name: json.loads(value)
            for name, value in zip(EXTRACTED, values, strict=True)
            if value is not None  # a field the record does not have: missing, as in pandas
        }
        for _, _, _, *values in scanned.rows
    ]
    frame = pd.DataFrame.from_records(records) if records else pd.DataFrame()
    for name in landed_keys(scanned):  # every key some record carries is a column, as in pandas
        if name not in frame:
            frame[name] = pd.Series(None, index=frame.index, dtype=object)
    for name in FLAG_FIELDS:  # null as NaN, as in the text column pandas made of the field before
        if name in frame:
            frame[name] = frame[name].where(frame[name].notna(), float("nan"))
    window_of = [windows[row[0]] for row in scanned.rows]
    frame["expected_search_run_id"] = [window.key for window in window_of]
    frame["has_contract_fields"] = [bool(row[1]) for row in scanned.rows]
    frame["published_ts"] = _timestamps(frame, "published_at")
    frame["updated_ts"] = _timestamps(frame, "updated_at")
    date_field = landing_config()["window_date_field"][source]
    frame["window_date"] = frame[f"{date_field.removesuffix('_at')}_ts"]
    for bound in ("start", "end"):
        days = pd.to_datetime([getattr(window, bound) for window in window_of])
        frame[f"window_{bound}"] = pd.Series(days, index=frame.index).dt.tz_localize("UTC")
    return frame


def landed_keys(scanned: ScannedRecords) -> list[str]:
    """The keys of every record scanned (the columns pandas would have made of them all): the
    contract's when a record has exactly those or a window is empty, plus the keys of the others."""
    keys: dict[str, None] = {}
    if scanned.contract_rows or not all(scanned.counts):  # pandas gave an empty window these
        keys.update(dict.fromkeys(RECORD_FIELDS))
    for row in scanned.rows:
        keys.update(dict.fromkeys(row[2] or ()))
    return list(keys)


def _timestamps(frame: pd.DataFrame, column: str) -> pd.Series:
    """UTC timestamps; missing or unparsable values become NaT (and fail where required)."""
    import pandas as pd

    if column not in frame:
        return pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns, UTC]")
    return pd.to_datetime(frame[column], utc=True, errors="coerce", format="ISO8601")


# ---------------------------------------------------------------- the run log and volume


@dataclass
class LandingHistory:
    """Record counts and succeeded windows per source folder, read once per gate run (a backfill
    asks for the history of every window: without this each file was counted 9 times)."""

    counts: dict[Path, int] = field(default_factory=dict)
    siblings: dict[Path, list[LandingWindow]] = field(default_factory=dict)

    def count(self, window: LandingWindow) -> int:
        if window.path not in self.counts:
            self.counts[window.path] = count_records(window.path)
        return self.counts[window.path]

    def landed_windows(self, source_folder: Path) -> list[LandingWindow]:
        """The source's landed windows (a records file present), by end; run status not read yet."""
        if source_folder not in self.siblings:
            self.siblings[source_folder] = sorted(
                (
                    LandingWindow.from_path(sibling)
                    for sibling in _window_folders(source_folder.iterdir())
                    if (sibling / "records.jsonl").is_file()
                ),
                key=lambda other: other.end,
            )
        return self.siblings[source_folder]

    def recent_succeeded(self, window: LandingWindow, limit: int) -> list[LandingWindow]:
        """Up to `limit` succeeded windows of the source ending before `window` starts, oldest first.
        Walks back from the newest, so a long history costs `limit` run.json reads, not one per window."""
        found: list[LandingWindow] = []
        for other in reversed(self.landed_windows(window.path.parent)):
            if len(found) == limit:
                break
            if other.end <= window.start and _succeeded(other.path):
                found.append(other)
        return found[::-1]


def _window_folders(paths: Iterable[Path]) -> list[Path]:
    return [path for path in paths if WINDOW_NAME.match(path.name)]


def run_frame(window: LandingWindow, history: LandingHistory | None = None) -> pd.DataFrame:
    """One row: run.json as written, plus the landed count and the floors this window is held to."""
    import pandas as pd

    history = history or LandingHistory()
    run = json.loads((window.path / "run.json").read_text(encoding="utf-8"))
    rates = previous_rates(window, history)
    trailing_median = statistics.median(rates) if rates else None
    row = {
        **run,
        "expected_search_run_id": window.key,
        "record_count": history.count(window),
        "history_windows": len(rates),
        "trailing_median_per_day": trailing_median,
        "complete_floor": complete_floor(window.source, run.get("api_reported_total")),
        "volume_floor": volume_floor(window, len(rates), trailing_median),
    }
    return pd.DataFrame([row])


def count_records(window_path: Path) -> int:
    with open(window_path / "records.jsonl", "rb") as handle:
        return sum(1 for line in handle if line.strip())


def previous_rates(window: LandingWindow, history: LandingHistory | None = None) -> list[float]:
    """Records per day of the source's last landed, succeeded windows that end before this one starts."""
    history = history or LandingHistory()
    recent = history.recent_succeeded(window, landing_config()["volume"]["history_windows"])
    return [history.count(other) / other.days for other in recent]


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
