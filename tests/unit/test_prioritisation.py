"""The ML prioritisation model: deterministic, versioned by its inputs, never trained on held-out."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from livingreview import prioritisation
from livingreview.prioritisation import Example, Thresholds, vote
from tests.screening_support import needs_listings, trained_model

THRESHOLDS = Thresholds(rescue=0.7, promote=0.8, dismiss=0.2)


@pytest.mark.parametrize(
    ("rule", "probability", "expected"),
    [
        ("exclude", 0.69, "exclude"),
        ("exclude", 0.70, "maybe"),  # rescued for a human, never straight to include
        ("maybe", 0.80, "include"),
        ("maybe", 0.50, "maybe"),
        ("maybe", 0.19, "exclude"),
        ("maybe", 0.95, "include"),
        ("include", 0.50, "include"),
        ("include", 0.19, "exclude"),  # model beats rule: below the dismiss threshold
    ],
)
def test_vote_moves_only_the_decisions_it_is_allowed_to(rule, probability, expected):
    assert vote(rule, probability, THRESHOLDS) == expected


@pytest.fixture
def data_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LIVINGREVIEW_DECISIONS_DIR", str(tmp_path / "decisions"))
    return tmp_path


@needs_listings
def test_training_data_is_the_train_split_and_never_a_heldout_record():
    heldout = prioritisation.heldout_ids()
    sneaky = Example(sorted(heldout)[0], "a title", "an abstract", True, "human")
    fresh = Example("2599.00001", "a title", "an abstract", True, "human")

    examples = prioritisation.training_examples(human=[sneaky, fresh])

    ids = [e.id for e in examples]
    assert not heldout & set(ids)
    assert "2599.00001" in ids and len(ids) == len(set(ids))
    assert {e.origin for e in examples} == {"labels", "human"}


@needs_listings
def test_the_version_is_a_hash_of_the_training_data():
    examples = prioritisation.training_examples()
    version = prioritisation.model_version(examples, "criteria-1")

    assert version == prioritisation.model_version(list(reversed(examples)), "criteria-1")
    assert version != prioritisation.model_version(examples[1:], "criteria-1")
    flipped = [
        Example(e.id, e.title, e.abstract, not e.include, e.origin) if i == 0 else e
        for i, e in enumerate(examples)
    ]
    assert version != prioritisation.model_version(flipped, "criteria-1")
    assert version != prioritisation.model_version(examples, "criteria-2")


@needs_listings
def test_saved_model_is_versioned_and_loads_back_identical(data_dirs: Path):
    model = trained_model()

    folder = prioritisation.save(model)

    assert folder == data_dirs / "data" / "models" / model.version
    metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    assert metadata["model_version"] == model.version
    assert metadata["examples_by_origin"] == {"labels": metadata["examples"]}
    assert metadata["thresholds"]["dismiss"] < metadata["thresholds"]["rescue"]
    loaded = prioritisation.load()
    texts = ["SAM for polyp segmentation in colonoscopy", "A language model for legal contracts"]
    assert loaded.version == model.version
    assert loaded.probabilities(texts) == model.probabilities(texts)
    assert loaded.probabilities(texts)[0] > loaded.probabilities(texts)[1]


def tiny_warehouse(path: Path, studies: list[tuple[str, str, str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table int_studies (study_id varchar, arxiv_id varchar, title varchar, abstract varchar)"
        )
        con.executemany("insert into int_studies values (?, ?, ?, ?)", studies)
    return path


@needs_listings
def test_retrains_only_when_human_decisions_change_and_deterministically(data_dirs: Path):
    warehouse = tiny_warehouse(
        data_dirs / "warehouse.duckdb",
        [
            (
                "arxiv:2599.00001v1",
                "2599.00001",
                "MedCLIP-style pretraining on chest X-rays",
                "Image-text pretraining.",
            )
        ],
    )

    first = prioritisation.retrain_if_new_decisions(warehouse)

    assert first == trained_model().version  # same data, same parameters: the same model
    assert prioritisation.retrain_if_new_decisions(warehouse) is None
    decisions = data_dirs / "decisions"
    decisions.mkdir()
    (decisions / "20260101T000000Z_alice.csv").write_text(
        "study_id,reviewer,decision,reason,fm_type,modalities,tasks,training_strategies,datasets,note,"
        "decided_at,import_file\narxiv:2599.00001v1,alice,include,,,,,,,,2026-01-01T00:00:00+00:00,x.csv\n",
        encoding="utf-8",
    )

    second = prioritisation.retrain_if_new_decisions(warehouse)

    assert second not in (None, first)
    assert prioritisation.current_version() == second
    assert prioritisation.load().metadata["examples_by_origin"]["human"] == 1
    assert (data_dirs / "data" / "models" / first).is_dir()  # earlier versions are kept


@needs_listings
def test_a_cached_model_of_the_same_version_is_reused_not_retrained(
    data_dirs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("LIVINGREVIEW_MODEL_CACHE", str(tmp_path / "cache"))
    model = trained_model()
    prioritisation._store_in_cache(model)

    def no_training(*_args, **_kwargs):
        raise AssertionError("a cached version must not be trained again")

    monkeypatch.setattr(prioritisation, "train", no_training)
    warehouse = tiny_warehouse(data_dirs / "w.duckdb", [("arxiv:2599.00002v1", "2599.00002", "A", "B")])
    version = prioritisation.retrain_if_new_decisions(warehouse)

    assert version == model.version
    loaded = prioritisation.load()
    texts = ["SAM for polyp segmentation in colonoscopy", "A language model for legal contracts"]
    assert loaded.probabilities(texts) == model.probabilities(texts)
    assert (data_dirs / "data" / "models" / model.version / "model.joblib").is_file()


@needs_listings
def test_learning_curve_trains_on_growing_round_prefixes_and_scores_only_held_out():
    from livingreview import model_eval, screening_eval

    labels = screening_eval.load_labels()
    early = [row for row in labels if row["round"] in {"1", "2"} or row["split"] == "heldout"]

    lines = model_eval.learning_curve(early).splitlines()

    assert lines[0].endswith("400 held-out records ==")
    curve = [line.split() for line in lines[1:]]
    assert [(words[1], words[2]) for words in curve] == [("1-1:", "530"), ("1-2:", "930")]
    for words in curve:
        auc, ceiling = float(words[6]), float(words[-1])
        assert 0.85 < auc <= 1.0  # a text model that learned something
        assert 0.25 < ceiling <= 1.0  # at least the held-out include rate (99 of 400)
