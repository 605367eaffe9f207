"""Screening quality on the team's labelled sample (review/labels/screening_labels.csv).

The labels hold ids only; titles and abstracts are read in place from the recorded arXiv listings.
Convention (livingreview.screening_eval): `maybe` counts as predicted include for every metric.
"""

from __future__ import annotations

import csv

import pytest

from livingreview import config, screening_eval

# Criteria 2026.12.2 (and 2026.12.3, a speed fix with the same kept/excluded split) were tuned on rounds 1
# to 4 (the `train` split, 1,730 records), so their floors are
# regression guards on training data (measured: recall 0.987, precision 0.906). Round 5 (the `heldout`
# split, 400 records, each labelled by two screeners) was merged and read only after 2026.12.2 froze; its
# floors sit just under what it measured there (recall 0.919, precision 0.784, fm_type 0.989: below the
# issue's targets, see docs/screening.md), so a criteria change that loses ground on unseen data fails here.
TRAIN_RECALL, TRAIN_PRECISION = 0.985, 0.90
HELDOUT_RECALL_FLOOR, HELDOUT_PRECISION_FLOOR, HELDOUT_FM_TYPE = 0.91, 0.78, 0.90


def test_confusion_counts_maybe_as_include():
    counts = {
        ("include", "include"): 8,
        ("include", "maybe"): 1,
        ("include", "exclude"): 1,
        ("exclude", "maybe"): 2,
        ("exclude", "exclude"): 18,
    }
    confusion = screening_eval.Confusion(counts)
    assert confusion.binary(maybe_is_include=True) == (9, 1, 2, 18)
    assert confusion.binary(maybe_is_include=False) == (8, 2, 0, 20)
    metrics = screening_eval.binary_metrics(*confusion.binary())
    assert metrics["recall"] == pytest.approx(0.9)
    assert metrics["precision"] == pytest.approx(9 / 11)
    assert metrics["specificity"] == pytest.approx(0.9)


def test_precision_ceiling_picks_the_best_cutoff_and_reads_ties_together():
    # Two of three includes (recall >= 0.6) are first found after a, b, c: precision 2/3. All three need
    # all five records, because the tie at 0.4 is read as one block: 3/5. Moving e to the top finds two
    # includes in two records.
    scored = {"a": (0.9, "include"), "b": (0.8, "exclude"), "c": (0.7, "include"),
              "d": (0.4, "exclude"), "e": (0.4, "include")}  # fmt: skip
    labels = [{"id": key, "label": label} for key, (_, label) in scored.items()]
    screened = {key: {"score": score} for key, (score, _) in scored.items()}
    assert screening_eval.best_precision_at_recall(labels, screened, recall=0.6) == pytest.approx(2 / 3)
    assert screening_eval.best_precision_at_recall(labels, screened, recall=1.0) == pytest.approx(3 / 5)
    screened["e"]["score"] = 0.95
    assert screening_eval.best_precision_at_recall(labels, screened, recall=0.6) == pytest.approx(1.0)


def test_labels_cover_the_drawn_sample():
    labels = screening_eval.load_labels()
    assert len(labels) == 2130
    assert len({row["id"] for row in labels}) == 2130
    assert [row["id"] for row in labels] == sorted(row["id"] for row in labels)
    assert {row["split"] for row in labels} == {"train", "heldout"}
    reasons = _seed_column("exclusion_reasons.csv")
    for row in labels:
        assert row["label"] in {"include", "exclude"}
        assert (row["reason"] in reasons) == (row["label"] == "exclude"), row["id"]


def _seed_column(name: str) -> set[str]:
    with open(config.dbt_project_dir() / "seeds" / name, newline="", encoding="utf-8") as handle:
        return {row[next(iter(row))] for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    if not screening_eval.listings_glob().parent.is_dir():
        pytest.skip("recorded arXiv listings (shared data) are not present")
    labels = screening_eval.load_labels()
    screened = screening_eval.screen_labelled(labels)
    return {
        split: screening_eval.evaluate(screening_eval.split_rows(labels, split), screened)
        for split in ("train", "heldout")
    }


def test_train_split_keeps_what_the_criteria_were_tuned_to(results):
    assert results["train"]["records"] == 1730
    assert results["train"]["metrics"]["recall"] >= TRAIN_RECALL
    assert results["train"]["metrics"]["precision"] >= TRAIN_PRECISION


def test_heldout_stays_at_its_measured_floors(results):
    heldout = results["heldout"]
    assert heldout["records"] == 400
    assert heldout["metrics"]["recall"] >= HELDOUT_RECALL_FLOOR
    assert heldout["metrics"]["precision"] >= HELDOUT_PRECISION_FLOOR
    assert heldout["tags"]["fm_type"] >= HELDOUT_FM_TYPE


def test_report_prints_the_matrix(results):
    report = screening_eval.format_report("heldout", results["heldout"])
    assert "label / rule" in report
    assert "recall" in report and "WSS@95" in report


def test_errors_are_split_by_label_confidence():
    from livingreview import model_eval

    def label(record_id: str, label: str, confidence: str) -> dict[str, str]:
        return {"id": record_id, "label": label, "confidence": confidence, "reason": "", "fm_type": "",
                "modalities": "", "tasks": ""}  # fmt: skip

    def decided(decision: str, score: float) -> dict:
        return {"decision": decision, "score": score, "primary_reason": "", "fm_type": "",
                "modalities": [], "tasks": []}  # fmt: skip

    heldout = [label("kept", "include", "high"), label("lost-borderline", "include", "low"),
               label("lost", "include", "high"), label("noise", "exclude", "high")]  # fmt: skip
    combined = {"kept": decided("include", 2.9), "lost-borderline": decided("exclude", 0.2),
                "lost": decided("exclude", 0.1), "noise": decided("maybe", 1.5)}  # fmt: skip

    line = model_eval.by_label_confidence(heldout, combined, ["lost-borderline", "lost"])

    assert line.startswith("combined on the 3 held-out records labelled with high confidence: recall 0.500,")
    assert "precision 0.500" in line
    assert line.endswith("1 of the 2 lost includes carry a low-confidence label")
