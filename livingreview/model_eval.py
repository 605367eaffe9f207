"""How well the rules, the model and the two combined screen the held-out split of the labelled set.

The model is trained on the train split only (`prioritisation.training_examples` never admits a
held-out id; its thresholds come from out-of-fold probabilities of the train split), then every
screener is scored on the held-out records:
  rules     the rule decision (livingreview.screening)
  model     the model alone, include when p >= 0.5
  combined  the pipeline's automated decision: the model's vote on the rule decision
A `maybe` goes to a human, so it counts as a predicted include: recall is what automation would
not lose, and precision charges every record a human has to read. WSS@95 is the work saved over
random screening at 95% recall when records are read in the screener's ranking.
Tags (fm_type, modalities, tasks) are the rules' tags on the held-out includes the screener keeps.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from livingreview import prioritisation
from livingreview.prioritisation import LABELS_PATH, Example

DECISIONS = ("include", "maybe", "exclude")
TIER = {"include": 2, "maybe": 1, "exclude": 0}


@dataclass(frozen=True)
class Metrics:
    screener: str
    matrix: dict[tuple[bool, str], int]  # (labelled include?, decision) -> records
    wss95: float

    def count(self, include: bool, decisions: Sequence[str]) -> int:
        return sum(self.matrix.get((include, d), 0) for d in decisions)

    @property
    def tp(self) -> int:
        return self.count(True, ("include", "maybe"))

    @property
    def fn(self) -> int:
        return self.count(True, ("exclude",))

    @property
    def fp(self) -> int:
        return self.count(False, ("include", "maybe"))

    @property
    def tn(self) -> int:
        return self.count(False, ("exclude",))

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def specificity(self) -> float:
        return _ratio(self.tn, self.tn + self.fp)

    @property
    def f1(self) -> float:
        return _ratio(2 * self.precision * self.recall, self.precision + self.recall)

    @property
    def human_workload(self) -> int:
        return self.count(True, ("maybe",)) + self.count(False, ("maybe",))


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else math.nan


def wss_at(recall: float, labels: Sequence[bool], ranking_keys: Sequence[Any]) -> float:
    """Work saved over sampling: read records best-first until `recall` of the includes are found."""
    order = sorted(range(len(labels)), key=lambda i: ranking_keys[i], reverse=True)
    needed, found = math.ceil(recall * sum(labels)), 0
    for read, index in enumerate(order, start=1):
        found += labels[index]
        if found >= needed:
            return (len(labels) - read) / len(labels) - (1 - recall)
    return math.nan


def metrics(screener: str, labels: Sequence[bool], decisions: Sequence[str], ranking_keys: Sequence[Any]) -> Metrics:
    matrix: dict[tuple[bool, str], int] = {}
    for include, decision in zip(labels, decisions, strict=True):
        matrix[(include, decision)] = matrix.get((include, decision), 0) + 1
    return Metrics(screener, matrix, wss_at(0.95, labels, ranking_keys))


@dataclass(frozen=True)
class Evaluation:
    model_version: str
    thresholds: prioritisation.Thresholds
    screeners: list[Metrics]
    tag_agreement: dict[str, float]
    misses: list[str]  # held-out includes the combined screener excludes


def _set_agreement(expected: str, predicted: Sequence[str] | None) -> tuple[bool, float]:
    wanted, got = set(filter(None, expected.split(";"))), set(predicted or [])
    union = wanted | got
    return wanted == got, (len(wanted & got) / len(union) if union else 1.0)


def tag_agreement(labels: list[dict[str, str]], rules: dict[str, dict[str, Any]], kept: set[str]) -> dict[str, float]:
    """Rule tags vs the labelled tags on held-out includes the combined screener keeps."""
    rows = [row for row in labels if row["label"] == "include" and row["id"] in kept]
    result = {"included_studies": float(len(rows))}
    if not rows:
        return result
    result["fm_type"] = sum(rules[r["id"]]["fm_type"] == r["fm_type"] for r in rows) / len(rows)
    for column in ("modalities", "tasks"):
        pairs = [_set_agreement(r[column], rules[r["id"]][column]) for r in rows]
        result[f"{column}_exact"] = sum(exact for exact, _ in pairs) / len(rows)
        result[f"{column}_jaccard"] = sum(jaccard for _, jaccard in pairs) / len(rows)
    return result


def evaluate(labels_path: Path = LABELS_PATH) -> Evaluation:
    from livingreview import screening

    model = prioritisation.train(prioritisation.training_examples(labels_path=labels_path))
    heldout: list[Example] = prioritisation.labelled_examples("heldout", labels_path)
    rules = {row["study_id"]: row for row in screening.screen_records(
        [{"id": e.id, "title": e.title, "abstract": e.abstract} for e in heldout]
    )}  # fmt: skip
    probabilities = model.probabilities([e.text for e in heldout])
    labels = [e.include for e in heldout]
    rule_decisions = [rules[e.id]["decision"] for e in heldout]
    combined = [model.vote(rule, p) for rule, p in zip(rule_decisions, probabilities, strict=True)]
    screeners = [
        metrics("rules", labels, rule_decisions, [(TIER[d], rules[e.id]["score"]) for d, e in zip(rule_decisions, heldout, strict=True)]),
        metrics("model", labels, ["include" if p >= 0.5 else "exclude" for p in probabilities], probabilities),
        metrics("combined", labels, combined, [(TIER[d], p) for d, p in zip(combined, probabilities, strict=True)]),
    ]  # fmt: skip
    kept = {e.id for e, d in zip(heldout, combined, strict=True) if d != "exclude"}
    heldout_rows = [row for row in prioritisation.read_labels(labels_path) if row["split"] == "heldout"]
    misses = [e.id for e, d in zip(heldout, combined, strict=True) if e.include and d == "exclude"]
    return Evaluation(model.version, model.thresholds, screeners, tag_agreement(heldout_rows, rules, kept), misses)


def render(evaluation: Evaluation) -> str:
    lines = [
        f"held-out split; model {evaluation.model_version} trained on the train split only; "
        f"thresholds rescue={evaluation.thresholds.rescue:.3f} promote={evaluation.thresholds.promote:.3f} "
        f"dismiss={evaluation.thresholds.dismiss:.3f}",
        "(maybe = sent to a human: counted as a predicted include)",
        f"{'screener':<9} {'label':<8} " + " ".join(f"{d:>8}" for d in DECISIONS)
        + f" | {'recall':>6} {'precis':>6} {'F1':>6} {'spec':>6} {'WSS@95':>6} {'maybes':>6}",
    ]  # fmt: skip
    for m in evaluation.screeners:
        for include in (True, False):
            cells = " ".join(f"{m.matrix.get((include, d), 0):>8}" for d in DECISIONS)
            label = "include" if include else "exclude"
            figures = (
                f" | {m.recall:>6.3f} {m.precision:>6.3f} {m.f1:>6.3f} {m.specificity:>6.3f} {m.wss95:>6.3f} "
                f"{m.human_workload:>6}"
                if include
                else ""
            )
            lines.append(f"{m.screener if include else '':<9} {label:<8} {cells}{figures}")
    tags = evaluation.tag_agreement
    lines.append(
        "tags on the held-out includes the combined screener keeps "
        f"({int(tags['included_studies'])}): "
        + ", ".join(f"{name} {value:.3f}" for name, value in tags.items() if name != "included_studies")
    )
    lines.append(f"held-out includes the combined screener excludes: {', '.join(evaluation.misses) or 'none'}")
    return "\n".join(lines)


def main() -> None:
    print(render(evaluate()))


if __name__ == "__main__":
    main()
