"""A statistical model of the real arXiv listings, for generating realistic text without copying any.

What is kept from the corpus (`<shared data>/arxiv/daily_listings/by_month/`) is counts only:
  - word frequencies of titles and abstracts (a word is kept only when at least MIN_DOCS records
    use it, so names, URLs and other rare strings never reach the output),
  - bigram frequencies among kept words (a bigram is kept only when it occurs MIN_BIGRAMS times),
  - the empirical distributions of title and abstract lengths (in words), of author counts and of
    arXiv category sets.
Text is then generated word by word from the bigram chain, restarting from the unigram distribution
one time in eight, so sentences read like the field's abstracts but no record is reproduced.

Without the corpus a built-in vocabulary stands in (unigram only, fixed length distributions).
Fitting takes a few seconds; the fitted model is cached as an .npz keyed on the corpus files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MIN_DOCS = 5  # a word used by fewer records is too specific to reuse
MIN_BIGRAMS = 3
SUCCESSOR_SLOTS = 32  # each word's successor distribution, quantized to this many slots
UNIGRAM_SLOTS = 1 << 20
MAX_AUTHORS = 50
CORPUS_SAMPLE_EVERY = 4  # fit on every fourth record (15k): plenty for frequencies, a quarter of the time

BUILTIN_WORDS = (
    "we", "propose", "a", "foundation", "model", "for", "medical", "image", "segmentation", "and",
    "classification", "the", "of", "in", "to", "with", "on", "is", "that", "this", "by", "from", "are",
    "our", "an", "as", "which", "be", "method", "results", "performance", "data", "learning", "deep",
    "network", "training", "pretrained", "vision", "language", "models", "images", "clinical",
    "patients", "dataset", "datasets", "task", "tasks", "self-supervised", "contrastive", "zero-shot",
    "fine-tuning", "transformer", "encoder", "features", "representation", "radiology", "pathology",
    "ct", "mri", "x-ray", "ultrasound", "report", "generation", "detection", "accuracy",
    "state-of-the-art", "experiments", "show", "outperforms", "existing", "approaches", "benchmark",
    "evaluation", "large-scale", "multimodal", "text", "visual", "across", "diverse", "downstream",
    "robust", "generalization", "novel", "framework",
)  # fmt: skip
BUILTIN_CATEGORY_SETS = (("cs.CV",), ("cs.CV", "cs.AI"), ("eess.IV", "cs.CV"), ("cs.LG", "cs.CV"), ("cs.AI",))


@dataclass(frozen=True)
class TextModel:
    """Word ids index `words`; every table is sampled by a uniform index into it."""

    words: list[str]
    unigram: np.ndarray  # int32 slot table: word ids repeated in proportion to frequency
    starts: np.ndarray  # int32 slot table of first words
    successors: np.ndarray  # int32 [V, SUCCESSOR_SLOTS]; -1 where a word has no kept successor
    lengths: np.ndarray  # int32 observed lengths in words (sampled uniformly = empirical law)


@dataclass(frozen=True)
class CorpusModel:
    title: TextModel
    abstract: TextModel
    category_sets: list[tuple[str, ...]]
    category_slots: np.ndarray  # int32 slot table over category_sets
    author_counts: np.ndarray  # int32 observed author counts
    origin: str


def listings_folder() -> Path:
    from livingreview.config import shared_data_dir

    return shared_data_dir() / "arxiv" / "daily_listings" / "by_month"


def load_model(cache_dir: Path | None = None, folder: Path | None = None) -> CorpusModel:
    """The model of the real listings (cached under `cache_dir`), or the built-in fallback."""
    folder = folder or listings_folder()
    files = sorted(folder.glob("????-??.jsonl.gz")) if folder.is_dir() else []
    if not files:
        return builtin_model()
    cache = (cache_dir / f"corpus_model_{corpus_fingerprint(files)}.npz") if cache_dir else None
    if cache and cache.is_file():
        return read_model(cache, origin=f"real arXiv listings at {folder} (cached model)")
    model = fit_model(files, origin=f"real arXiv listings at {folder}")
    if cache:
        write_model(model, cache)
    return model


def corpus_fingerprint(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(f"{path.name}:{path.stat().st_size}\n".encode())
    digest.update(f"{MIN_DOCS}:{MIN_BIGRAMS}:{SUCCESSOR_SLOTS}:{CORPUS_SAMPLE_EVERY}".encode())
    return digest.hexdigest()[:16]


# ---------------------------------------------------------------- fitting


def fit_model(files: list[Path], origin: str) -> CorpusModel:
    import duckdb

    glob = [str(path) for path in files]
    connection = duckdb.connect()
    connection.execute("set enable_progress_bar = false")
    table = connection.sql(
        """
        select title, summary, categories, len(authors) as n_authors
        from read_json($files, format = 'newline_delimited',
            columns = {id: 'varchar', title: 'varchar', summary: 'varchar',
                       categories: 'varchar[]', authors: 'varchar[]'})
        qualify row_number() over (order by id) % $every = 0
        order by id
        """,
        params={"files": glob, "every": CORPUS_SAMPLE_EVERY},
    ).to_arrow_table()
    category_sets, category_slots = fit_categories(table.column("categories").to_pylist())
    authors = np.clip(np.asarray(table.column("n_authors").fill_null(1)), 1, MAX_AUTHORS).astype(np.int32)
    return CorpusModel(
        title=fit_text(table.column("title")),
        abstract=fit_text(table.column("summary")),
        category_sets=category_sets,
        category_slots=category_slots,
        author_counts=authors,
        origin=origin,
    )


def fit_text(column) -> TextModel:
    """Word and bigram frequencies of one text column (pyarrow), vectorized end to end."""
    import pyarrow.compute as pc

    lists = pc.utf8_split_whitespace(column.combine_chunks().fill_null(""))
    parents = np.asarray(pc.list_parent_indices(lists))
    encoded = pc.dictionary_encode(pc.list_flatten(lists))
    ids = np.asarray(encoded.indices).astype(np.int64)
    vocabulary = encoded.dictionary.to_pylist()
    kept = np.flatnonzero(document_frequency(parents, ids, len(vocabulary)) >= MIN_DOCS)
    # renumber kept words 0..K-1 in a fixed order (most frequent first, then alphabetical)
    counts = np.bincount(ids, minlength=len(vocabulary))
    kept = sorted(kept.tolist(), key=lambda word: (-counts[word], vocabulary[word]))
    new_id = np.full(len(vocabulary), -1, dtype=np.int64)
    new_id[kept] = np.arange(len(kept))
    words = [vocabulary[word] for word in kept]
    mapped = new_id[ids]
    first_positions = np.flatnonzero(np.r_[True, parents[1:] != parents[:-1]])
    lengths = np.asarray(pc.list_value_length(lists)).astype(np.int32)
    return TextModel(
        words=words,
        unigram=slot_table(np.bincount(mapped[mapped >= 0], minlength=len(words)), UNIGRAM_SLOTS),
        starts=slot_table(np.bincount(_kept(mapped[first_positions]), minlength=len(words)), 1 << 16),
        successors=successor_table(mapped, parents, len(words)),
        lengths=lengths[lengths > 0],
    )


def _kept(ids: np.ndarray) -> np.ndarray:
    return ids[ids >= 0]


def document_frequency(parents: np.ndarray, ids: np.ndarray, vocabulary_size: int) -> np.ndarray:
    pairs, _ = sorted_unique(parents.astype(np.int64) * vocabulary_size + ids)
    return np.bincount(pairs % vocabulary_size, minlength=vocabulary_size)


def sorted_unique(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values and their counts, by sorting (numpy's hash-based unique is several times
    slower on millions of int64 keys)."""
    ordered = np.sort(values)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return ordered[starts], np.diff(np.r_[starts, len(ordered)])


def successor_table(mapped: np.ndarray, parents: np.ndarray, vocabulary_size: int) -> np.ndarray:
    """[V, SUCCESSOR_SLOTS] word ids: row a holds a's kept successors in proportion to their counts."""
    same_record = parents[:-1] == parents[1:]
    first, second = mapped[:-1][same_record], mapped[1:][same_record]
    both_kept = (first >= 0) & (second >= 0)
    keys, counts = sorted_unique(first[both_kept] * vocabulary_size + second[both_kept])
    frequent = counts >= MIN_BIGRAMS
    keys, counts = keys[frequent], counts[frequent]
    table = np.full((vocabulary_size, SUCCESSOR_SLOTS), -1, dtype=np.int32)
    heads = keys // vocabulary_size
    bounds = np.searchsorted(heads, np.arange(vocabulary_size + 1))
    for head in np.flatnonzero(bounds[1:] > bounds[:-1]):
        start, end = bounds[head], bounds[head + 1]
        table[head] = slot_table(counts[start:end], SUCCESSOR_SLOTS, ids=keys[start:end] % vocabulary_size)
    return table


def slot_table(counts: np.ndarray, slots: int, ids: np.ndarray | None = None) -> np.ndarray:
    """Ids repeated in proportion to counts, exactly `slots` long (largest remainder: ids too rare
    for a whole slot may get none). Sampling a uniform index draws from the empirical law."""
    ids = np.arange(len(counts)) if ids is None else ids
    total = counts.sum()
    if total == 0:
        return np.zeros(1, dtype=np.int32)
    exact = counts / total * slots
    whole = np.floor(exact).astype(np.int64)
    short = slots - whole.sum()
    if short > 0:
        whole[np.argsort(-(exact - whole), kind="stable")[:short]] += 1
    return np.repeat(ids, whole).astype(np.int32)


def fit_categories(category_lists: list[list[str] | None]) -> tuple[list[tuple[str, ...]], np.ndarray]:
    """Observed arXiv category sets (ACM/MSC class strings like 'I.4.6' dropped), as a slot table."""
    from collections import Counter

    sets = Counter(
        tuple(category for category in (categories or []) if _is_arxiv_category(category))
        for categories in category_lists
    )
    sets.pop((), None)
    ordered = sorted(sets.items(), key=lambda item: (-item[1], item[0]))
    kept = [(categories, count) for categories, count in ordered if count >= MIN_DOCS]
    counts = np.array([count for _, count in kept])
    return [categories for categories, _ in kept], slot_table(counts, 1 << 16)


def _is_arxiv_category(text: str) -> bool:
    archive, _, subject = text.partition(".")
    return bool(subject) and archive.isalpha() and archive.islower() and subject.replace("-", "").isalpha()


def builtin_model() -> CorpusModel:
    """No corpus: a fixed vocabulary with Zipf weights, unigram only, plausible lengths."""
    words = list(BUILTIN_WORDS)
    zipf = (1.0 / np.arange(1, len(words) + 1)) * 1000
    no_successors = np.full((len(words), SUCCESSOR_SLOTS), -1, dtype=np.int32)
    unigram = slot_table(zipf, UNIGRAM_SLOTS)

    def text_model(low: int, high: int) -> TextModel:
        return TextModel(words, unigram, unigram, no_successors, np.arange(low, high + 1, dtype=np.int32))

    return CorpusModel(
        title=text_model(6, 16),
        abstract=text_model(120, 260),
        category_sets=list(BUILTIN_CATEGORY_SETS),
        category_slots=np.arange(len(BUILTIN_CATEGORY_SETS), dtype=np.int32),
        author_counts=np.arange(1, 9, dtype=np.int32),
        origin="built-in vocabulary (no arXiv listings found)",
    )


# ---------------------------------------------------------------- cache


def write_model(model: CorpusModel, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial.npz")
    arrays = {"categories": np.array(["\t".join(sets) for sets in model.category_sets])}
    for name in ("title", "abstract"):
        text: TextModel = getattr(model, name)
        arrays |= {
            f"{name}_words": np.array(text.words),
            f"{name}_unigram": text.unigram,
            f"{name}_starts": text.starts,
            f"{name}_successors": text.successors,
            f"{name}_lengths": text.lengths,
        }
    np.savez(partial, category_slots=model.category_slots, author_counts=model.author_counts, **arrays)
    partial.replace(path)


def read_model(path: Path, origin: str) -> CorpusModel:
    with np.load(path) as data:

        def text_model(name: str) -> TextModel:
            return TextModel(
                words=data[f"{name}_words"].tolist(),
                unigram=data[f"{name}_unigram"],
                starts=data[f"{name}_starts"],
                successors=data[f"{name}_successors"],
                lengths=data[f"{name}_lengths"],
            )

        return CorpusModel(
            title=text_model("title"),
            abstract=text_model("abstract"),
            category_sets=[tuple(entry.split("\t")) for entry in data["categories"].tolist()],
            category_slots=data["category_slots"],
            author_counts=data["author_counts"],
            origin=origin,
        )
