"""The weekly screening queue: the records a human should look at, most likely includes first.

Read from a warehouse (published by default, else work): the studies of the latest update (or all,
with `all_updates`) that no human decided yet and that automation could not settle:
  - the rule said `maybe`;
  - the model's vote is `maybe` (it rescued a rule exclusion);
  - model dismissed: the rule included a study the model's vote excludes (it scores below all but a
    few of the training includes), so a human sees every inclusion automation overturned.
Order (active learning, "certainty" as in ASReview's max query strategy): highest model
probability of inclusion first, so reviewers meet the includes early and every decision feeds the
next retraining; without a trained model, by rule score.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

from livingreview import decisions, prioritisation

QUEUE_COLUMNS = (
    "rank", "study_id", "arxiv_id", "title", "abstract", "why_queued", "model_probability", "rule_decision",
    "rule_score", "model_decision", "reasons", "suggested_fm_type", "suggested_modalities", "suggested_tasks",
    "suggested_training_strategies", "suggested_datasets", "model_version", "criteria_version",
    *decisions.REVIEWER_FILLED,
)  # fmt: skip
STUDIES_SQL = """
select
    studies.study_id, studies.arxiv_id, studies.title, studies.abstract,
    screened.decision as rule_decision, screened.score as rule_score, screened.reasons,
    screened.criteria_version,
    tagged.fm_type, tagged.modalities, tagged.tasks, tagged.training_strategies, tagged.datasets
from int_studies as studies
inner join int_records__screened as screened using (study_id)
left join int_records__tagged as tagged using (study_id)
where ? or studies.first_harvested_window_end = (select max(first_harvested_window_end) from int_studies)
order by studies.study_id
"""


def read_studies(warehouse: Path | None, all_updates: bool) -> list[dict[str, Any]]:
    with decisions.connect(warehouse) as con:
        result = con.execute(STUDIES_SQL, [all_updates])
        columns = [column[0] for column in result.description]
        return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def why_queued(study: dict[str, Any], model: Any) -> str | None:
    if study["rule_decision"] == "maybe":
        return "rule_maybe"
    if model is None:
        return None
    if study["model_decision"] == "maybe":
        return "model_rescue"
    if study["rule_decision"] == "include" and study["model_decision"] == "exclude":
        return "model_dismissed"
    return None


def _with_model(studies: list[dict[str, Any]], model: Any) -> None:
    texts = [prioritisation.record_text(s["title"], s["abstract"]) for s in studies]
    probabilities = model.probabilities(texts) if model is not None else [None] * len(studies)
    for study, probability in zip(studies, probabilities, strict=True):
        study["model_probability"] = probability
        study["model_decision"] = (
            model.vote(study["rule_decision"], probability) if model is not None else None
        )


def build_queue(warehouse: Path | None = None, all_updates: bool = False) -> list[dict[str, Any]]:
    """The ranked queue rows (see the module docstring)."""
    model = prioritisation.load()
    already_decided = {row["study_id"] for row in decisions.read_decisions()}
    studies = [s for s in read_studies(warehouse, all_updates) if s["study_id"] not in already_decided]
    _with_model(studies, model)
    queued = []
    for study in studies:
        reason = why_queued(study, model)
        if reason is not None:
            queued.append(study | {"why_queued": reason})
    key = "rule_score" if model is None else "model_probability"
    queued.sort(key=lambda s: (-s[key], s["study_id"]))
    return [_queue_row(rank, study, model) for rank, study in enumerate(queued, start=1)]


def _queue_row(rank: int, study: dict[str, Any], model: Any) -> dict[str, Any]:
    probability = study["model_probability"]
    return {
        "rank": rank,
        "study_id": study["study_id"],
        "arxiv_id": study["arxiv_id"] or "",
        "title": study["title"],
        "abstract": study["abstract"],
        "why_queued": study["why_queued"],
        "model_probability": "" if probability is None else f"{probability:.4f}",
        "rule_decision": study["rule_decision"],
        "rule_score": study["rule_score"],
        "model_decision": study["model_decision"] or "",
        "reasons": ";".join(study["reasons"] or []),
        "suggested_fm_type": study["fm_type"] or "",
        **{f"suggested_{column}": ";".join(study[column] or []) for column in decisions.MULTI_VALUED},
        "model_version": model.version if model is not None else "",
        "criteria_version": study["criteria_version"],
    } | dict.fromkeys(decisions.REVIEWER_FILLED, "")


def export_queue(out: Path, warehouse: Path | None = None, all_updates: bool = False) -> int:
    """Write the queue CSV atomically; returns the number of rows."""
    rows = build_queue(warehouse, all_updates)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    with open(partial, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=QUEUE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    os.replace(partial, out)
    return len(rows)
