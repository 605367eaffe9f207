"""ML prioritisation: a TF-IDF + logistic-regression screener that votes beside the rules.

The model reads a record's title and abstract (word 1-2-grams and character 3-5-grams, so fused
names such as MedSAM or SAM2 share features with SAM) and gives the probability that a careful
reviewer would include it. It is trained on the team's labelled set (train split only: the
held-out split measures it) plus the human decisions in `review/decisions/`.

Its vote (`vote()`) combines that probability with the rule decision; the thresholds are chosen
on out-of-fold probabilities of the training data, never on held-out records:
  rule exclude -> maybe    when p >= rescue  (more confident than on any rule-excluded training negative)
  rule maybe   -> include  when p >= promote (more confident than on any training negative)
  rule maybe or include -> exclude  when p < dismiss (below all but DISMISS_RATE of the training
                           includes the rules keep)
otherwise the rule decision stands. A vote never touches a human decision: precedence is human >
model > rule, applied where decisions meet (the dbt model of effective decisions).

A trained model lives in `data/models/<model_version>/` (model.joblib + metadata.json); the version
is a hash of the training data, the parameters and the rule criteria the thresholds were chosen
against, so the same inputs always give the same version. `data/models/current` names the
model the pipeline uses.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

from livingreview import config

LABELS_PATH = config.PROJECT_ROOT / "review" / "labels" / "screening_labels.csv"
CURRENT_POINTER = "current"
MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
CROSS_VALIDATION_FOLDS = 5
# The share of the training includes kept by the rules that the dismiss threshold may wrongly drop
# (out of fold): 0 would make the threshold the single lowest include, which one odd label decides.
DISMISS_RATE = 0.005
# Everything that shapes the model; part of its version.
PARAMETERS: dict[str, Any] = {
    "words": {"analyzer": "word", "ngram_range": [1, 2], "min_df": 1, "sublinear_tf": True},
    "chars": {"analyzer": "char_wb", "ngram_range": [3, 5], "min_df": 2, "sublinear_tf": True},
    "classifier": {"C": 4.0, "class_weight": "balanced", "solver": "liblinear", "random_state": 0},
    "folds": CROSS_VALIDATION_FOLDS,
    "dismiss_rate": DISMISS_RATE,
}


@dataclass(frozen=True)
class Example:
    """One training example: a record's text and whether it is to be included."""

    id: str
    title: str
    abstract: str
    include: bool
    origin: str  # 'labels' (the team's labelled set) or 'human' (a reviewer's decision)

    @property
    def text(self) -> str:
        return record_text(self.title, self.abstract)


@dataclass(frozen=True)
class Thresholds:
    rescue: float
    promote: float
    dismiss: float


@dataclass
class TrainedModel:
    version: str
    pipeline: Any  # a fitted sklearn Pipeline
    thresholds: Thresholds
    metadata: dict[str, Any] = field(default_factory=dict)

    def probabilities(self, texts: Sequence[str]) -> list[float]:
        if not texts:
            return []
        return [float(p) for p in self.pipeline.predict_proba(list(texts))[:, 1]]

    def vote(self, rule_decision: str, probability: float) -> str:
        return vote(rule_decision, probability, self.thresholds)


def record_text(title: str | None, abstract: str | None) -> str:
    """The text the model reads: the same `title . abstract` with single spaces as the rule macro."""
    return re.sub(r"\s+", " ", f"{title or ''} . {abstract or ''}")


def vote(rule_decision: str, probability: float, thresholds: Thresholds) -> str:
    """The model's decision given the rule's (see the module docstring)."""
    if rule_decision == "exclude":
        return "maybe" if probability >= thresholds.rescue else "exclude"
    if probability < thresholds.dismiss:
        return "exclude"
    if rule_decision == "maybe" and probability >= thresholds.promote:
        return "include"
    return rule_decision


# ----------------------------------------------------------------------------- training data


def read_labels(path: Path = LABELS_PATH) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def heldout_ids(path: Path = LABELS_PATH) -> set[str]:
    return {row["id"] for row in read_labels(path) if row["split"] == "heldout"}


def listings_dir() -> Path:
    return config.shared_data_dir() / "arxiv" / "daily_listings" / "by_month"


@cache
def _listing_texts(ids: frozenset[str]) -> dict[str, tuple[str, str]]:
    texts = {}
    for path in sorted(listings_dir().glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                if record["id"] in ids:
                    texts[record["id"]] = (record["title"], record["summary"])
    return texts


def listing_texts(ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(title, abstract) of arXiv ids, read in place from the recorded listings."""
    return _listing_texts(frozenset(ids))


def labelled_examples(split: str, path: Path = LABELS_PATH) -> list[Example]:
    """The labelled set's rows of one split, with their text."""
    rows = [row for row in read_labels(path) if row["split"] == split]
    texts = listing_texts(row["id"] for row in rows)
    missing = sorted({row["id"] for row in rows} - set(texts))
    if missing:
        raise LookupError(f"labelled ids not in the recorded listings: {', '.join(missing[:5])}")
    return [Example(row["id"], *texts[row["id"]], row["label"] == "include", "labels") for row in rows]


def training_examples(human: Sequence[Example] = (), labels_path: Path = LABELS_PATH) -> list[Example]:
    """Labelled train split + human decisions; a human decision replaces the team label of its
    record, and nothing held out ever enters."""
    heldout = heldout_ids(labels_path)
    human_ids = {example.id for example in human}
    labelled = [example for example in labelled_examples("train", labels_path) if example.id not in human_ids]
    return sorted(labelled + [example for example in human if example.id not in heldout], key=lambda e: e.id)


# ----------------------------------------------------------------------------- training


def build_pipeline() -> Any:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    def vectorizer(settings: dict[str, Any]) -> TfidfVectorizer:
        return TfidfVectorizer(**(settings | {"ngram_range": tuple(settings["ngram_range"])}))

    features = FeatureUnion(
        [("words", vectorizer(PARAMETERS["words"])), ("chars", vectorizer(PARAMETERS["chars"]))]
    )
    return Pipeline([("features", features), ("classifier", LogisticRegression(**PARAMETERS["classifier"]))])


def model_version(examples: Sequence[Example], criteria_fingerprint: str) -> str:
    """sha256 (first 16 hex) of the training data, the parameters, the library and the rule criteria
    (their file fingerprint: the thresholds were chosen against those rules' decisions)."""
    import sklearn

    digest = hashlib.sha256()
    digest.update(
        json.dumps([PARAMETERS, sklearn.__version__, criteria_fingerprint], sort_keys=True).encode()
    )
    for example in sorted(examples, key=lambda e: e.id):
        digest.update(f"\n{example.id}\t{int(example.include)}\t".encode() + example.text.encode())
    return digest.hexdigest()[:16]


def fit_with_out_of_fold_probabilities(examples: Sequence[Example]) -> tuple[Any, list[float]]:
    """The pipeline fitted on every example, and each example's probability from the fold that left
    it out (StratifiedKFold, as cross_val_predict would give). The fold fits and the final fit are
    independent, so they run side by side, one per core: identical results in a fraction of the time."""
    import numpy as np
    from joblib import Parallel, delayed
    from sklearn.model_selection import StratifiedKFold

    texts = np.array([e.text for e in examples], dtype=object)
    labels = np.array([e.include for e in examples])
    folds = list(
        StratifiedKFold(n_splits=CROSS_VALIDATION_FOLDS, shuffle=True, random_state=0).split(texts, labels)
    )
    fits = [(texts[train], labels[train]) for train, _ in folds] + [(texts, labels)]
    pipelines = Parallel(n_jobs=-1)(delayed(build_pipeline().fit)(list(x), list(y)) for x, y in fits)
    probabilities = np.zeros(len(examples))
    for (_, held_out), pipeline in zip(folds, pipelines, strict=False):
        probabilities[held_out] = pipeline.predict_proba(list(texts[held_out]))[:, 1]
    return pipelines[-1], [float(p) for p in probabilities]


def choose_thresholds(
    probabilities: Sequence[float], labels: Sequence[bool], rule_decisions: Sequence[str]
) -> Thresholds:
    """From the out-of-fold training probabilities: rescue and promote make no false move, dismiss
    drops at most DISMISS_RATE of the includes the rules keep (see the module docstring)."""
    negatives = [p for p, include in zip(probabilities, labels, strict=True) if not include]
    rule_excluded_negatives = [
        p for p, include, rule in zip(probabilities, labels, rule_decisions, strict=True)
        if not include and rule == "exclude"
    ]  # fmt: skip
    kept_positives = sorted(
        p for p, include, rule in zip(probabilities, labels, rule_decisions, strict=True)
        if include and rule != "exclude"
    )  # fmt: skip
    next_up = 1e-6  # strictly above the highest negative
    dismiss = kept_positives[int(DISMISS_RATE * len(kept_positives))] if kept_positives else 0.5
    return Thresholds(
        rescue=round(max(rule_excluded_negatives, default=0.5) + next_up, 6),
        promote=round(max(negatives, default=0.5) + next_up, 6),
        dismiss=round(dismiss, 6),
    )


def rule_decisions(examples: Sequence[Example]) -> list[str]:
    """The rule screening's decision on each example (the one implementation, livingreview.screening)."""
    from livingreview import screening

    records = [{"id": e.id, "title": e.title, "abstract": e.abstract} for e in examples]
    return [row["decision"] for row in screening.screen_records(records)]


def train(examples: Sequence[Example], human_decisions_fingerprint: str = "") -> TrainedModel:
    """Fit on every example; thresholds from out-of-fold probabilities. Deterministic."""
    from livingreview import screening

    criteria_version = screening.check_criteria_version()
    labels = [e.include for e in examples]
    pipeline, out_of_fold = fit_with_out_of_fold_probabilities(examples)
    thresholds = choose_thresholds(out_of_fold, labels, rule_decisions(examples))
    criteria_fingerprint = screening.criteria_fingerprint()
    version = model_version(examples, criteria_fingerprint)
    metadata = {
        "model_version": version,
        "trained_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "criteria_version": criteria_version,
        "criteria_fingerprint": criteria_fingerprint,
        "parameters": PARAMETERS,
        "thresholds": thresholds.__dict__,
        "examples": len(examples),
        "positives": sum(labels),
        "examples_by_origin": {
            o: sum(e.origin == o for e in examples) for o in sorted({e.origin for e in examples})
        },
        "human_decisions_fingerprint": human_decisions_fingerprint,
        "training_ids_sha256": hashlib.sha256("\n".join(sorted(e.id for e in examples)).encode()).hexdigest(),
    }
    return TrainedModel(version, pipeline, thresholds, metadata)


# ----------------------------------------------------------------------------- storage


def models_dir() -> Path:
    return config.data_dir() / "models"


def model_cache_dir() -> Path | None:
    """A folder of trained models shared between data dirs (`LIVINGREVIEW_MODEL_CACHE`), or None.

    A model's version is a hash of everything that shapes it, so a cached `<version>/` is the model
    training would produce again: the test suite and repeated demos set it to train each model once.
    """
    cache_dir = os.environ.get("LIVINGREVIEW_MODEL_CACHE")
    return Path(cache_dir) if cache_dir else None


def _cached(version: str, human_decisions_fingerprint: str) -> TrainedModel | None:
    """The model of this version from the cache, restamped with this run's decisions fingerprint."""
    cache_dir = model_cache_dir()
    if cache_dir is None or not (cache_dir / version / METADATA_FILE).is_file():
        return None
    model = _read_model_folder(cache_dir / version)
    model.metadata["human_decisions_fingerprint"] = human_decisions_fingerprint
    return model


def _store_in_cache(model: TrainedModel) -> None:
    cache_dir = model_cache_dir()
    if cache_dir is not None and not (cache_dir / model.version).is_dir():
        _write_model_folder(model, cache_dir / model.version)


def _write_model_folder(model: TrainedModel, folder: Path) -> None:
    """model.joblib + metadata.json written beside `folder`, then renamed into place. Losing the race
    to another process writing the same version leaves that one's (identical) folder."""
    import joblib

    staging = folder.with_name(f".{folder.name}.{os.getpid()}.partial")
    staging.mkdir(parents=True, exist_ok=True)
    joblib.dump(model.pipeline, staging / MODEL_FILE)
    (staging / METADATA_FILE).write_text(
        json.dumps(model.metadata, indent=2, sort_keys=True), encoding="utf-8"
    )
    try:
        os.replace(staging, folder)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)


def save(model: TrainedModel) -> Path:
    """Write `data/models/<version>/` and point `current` at it, each step atomic."""
    folder = models_dir() / model.version
    if folder.is_dir():  # the same model again: refresh what it was last trained from
        _replace_text(folder / METADATA_FILE, json.dumps(model.metadata, indent=2, sort_keys=True))
    else:
        _write_model_folder(model, folder)
    _replace_text(models_dir() / CURRENT_POINTER, model.version + "\n")
    return folder


def _replace_text(path: Path, text: str) -> None:
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(text, encoding="utf-8")
    os.replace(partial, path)


def current_version() -> str | None:
    pointer = models_dir() / CURRENT_POINTER
    return pointer.read_text(encoding="utf-8").strip() if pointer.exists() else None


def load(version: str | None = None) -> TrainedModel | None:
    """A saved model (default: the current one); None when none was trained yet."""
    version = version or current_version()
    return None if version is None else _read_model_folder(models_dir() / version)


def _read_model_folder(folder: Path) -> TrainedModel:
    """The model stored in `<...>/<version>/` (model.joblib + metadata.json)."""
    import joblib

    metadata = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
    return TrainedModel(
        folder.name, joblib.load(folder / MODEL_FILE), Thresholds(**metadata["thresholds"]), metadata
    )


# ----------------------------------------------------------------------------- weekly retraining


def human_examples(warehouse: Path | None = None) -> list[Example]:
    """Human decisions (include/exclude, reviewers agreeing) with their study's text from a warehouse."""
    from livingreview import decisions

    decided = decisions.agreed_human_decisions()
    if not decided:
        return []
    texts = decisions.study_texts(set(decided), warehouse)
    return [
        Example(texts[study_id][0] or study_id, texts[study_id][1], texts[study_id][2], include, "human")
        for study_id, include in sorted(decided.items())
        if study_id in texts
    ]


def retrain_if_new_decisions(warehouse: Path | None = None) -> str | None:
    """Train and make current a new model when the human decisions (or the rule criteria its vote
    thresholds were chosen against) changed since the current model was trained, or no model
    exists. Returns the new model version, or None when nothing changed.

    `warehouse`: where decided studies' text is read (default: the published warehouse, else the
    work one). Safe to call every week: the same decisions give the same version. A model of the
    same version in the model cache (`model_cache_dir`) is reused instead of trained again.
    """
    from livingreview import decisions, screening

    fingerprint = decisions.decisions_fingerprint()
    current = load()
    if (
        current is not None
        and current.metadata.get("human_decisions_fingerprint") == fingerprint
        and current.metadata.get("criteria_fingerprint") == screening.criteria_fingerprint()
    ):
        return None
    model = trained_or_cached(training_examples(human_examples(warehouse)), fingerprint)
    save(model)
    return model.version


def trained_or_cached(examples: Sequence[Example], human_decisions_fingerprint: str = "") -> TrainedModel:
    """The model these examples train: the model cache's copy when it holds that version, else
    trained now and stored there."""
    from livingreview import screening

    version = model_version(examples, screening.criteria_fingerprint())
    model = _cached(version, human_decisions_fingerprint)
    if model is None:
        model = train(examples, human_decisions_fingerprint)
        _store_in_cache(model)
    return model


# ----------------------------------------------------------------------------- the warehouse's votes

VOTE_COLUMNS = ("study_id", "model_version", "model_probability", "model_decision")


def warehouse_votes(studies: Any, screened: Any) -> Any:
    """The current model's vote on every study, as an Arrow table (dbt model int_screening__model_votes).

    `studies` / `screened`: DuckDB relations of int_studies and int_records__screened. No model
    trained yet -> zero rows, so the rules stand alone.
    """
    import pyarrow as pa

    model = load()
    rows = (
        []
        if model is None
        else (
            studies.join(screened, "study_id")
            .select("study_id, title, abstract, decision")
            .order("study_id")
            .fetchall()
        )
    )
    probabilities = (
        model.probabilities([record_text(title, abstract) for _, title, abstract, _ in rows]) if rows else []
    )
    schema = pa.schema(
        [(name, pa.float64() if name == "model_probability" else pa.string()) for name in VOTE_COLUMNS]
    )
    return pa.table(
        {
            "study_id": [row[0] for row in rows],
            "model_version": [model.version] * len(rows) if model else [],
            "model_probability": probabilities,
            "model_decision": [model.vote(row[3], p) for row, p in zip(rows, probabilities, strict=True)],
        },
        schema=schema,
    )
