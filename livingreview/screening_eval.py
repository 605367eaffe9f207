"""Evaluate the rule screener against the team's labelled sample (`make eval-screening`).

The labels (`review/labels/screening_labels.csv`: id, stratum, split, label, reason, fm_type, modalities,
tasks, ...) hold no text: titles and abstracts are read in place from the recorded arXiv listings under
`config.shared_data_dir()`. The screener runs exactly as in the pipeline (livingreview.screening renders
the dbt macro).

Convention: the positive class is `include`, and a `maybe` counts as predicted include for every metric
(recall, precision, F1, specificity): a maybe goes to a human, so it is neither a miss nor free.
The strict figures (maybe counted as exclude) are reported beside them.
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livingreview import config, screening

LABELS_PATH = config.PROJECT_ROOT / "review" / "labels" / "screening_labels.csv"
SPLITS = ("train", "heldout", "all")


def listings_glob() -> Path:
    return config.shared_data_dir() / "arxiv" / "daily_listings" / "by_month" / "*.jsonl.gz"


def load_labels(path: Path = LABELS_PATH) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def screen_labelled(labels: list[dict[str, str]]) -> dict[str, dict[str, Any]]:
    """Screen the labelled ids, text read in place from the shared listings; result per id."""
    import duckdb

    con = duckdb.connect()
    con.execute("create table labelled_ids (id varchar)")
    con.executemany("insert into labelled_ids values (?)", [(row["id"],) for row in labels])
    con.execute(
        "create table labelled_records as select listing.id as study_id, listing.title, "
        "listing.summary as abstract from read_json(?, columns = {'id': 'varchar', 'title': 'varchar', "
        "'summary': 'varchar'}) as listing semi join labelled_ids using (id)",
        [str(listings_glob())],
    )
    result = screening.screen_relation(con, "labelled_records")
    columns, rows = result.columns, result.fetchall()
    screened = {row[0]: dict(zip(columns, row, strict=True)) for row in rows}
    missing = {row["id"] for row in labels} - set(screened)
    if missing:
        raise LookupError(f"{len(missing)} labelled ids are not in the listings, e.g. {sorted(missing)[:3]}")
    return screened


@dataclass(frozen=True)
class Confusion:
    """Counts over (label include/exclude) x (decision include/maybe/exclude)."""

    counts: dict[tuple[str, str], int]

    def n(self, label: str, decision: str) -> int:
        return self.counts.get((label, decision), 0)

    def binary(self, maybe_is_include: bool = True) -> tuple[int, int, int, int]:
        positive = ("include", "maybe") if maybe_is_include else ("include",)
        tp = sum(self.n("include", d) for d in positive)
        fn = sum(self.n("include", d) for d in ("include", "maybe", "exclude") if d not in positive)
        fp = sum(self.n("exclude", d) for d in positive)
        tn = sum(self.n("exclude", d) for d in ("include", "maybe", "exclude") if d not in positive)
        return tp, fn, fp, tn


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else float("nan")


def binary_metrics(tp: int, fn: int, fp: int, tn: int) -> dict[str, float]:
    recall, precision = _ratio(tp, tp + fn), _ratio(tp, tp + fp)
    return {
        "recall": recall,
        "precision": precision,
        "f1": _ratio(2 * precision * recall, precision + recall),
        "specificity": _ratio(tn, tn + fp),
    }


def wss_at_95(labels: list[dict[str, str]], screened: dict[str, dict[str, Any]]) -> float:
    """Work saved over sampling at 95% recall when records are read in descending rule score."""
    ranked = sorted(labels, key=lambda row: -screened[row["id"]]["score"])
    positives = sum(row["label"] == "include" for row in labels)
    needed, found = 0.95 * positives, 0
    for read, row in enumerate(ranked, start=1):
        found += row["label"] == "include"
        if found >= needed:
            return (len(ranked) - read) / len(ranked) - 0.05
    return float("nan")


def best_precision_at_recall(
    labels: list[dict[str, str]], screened: dict[str, dict[str, Any]], recall: float = 0.97
) -> float:
    """The highest precision of any cutoff of the score ranking whose recall reaches `recall`. The
    cutoff is chosen on the records themselves, so this is a ceiling for the screener's ranking, not an
    operating point: no threshold on these scores does better on this split. Cutoffs fall only between
    different scores (tied records are read together)."""
    positives = sum(row["label"] == "include" for row in labels)
    scores = [screened[row["id"]]["score"] for row in labels]
    ranked = sorted(zip(scores, (row["label"] == "include" for row in labels), strict=True), reverse=True)
    precisions, found = [], 0
    for read, (score, include) in enumerate(ranked, start=1):
        found += include
        last_of_its_score = read == len(ranked) or ranked[read][0] != score
        if last_of_its_score and positives and found >= recall * positives:
            precisions.append(found / read)
    return max(precisions, default=float("nan"))


def _as_set(value: Any) -> set[str]:
    if isinstance(value, list):
        return set(value)
    return {part for part in (value or "").split(";") if part}


def tag_agreement(labels: list[dict[str, str]], screened: dict[str, dict[str, Any]]) -> dict[str, float]:
    """On records labelled include and kept (include or maybe): fm_type equal; modality/task sets
    exactly equal, overlapping, and their mean Jaccard."""
    kept = [
        row for row in labels if row["label"] == "include" and screened[row["id"]]["decision"] != "exclude"
    ]
    agreement = {"records": float(len(kept))}
    agreement["fm_type"] = _ratio(sum(screened[r["id"]]["fm_type"] == r["fm_type"] for r in kept), len(kept))
    for label_column, tag_column in (("modalities", "modalities"), ("tasks", "tasks")):
        pairs = [(_as_set(r[label_column]), _as_set(screened[r["id"]][tag_column])) for r in kept]
        agreement[f"{label_column}_exact"] = _ratio(sum(a == b for a, b in pairs), len(pairs))
        agreement[f"{label_column}_overlap"] = _ratio(sum(bool(a & b) for a, b in pairs), len(pairs))
        jaccards = [len(a & b) / len(a | b) if a | b else 1.0 for a, b in pairs]
        agreement[f"{label_column}_jaccard"] = _ratio(sum(jaccards), len(jaccards))
    return agreement


def evaluate(labels: list[dict[str, str]], screened: dict[str, dict[str, Any]]) -> dict[str, Any]:
    counts: dict[tuple[str, str], int] = {}
    for row in labels:
        key = (row["label"], screened[row["id"]]["decision"])
        counts[key] = counts.get(key, 0) + 1
    confusion = Confusion(counts)
    excluded_both = [
        r for r in labels if r["label"] == "exclude" and screened[r["id"]]["decision"] == "exclude"
    ]
    reason_agreement = _ratio(
        sum(screened[r["id"]]["primary_reason"] == r["reason"] for r in excluded_both), len(excluded_both)
    )
    return {
        "records": len(labels),
        "confusion": confusion,
        "metrics": binary_metrics(*confusion.binary(maybe_is_include=True)),
        "strict_metrics": binary_metrics(*confusion.binary(maybe_is_include=False)),
        "wss_at_95": wss_at_95(labels, screened),
        "precision_at_97": best_precision_at_recall(labels, screened),
        "tags": tag_agreement(labels, screened),
        "reason_agreement": reason_agreement,
    }


def split_rows(labels: list[dict[str, str]], split: str) -> list[dict[str, str]]:
    return labels if split == "all" else [row for row in labels if row["split"] == split]


def format_report(split: str, result: dict[str, Any]) -> str:
    confusion: Confusion = result["confusion"]
    lines = [
        f"== {split}: {result['records']} labelled records ==",
        f"{'label / rule':<14}{'include':>9}{'maybe':>7}{'exclude':>9}",
    ]
    for label in ("include", "exclude"):
        lines.append(
            f"{label:<14}{confusion.n(label, 'include'):>9}{confusion.n(label, 'maybe'):>7}"
            f"{confusion.n(label, 'exclude'):>9}"
        )
    for name, key in (("maybe = include", "metrics"), ("strict (maybe = exclude)", "strict_metrics")):
        figures = "  ".join(f"{metric} {value:.3f}" for metric, value in result[key].items())
        lines.append(f"{name:<25} {figures}")
    tags = result["tags"]
    lines.append(
        f"WSS@95 {result['wss_at_95']:.3f}   exclusion reason agreement {result['reason_agreement']:.3f}"
        f"   ranking ceiling: best precision at recall 0.97 {result['precision_at_97']:.3f}"
    )
    lines.append(
        f"tags on {int(tags['records'])} kept includes: fm_type {tags['fm_type']:.3f}  "
        f"modality exact {tags['modalities_exact']:.3f} overlap {tags['modalities_overlap']:.3f} "
        f"jaccard {tags['modalities_jaccard']:.3f}  task exact {tags['tasks_exact']:.3f} "
        f"overlap {tags['tasks_overlap']:.3f} jaccard {tags['tasks_jaccard']:.3f}"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=LABELS_PATH)
    parser.add_argument("--errors", action="store_true", help="list the disagreements of each split")
    args = parser.parse_args(argv)
    labels = load_labels(args.labels)
    screened = screen_labelled(labels)
    print(f"criteria_version {screening.check_criteria_version()}; maybe counts as include")
    for split in SPLITS:
        rows = split_rows(labels, split)
        print(format_report(split, evaluate(rows, screened)))
        if args.errors and split != "all":
            for row in rows:
                decision = screened[row["id"]]
                if (row["label"] == "include") != (decision["decision"] != "exclude"):
                    print(
                        f"  {row['id']} label {row['label']}/{row['reason']} rule {decision['decision']}/"
                        f"{decision['primary_reason']} score {decision['score']}"
                    )


if __name__ == "__main__":
    main()
