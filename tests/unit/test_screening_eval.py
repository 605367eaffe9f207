"""Screening quality on the team's labelled sample (review/labels/screening_labels.csv).

The labels hold ids only; titles and abstracts are read in place from the recorded arXiv listings.
Convention (livingreview.screening_eval): `maybe` counts as predicted include for every metric.
"""

from __future__ import annotations

import csv

import pytest

from livingreview import config, screening_eval

# Criteria 2026.11.2 were tuned on all 530 round-1 records (the old held-out split included), so these
# are regression floors on training data, not measurements: the fresh round-2 sample measures the
# criteria (docs/screening.md, "Agreement with the labelled sample"). 2026.11.2 reaches recall 1.000
# and precision 0.938 on all 530; docs/screening.md lists every remaining error.
ALL_RECALL, ALL_PRECISION = 0.99, 0.88
HELDOUT_PRECISION, HELDOUT_FM_TYPE = 0.80, 0.90
# The 150 records still marked `heldout` were examined for 2026.11.1's errors and are training data now;
# their floor only guards the split against regression (2026.11.1: 28/31 = 0.903; 2026.11.2: 31/31).
HELDOUT_RECALL_FLOOR = 0.90


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


def test_labels_cover_the_drawn_sample():
    labels = screening_eval.load_labels()
    assert len(labels) == 530
    assert len({row["id"] for row in labels}) == 530
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
        for split in ("heldout", "all")
    }


def test_whole_sample_meets_recall_and_precision_targets(results):
    metrics = results["all"]["metrics"]
    assert metrics["recall"] >= ALL_RECALL
    assert metrics["precision"] >= ALL_PRECISION


def test_heldout_meets_precision_and_fm_type_targets(results):
    heldout = results["heldout"]
    assert heldout["records"] == 150
    assert heldout["metrics"]["precision"] >= HELDOUT_PRECISION
    assert heldout["tags"]["fm_type"] >= HELDOUT_FM_TYPE


def test_heldout_recall_stays_at_its_measured_floor(results):
    assert results["heldout"]["metrics"]["recall"] >= HELDOUT_RECALL_FLOOR


def test_report_prints_the_matrix(results):
    report = screening_eval.format_report("heldout", results["heldout"])
    assert "label / rule" in report
    assert "recall" in report and "WSS@95" in report
