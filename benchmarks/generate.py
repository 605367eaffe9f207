"""Deterministic scale generator: N realistic records written as landing files (ingestion/contract.py).

    python -m benchmarks.generate --records 1000000 [--data-dir DIR] [--seed 7] [--start 2019-01-07]

Records are spread over consecutive weekly windows (`--per-week`, default 3,000: about the weekly
volume of the protocol's arXiv categories, so 1M records cover the field from 2019 on), and within
a week over the four sources (SOURCE_MIX). Each (source, window) becomes a landing folder
`<data>/landing/<source>/<start>_<end>/` with records.jsonl (keys sorted, rows sorted by
(source_id, version)), run.json (RUN_FIELDS; timestamps and run_uuid derived from the window, so
the same arguments give byte-identical files) and an empty raw/ (nothing was received from an API).

Text comes from the corpus model (benchmarks/corpus_model.py): words, bigrams, lengths and category
sets of the real arXiv listings, no copied text; names are synthetic. The dedup models get real work:
arXiv versions, CSHL v2 re-postings in later windows, Europe PMC articles that are the published
version of an earlier preprint (linked by DOI) and copies with no identifier in common (fuzzy title).
Everything is vectorized (numpy, pyarrow) and serialized by DuckDB: 1M records take seconds.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchmarks.corpus_model import SUCCESSOR_SLOTS, CorpusModel, TextModel, load_model
from ingestion.contract import RECORD_FIELDS, RUN_FIELDS, search_run_id, window_key

DEFAULT_SEED = 7
DEFAULT_START = date(2019, 1, 7)  # a Monday
DEFAULT_PER_WEEK = 3000
CHUNK_RECORDS = 40_000  # records generated and serialized together (bounded memory)
SOURCE_MIX = {"arxiv": 0.80, "medrxiv": 0.06, "biorxiv": 0.04, "europepmc": 0.10}
CSHL_SUBJECTS = {
    "medrxiv": ("radiology and imaging", "health informatics", "pathology", "ophthalmology", "oncology"),
    "biorxiv": ("bioinformatics", "bioengineering", "cancer biology", "neuroscience"),
}
ARXIV_VERSION_LAW = (0.75, 0.20, 0.05)  # share of v1, v2, v3 (the API serves the latest version)
CSHL_REPOSTED = 0.10  # CSHL rows (after a chunk's first week) that are v2 of an earlier preprint
EPMC_PUBLISHED = 0.20  # Europe PMC rows that are the published version of an earlier preprint
EPMC_UNLINKED_COPY = 0.05  # ... of which no identifier says so (only the fuzzy title rule can link)
ARXIV_PER_WINDOW_MAX = 19_000  # arXiv ids YYMM.NNNNN: 5 windows a month x 19,000 numbers fit
EPMC_PER_WINDOW_MAX = 5_000
GENERATOR_VERSION = "bench-1"
SYNTHETIC_COMMENT = "synthetic benchmark record (benchmarks/generate.py)"
RESTART_BITS = 3  # a chain restarts from the unigram law when these bits are all zero: 1 in 8
# Syllables for synthetic names (no real author is named)
ONSETS = (
    "b",
    "ch",
    "d",
    "f",
    "g",
    "h",
    "j",
    "k",
    "l",
    "m",
    "n",
    "p",
    "r",
    "s",
    "sh",
    "t",
    "v",
    "w",
    "y",
    "z",
)
VOWELS = ("a", "e", "i", "o", "u", "ai", "ei", "ou")
CODAS = ("", "", "n", "ng", "r", "s", "l", "k", "m", "t")


@dataclass(frozen=True)
class WindowPlan:
    source: str
    start: date
    end: date
    count: int
    week: int  # index of the window's week in this generation

    @property
    def run_id(self) -> str:
        return search_run_id(self.source, self.start, self.end)


@dataclass(frozen=True)
class GenerationSummary:
    records: int
    windows: int
    first_window: date
    last_window_end: date
    seconds: float
    model_origin: str
    landing: Path

    def line(self) -> str:
        return (
            f"generated {self.records:,} records in {self.windows} windows "
            f"({self.first_window} .. {self.last_window_end}) in {self.seconds:.1f} s; text model: "
            f"{self.model_origin}"
        )


# ---------------------------------------------------------------- plan


def plan_windows(
    records: int, start: date = DEFAULT_START, per_week: int = DEFAULT_PER_WEEK
) -> list[list[WindowPlan]]:
    """Weeks of per-source windows: `records` spread evenly over ceil(records / per_week) weeks."""
    if records < 1:
        raise ValueError("records must be at least 1")
    if start.weekday() != 0:
        raise ValueError(f"windows start on Mondays; {start} is not one")
    weeks = max(1, math.ceil(records / per_week))
    base, extra = divmod(records, weeks)
    plans = []
    for week in range(weeks):
        window_start = start + timedelta(weeks=week)
        counts = split_by_mix(base + (1 if week < extra else 0))
        plans.append(
            [
                WindowPlan(source, window_start, window_start + timedelta(days=7), count, week)
                for source, count in counts.items()
                if count
            ]
        )
    check_capacity(plans)
    return plans


def split_by_mix(total: int) -> dict[str, int]:
    """Largest-remainder split of a week's records over the sources (every source gets one when it can)."""
    exact = {source: share * total for source, share in SOURCE_MIX.items()}
    counts = {source: int(value) for source, value in exact.items()}
    by_remainder = sorted(SOURCE_MIX, key=lambda source: (counts[source] > 0, counts[source] - exact[source]))
    for source in by_remainder[: total - sum(counts.values())]:
        counts[source] += 1
    return counts


def check_capacity(plans: list[list[WindowPlan]]) -> None:
    limits = {"arxiv": ARXIV_PER_WINDOW_MAX, "europepmc": EPMC_PER_WINDOW_MAX}
    for week in plans:
        for window in week:
            if window.count > limits.get(window.source, 10**6):
                raise ValueError(f"{window.run_id}: {window.count} records exceed the id space of a window")


def chunks(plans: list[list[WindowPlan]]) -> list[list[WindowPlan]]:
    """Consecutive weeks grouped into chunks of about CHUNK_RECORDS records."""
    grouped: list[list[WindowPlan]] = [[]]
    size = 0
    for week in plans:
        week_size = sum(window.count for window in week)
        if grouped[-1] and size + week_size > CHUNK_RECORDS:
            grouped.append([])
            size = 0
        grouped[-1].extend(week)
        size += week_size
    return grouped


# ---------------------------------------------------------------- text


def sample_texts(model: TextModel, count: int, rng: np.random.Generator) -> tuple[pa.Array, np.ndarray]:
    """`count` texts from the bigram chain, lengths drawn from the observed lengths.

    Returns the texts longest first and `position`, where text i sits (one string copy saved:
    the caller composes it with its own row order in a single take)."""
    lengths = model.lengths[rng.integers(0, len(model.lengths), count)].astype(np.int64)
    order = np.argsort(-lengths, kind="stable")  # longest first: step t works on a shrinking prefix
    sorted_lengths = lengths[order]
    longest = int(sorted_lengths[0])
    tokens = np.empty((longest, count), dtype=np.int32)  # step-major: each step writes a contiguous run
    tokens[0] = model.starts[rng.integers(0, len(model.starts), count)]
    still_going = np.searchsorted(-sorted_lengths, -np.arange(longest), side="left")
    successors = model.successors.ravel()
    for step in range(1, longest):
        alive = still_going[step]
        tokens[step, :alive] = next_words(model, successors, tokens[step - 1, :alive], rng)
    flat = tokens.T[np.arange(longest) < sorted_lengths[:, None]]
    offsets = pa.array(np.r_[0, np.cumsum(sorted_lengths)], pa.int64())
    words = pa.array(model.words, pa.string()).take(pa.array(flat))
    texts = pc.binary_join(pa.LargeListArray.from_arrays(offsets, words), " ")
    position = np.empty_like(order)
    position[order] = np.arange(count)
    return texts, position


def next_words(
    model: TextModel, successors: np.ndarray, previous: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """One 32-bit draw per word: the low bits pick a successor slot, the next bits decide a restart,
    the rest index the unigram table (a restart also happens where a word has no kept successor)."""
    bits = rng.integers(0, 1 << 32, len(previous), dtype=np.uint32)
    chosen = successors[previous * SUCCESSOR_SLOTS + (bits & (SUCCESSOR_SLOTS - 1))]
    restart = ((bits >> 5) & ((1 << RESTART_BITS) - 1) == 0) | (chosen < 0)
    chosen[restart] = model.unigram[(bits[restart] >> 8) % len(model.unigram)]
    return chosen


# ---------------------------------------------------------------- names


def synthetic_names(rng: np.random.Generator, count: int) -> tuple[pa.Array, pa.Array]:
    """(given name, surname) pairs from syllables; surnames Zipf-distributed like real ones."""
    given, surnames = name_tables()
    zipf = 1.0 / np.arange(1, len(surnames) + 1) ** 0.8
    surname_index = rng.choice(len(surnames), count, p=zipf / zipf.sum())
    return given.take(pa.array(rng.integers(0, len(given), count))), surnames.take(pa.array(surname_index))


@cache
def name_tables() -> tuple[pa.Array, pa.Array]:
    rng = np.random.default_rng(0)  # fixed: the name tables are part of the generator, not the run
    return syllable_words(rng, 600, 2, 2), syllable_words(rng, 4000, 2, 3)


def syllable_words(rng: np.random.Generator, count: int, low: int, high: int) -> pa.Array:
    words = []
    for size in rng.integers(low, high + 1, count):
        parts = [ONSETS[rng.integers(len(ONSETS))] + VOWELS[rng.integers(len(VOWELS))] for _ in range(size)]
        words.append(("".join(parts) + CODAS[rng.integers(len(CODAS))]).capitalize())
    return pa.array(words, pa.string())


def format_names(given: pa.Array, surnames: pa.Array, style: np.ndarray) -> pa.Array:
    """Display names as each source writes them: arXiv `Given Surname`, CSHL `Surname, G.`,
    Europe PMC `Surname G` (style 0, 1, 2)."""
    initial = pc.utf8_slice_codeunits(given, 0, 1)
    arxiv = pc.binary_join_element_wise(given, surnames, " ")
    cshl = pc.binary_join_element_wise(surnames, pc.binary_join_element_wise(initial, "", "."), ", ")
    epmc = pc.binary_join_element_wise(surnames, initial, " ")
    style = pa.array(style)
    return pc.if_else(pc.equal(style, 0), arxiv, pc.if_else(pc.equal(style, 1), cshl, epmc))


# ---------------------------------------------------------------- one chunk


@dataclass
class ChunkRows:
    """Column arrays of one chunk, in (week, source, position) order, before linking."""

    windows: list[WindowPlan]
    window_of_row: np.ndarray
    source: np.ndarray  # str
    position: np.ndarray  # row number within its window


def chunk_rows(windows: list[WindowPlan]) -> ChunkRows:
    window_of_row = np.repeat(np.arange(len(windows)), [window.count for window in windows])
    position = np.concatenate([np.arange(window.count) for window in windows])
    source = np.array([window.source for window in windows])[window_of_row]
    return ChunkRows(windows, window_of_row, source, position)


def generate_chunk(windows: list[WindowPlan], model: CorpusModel, seed: int, chunk_index: int) -> pa.Table:
    rng = np.random.default_rng([seed, chunk_index])
    rows = chunk_rows(windows)
    count = len(rows.source)
    week = np.array([window.week for window in windows])[rows.window_of_row]
    text_of = np.arange(count)  # the row whose title, abstract and authors this row carries
    version = arxiv_versions(rng, rows)
    repost = pick_earlier(
        rng, rows, week, np.isin(rows.source, list(CSHL_SUBJECTS)), CSHL_REPOSTED, same_source=True
    )
    text_of[repost[0]] = repost[1]
    version[repost[0]] = 2
    published = pick_earlier(rng, rows, week, rows.source == "europepmc", EPMC_PUBLISHED, same_source=False)
    text_of[published[0]] = text_of[published[1]]
    ids = identifiers(rows)
    source_id, doi = ids["source_id"].copy(), ids["doi"].copy()
    source_id[repost[0]], doi[repost[0]] = source_id[repost[1]], doi[repost[1]]
    linked = rng.random(len(published[0])) >= EPMC_UNLINKED_COPY / EPMC_PUBLISHED
    published_doi = np.full(count, None, dtype=object)
    arxiv_journal_doi = np.full(count, None, dtype=object)
    preprints, articles = published[1][linked], published[0][linked]
    is_arxiv = rows.source[preprints] == "arxiv"
    arxiv_journal_doi[preprints[is_arxiv]] = doi[articles[is_arxiv]]
    published_doi[preprints[~is_arxiv]] = doi[articles[~is_arxiv]]
    dates = record_dates(rng, rows, version)
    category_lists = categories(rng, model, rows)
    metadata = pa.table(
        {
            "authors": authors(rng, model, rows, text_of),
            "categories": category_lists,
            "comment": pa.array(np.where(rows.source == "arxiv", SYNTHETIC_COMMENT, None), pa.string()),
            "doi": pa.array(np.where(rows.source == "arxiv", arxiv_journal_doi, doi), pa.string()),
            "journal_ref": pa.array(journal_refs(rows, dates["year"]), pa.string()),
            "primary_category": pc.list_element(category_lists, 0),
            "published_at": pa.array(dates["published_at"], pa.string()),
            "published_doi": pa.array(published_doi, pa.string()),
            "search_run_id": pa.array(np.array([window.run_id for window in windows])[rows.window_of_row]),
            "source": pa.array(rows.source),
            "source_id": pa.array(source_id, pa.string()),
            "updated_at": pa.array(dates["updated_at"], pa.string()),
            "url": pa.array(urls(rows.source, source_id, version), pa.string()),
            "version": pa.array(version, pa.int32()),
            "window_row": pa.array(rows.window_of_row, pa.int32()),
        }
    )
    # the landing order (window, then source_id, version) is fixed before the text exists, so the
    # only copy of the text is the take that puts it in that order
    order = np.lexsort((version, source_id.astype(str), rows.window_of_row))
    table = metadata.take(pa.array(order))
    for name, text_model in (("title", model.title), ("abstract", model.abstract)):
        texts, position = sample_texts(text_model, count, rng)
        table = table.append_column(name, texts.take(pa.array(position[text_of[order]])).cast(pa.string()))
    return table


def arxiv_versions(rng: np.random.Generator, rows: ChunkRows) -> np.ndarray:
    versions = rng.choice(np.arange(1, len(ARXIV_VERSION_LAW) + 1), len(rows.source), p=ARXIV_VERSION_LAW)
    return np.where(rows.source == "arxiv", versions, 1).astype(np.int64)


def pick_earlier(
    rng: np.random.Generator,
    rows: ChunkRows,
    week: np.ndarray,
    eligible: np.ndarray,
    share: float,
    same_source: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """(rows, originals): a `share` of eligible rows outside the chunk's first week, each paired
    with a distinct row of an earlier week (same source, or any preprint source)."""
    candidates = np.flatnonzero(eligible & (week > week.min()) & (rng.random(len(week)) < share))
    is_preprint = rows.source != "europepmc"
    chosen, originals, taken = [], [], set()
    for row in candidates:
        in_pool = (week < week[row]) & ((rows.source == rows.source[row]) if same_source else is_preprint)
        pool = np.flatnonzero(in_pool)
        if not len(pool):
            continue
        original = int(pool[rng.integers(len(pool))])
        if original not in taken:  # each original once; a copy is never itself copied
            taken.update((original, int(row)))
            chosen.append(row)
            originals.append(original)
    return np.array(chosen, dtype=np.int64), np.array(originals, dtype=np.int64)


def identifiers(rows: ChunkRows) -> dict[str, np.ndarray]:
    """Ids unique across windows and generations: they derive from the window's date and the row."""
    starts = [window.start for window in rows.windows]
    yymm = np.array([f"{start:%y%m}" for start in starts])[rows.window_of_row]
    week_of_month = np.array([(start.day - 1) // 7 for start in starts])[rows.window_of_row]
    day = np.array([f"{start:%Y.%m.%d}" for start in starts])[rows.window_of_row]
    weeks_since_2000 = np.array([(start - date(2000, 1, 3)).days // 7 for start in starts])[
        rows.window_of_row
    ]
    number = rows.position
    arxiv = np.char.add(
        np.char.add(yymm, "."), np.char.zfill((week_of_month * 19_000 + number + 1).astype(str), 5)
    )
    cshl = np.char.add(np.char.add(np.char.add("10.5555/", day), "."), np.char.zfill(number.astype(str), 6))
    cshl = np.char.add(cshl, np.where(rows.source == "medrxiv", "m", "b"))
    pmid = (90_000_000 + weeks_since_2000 * EPMC_PER_WINDOW_MAX + number).astype(str)
    source_id = np.where(rows.source == "arxiv", arxiv, np.where(rows.source == "europepmc", pmid, cshl))
    epmc_doi = np.char.add("10.5555/bench.j.", pmid)
    doi = np.where(rows.source == "europepmc", epmc_doi, np.where(rows.source == "arxiv", None, cshl))
    return {"source_id": source_id.astype(object), "doi": doi.astype(object)}


def record_dates(rng: np.random.Generator, rows: ChunkRows, version: np.ndarray) -> dict[str, np.ndarray]:
    """Window-dated timestamps: arXiv by v1 submission (published_at), CSHL by the posting of this
    version (updated_at; published_at only for v1), Europe PMC by first publication (day precision)."""
    window_start = np.array([np.datetime64(window.start, "s") for window in rows.windows])[rows.window_of_row]
    offset = rng.integers(0, 7 * 86400, len(version)).astype("timedelta64[s]")
    moment = window_start + offset
    day = moment.astype("datetime64[D]").astype("datetime64[s]")
    revised = moment + (rng.integers(1, 60, len(version)) * 86400).astype("timedelta64[s]")
    is_arxiv = rows.source == "arxiv"
    is_cshl = np.isin(rows.source, list(CSHL_SUBJECTS))
    published = np.where(is_arxiv, moment, day)
    updated = np.where(is_arxiv & (version > 1), revised, published)
    as_text = np.char.add(np.datetime_as_string(published, unit="s"), "Z").astype(object)
    published_text = np.where(is_cshl & (version > 1), None, as_text)
    updated_text = np.char.add(np.datetime_as_string(updated, unit="s"), "Z").astype(object)
    year = moment.astype("datetime64[Y]").astype(np.int64) + 1970
    return {"published_at": published_text, "updated_at": updated_text, "year": year}


def authors(rng: np.random.Generator, model: CorpusModel, rows: ChunkRows, text_of: np.ndarray) -> pa.Array:
    """Author lists: counts from the corpus, synthetic names, formatted per source; a row that
    carries another row's text carries its authors too."""
    count = len(rows.source)
    sizes = model.author_counts[rng.integers(0, len(model.author_counts), count)].astype(np.int64)
    given, surnames = synthetic_names(rng, int(sizes.sum()))
    own_offsets = np.r_[0, np.cumsum(sizes)]
    starts, ends = own_offsets[text_of], own_offsets[text_of + 1]
    lengths = ends - starts
    flat_index = np.repeat(starts - np.r_[0, np.cumsum(lengths)][:-1], lengths) + np.arange(lengths.sum())
    style = np.select([rows.source == "arxiv", rows.source == "europepmc"], [0, 2], 1)
    names = format_names(
        given.take(pa.array(flat_index)), surnames.take(pa.array(flat_index)), np.repeat(style, lengths)
    )
    return pa.ListArray.from_arrays(pa.array(np.r_[0, np.cumsum(lengths)].astype(np.int32)), names)


def categories(rng: np.random.Generator, model: CorpusModel, rows: ChunkRows) -> pa.Array:
    count = len(rows.source)
    arxiv_sets = [list(sets) for sets in model.category_sets]
    picks = model.category_slots[rng.integers(0, len(model.category_slots), count)]
    subject_pick = rng.integers(0, 1 << 30, count)
    values = []
    for source, pick, subject in zip(
        rows.source.tolist(), picks.tolist(), subject_pick.tolist(), strict=True
    ):
        if source == "arxiv":
            values.append(arxiv_sets[pick])
        elif source == "europepmc":
            values.append(["MED", "Journal Article"])
        else:
            subjects = CSHL_SUBJECTS[source]
            values.append([subjects[subject % len(subjects)]])
    return pa.array(values, pa.list_(pa.string()))


def journal_refs(rows: ChunkRows, year: np.ndarray) -> np.ndarray:
    volume = np.char.add("Bench J Med Imaging ", (year - 1980).astype(str))
    return np.where(
        rows.source == "europepmc", np.char.add(np.char.add(volume, ", "), year.astype(str)), None
    )


def urls(source: np.ndarray, source_id: np.ndarray, version: np.ndarray) -> np.ndarray:
    ids = source_id.astype(str)
    suffix = np.char.add("v", version.astype(str))
    arxiv = np.char.add(np.char.add("https://arxiv.org/abs/", ids), suffix)
    medrxiv = np.char.add(np.char.add("https://www.medrxiv.org/content/", ids), suffix)
    biorxiv = np.char.add(np.char.add("https://www.biorxiv.org/content/", ids), suffix)
    epmc = np.char.add("https://europepmc.org/article/MED/", ids)
    return np.select(
        [source == "arxiv", source == "medrxiv", source == "biorxiv"], [arxiv, medrxiv, biorxiv], epmc
    ).astype(object)


# ---------------------------------------------------------------- writing


def write_chunk(connection, table: pa.Table, windows: list[WindowPlan], landing_root: Path) -> None:
    """One JSON line per record, keys sorted; the chunk's rows are already in landing order (window,
    then source_id and version), so each window's lines are one contiguous byte range."""
    connection.register("chunk", table)
    fields = ", ".join(f"{name} := {name}" for name in RECORD_FIELDS_SORTED)
    lines = connection.sql(
        f"""
        select to_json(struct_pack({fields})) || chr(10) as line
        from chunk
        """
    ).to_arrow_table()
    connection.unregister("chunk")
    column = lines.column("line").combine_chunks()
    offsets = np.frombuffer(column.buffers()[1], dtype=np.int32)[
        column.offset : column.offset + len(column) + 1
    ]
    data = memoryview(column.buffers()[2])
    first_row = 0
    for window in windows:
        last_row = first_row + window.count
        write_window(landing_root, window, data[offsets[first_row] : offsets[last_row]])
        first_row = last_row


RECORD_FIELDS_SORTED = tuple(sorted(RECORD_FIELDS))


def write_window(landing_root: Path, window: WindowPlan, records: memoryview) -> Path:
    folder = landing_root / window.source / window_key(window.start, window.end)
    (folder / "raw").mkdir(parents=True, exist_ok=True)
    (folder / "raw" / "index.json").write_text("[]\n", encoding="utf-8")  # no API response was received
    partial = folder / ".records.jsonl.partial"
    partial.write_bytes(records)
    os.replace(partial, folder / "records.jsonl")
    (folder / "run.json").write_text(json.dumps(run_log(window), indent=2) + "\n", encoding="utf-8")
    return folder


def run_log(window: WindowPlan) -> dict:
    """The search-run row of a generated window: honest about its origin, deterministic."""
    finished = f"{window.end.isoformat()}T06:00:00Z"
    run = {
        "search_run_id": window.run_id,
        "run_uuid": uuid.uuid5(uuid.NAMESPACE_URL, f"livingreview-bench:{window.run_id}").hex,
        "source": window.source,
        "endpoint": "generated://benchmarks.generate",
        "query": f"synthetic records for {window.source} (benchmarks/generate.py)",
        "params": {"generator": GENERATOR_VERSION},
        "window_start": f"{window.start.isoformat()}T00:00:00Z",
        "window_end": f"{window.end.isoformat()}T00:00:00Z",
        "started_at": finished,
        "finished_at": finished,
        "api_reported_total": window.count,
        "retrieved": window.count,
        "pages": 1,
        "requests": 1,
        "retries": 0,
        "http_errors": [],
        "status": "succeeded",
        "error": None,
        "protocol_version": "benchmark",
        "code_version": GENERATOR_VERSION,
    }
    if tuple(run) != RUN_FIELDS:
        raise ValueError("run.json must follow the contract's fields, in order")
    return run


# ---------------------------------------------------------------- entry points


def generate_landing(
    landing_root: Path,
    records: int,
    seed: int = DEFAULT_SEED,
    start: date = DEFAULT_START,
    per_week: int = DEFAULT_PER_WEEK,
    model: CorpusModel | None = None,
    cache_dir: Path | None = None,
) -> GenerationSummary:
    """Write `records` generated records as landing windows under `landing_root`."""
    import duckdb

    started = time.monotonic()
    model = model or load_model(cache_dir)
    plans = plan_windows(records, start, per_week)
    connection = duckdb.connect()
    connection.execute("set enable_progress_bar = false")
    for index, windows in enumerate(chunks(plans)):
        write_chunk(connection, generate_chunk(windows, model, seed, index), windows, landing_root)
    connection.close()
    flat = [window for week in plans for window in week]
    return GenerationSummary(
        records=records,
        windows=len(flat),
        first_window=flat[0].start,
        last_window_end=flat[-1].end,
        seconds=time.monotonic() - started,
        model_origin=model.origin,
        landing=landing_root,
    )


def main(argv: list[str] | None = None) -> None:
    from livingreview.config import data_dir, landing_dir

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--data-dir", type=Path, help="default: LIVINGREVIEW_DATA_DIR (./data)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--start", type=date.fromisoformat, default=DEFAULT_START, help="a Monday")
    parser.add_argument("--per-week", type=int, default=DEFAULT_PER_WEEK)
    arguments = parser.parse_args(argv)
    if arguments.data_dir:
        os.environ["LIVINGREVIEW_DATA_DIR"] = str(arguments.data_dir.resolve())
    summary = generate_landing(
        landing_dir(),
        arguments.records,
        seed=arguments.seed,
        start=arguments.start,
        per_week=arguments.per_week,
        cache_dir=data_dir() / "bench" / "cache",
    )
    print(summary.line())


if __name__ == "__main__":
    main()
