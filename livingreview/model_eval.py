"""The model and the combined rule+model screener on the held-out split (part of `make eval-screening`).

The model is trained on the train split only (`prioritisation.training_examples` never admits a
held-out id, and its thresholds come from out-of-fold probabilities of the train split), then
scored on the held-out records beside the rules:
  model     the model alone at its high-recall operating point: include when p >= the `dismiss`
            threshold (below every training positive out of fold), ranked by p
  combined  the pipeline's automated decision, the model's vote on the rule decision
            (prioritisation.vote), ranked by decision then p
The figures use livingreview.screening_eval's metrics and conventions (a `maybe` goes to a human:
it counts as a predicted include), so the three screeners compare like for like. Tags are the
rules' tags (the model does not tag).

`--learning-curve` instead trains the text model on the first 1, 2, ... rounds of the train split
and scores the held-out split with each: whether labelling one more round still buys ranking quality.
"""

from __future__ import annotations

import argparse
from typing import Any

from livingreview import prioritisation, screening_eval

RANK_OF_DECISION = {"exclude": 0.0, "maybe": 1.0, "include": 2.0}
ACCEPTANCE = {"recall": 0.97, "precision": 0.85, "fm_type": 0.90}


def heldout_screeners(labels: list[dict[str, str]]) -> tuple[prioritisation.TrainedModel, dict[str, dict]]:
    """Train on the train split; per screener, the held-out results keyed by id (screening_eval's shape)."""
    model = prioritisation.train(prioritisation.training_examples())
    heldout = screening_eval.split_rows(labels, "heldout")
    rules = screening_eval.screen_labelled(heldout)
    examples = {e.id: e for e in prioritisation.labelled_examples("heldout")}
    ids = [row["id"] for row in heldout]
    probabilities = dict(zip(ids, model.probabilities([examples[i].text for i in ids]), strict=True))
    model_only, combined = {}, {}
    for record_id, p in probabilities.items():
        rule = rules[record_id]
        alone = "include" if p >= model.thresholds.dismiss else "exclude"
        model_only[record_id] = rule | {"decision": alone, "score": p}
        vote = model.vote(rule["decision"], p)
        combined[record_id] = rule | {"decision": vote, "score": RANK_OF_DECISION[vote] + p}
    return model, {"rules": rules, "model": model_only, "combined": combined}


def acceptance(result: dict[str, Any]) -> str:
    figures = {**result["metrics"], "fm_type": result["tags"]["fm_type"]}
    verdicts = [
        f"{name} {figures[name]:.3f} {'>=' if figures[name] >= bar else '< '} {bar:.2f}"
        for name, bar in ACCEPTANCE.items()
    ]
    passed = all(figures[name] >= bar for name, bar in ACCEPTANCE.items())
    return f"acceptance (combined, held-out): {'MET' if passed else 'NOT MET'}: " + ", ".join(verdicts)


def report(labels: list[dict[str, str]]) -> str:
    model, screeners = heldout_screeners(labels)
    heldout = screening_eval.split_rows(labels, "heldout")
    thresholds = ", ".join(f"{name} {value:.3f}" for name, value in model.thresholds.__dict__.items())
    lines = [f"== model {model.version}: trained on the train split only; vote thresholds {thresholds} =="]
    results = {}
    for name, screened in screeners.items():
        results[name] = screening_eval.evaluate(heldout, screened)
        lines.append(screening_eval.format_report(f"heldout, {name}", results[name]))
    combined = screeners["combined"]
    misses = [
        r["id"] for r in heldout if r["label"] == "include" and combined[r["id"]]["decision"] == "exclude"
    ]
    lines.append(f"held-out includes the combined screener excludes: {', '.join(misses) or 'none'}")
    lines.append(acceptance(results["combined"]))
    lines.append(by_label_confidence(heldout, combined, misses))
    return "\n".join(lines)


def by_label_confidence(heldout: list[dict[str, str]], combined: dict[str, dict], misses: list[str]) -> str:
    """Where the errors sit: the combined screener on the records the screeners labelled with high
    confidence (the rest are the protocol's borderline calls)."""
    confident = [row for row in heldout if row["confidence"] == "high"]
    result = screening_eval.evaluate(confident, combined)
    metrics = result["metrics"]
    low = {row["id"] for row in heldout if row["confidence"] != "high"}
    return (
        f"combined on the {len(confident)} held-out records labelled with high confidence: recall "
        f"{metrics['recall']:.3f}, precision {metrics['precision']:.3f}, ranking ceiling "
        f"{result['precision_at_97']:.3f}; {sum(m in low for m in misses)} of the {len(misses)} lost "
        f"includes carry a low-confidence label"
    )


def learning_curve(labels: list[dict[str, str]]) -> str:
    """Per prefix of the train split's rounds: the text model's ROC AUC and ranking ceiling on held-out."""
    from sklearn.metrics import roc_auc_score

    train = screening_eval.split_rows(labels, "train")
    heldout = screening_eval.split_rows(labels, "heldout")
    texts = prioritisation.listing_texts(row["id"] for row in labels)

    def text(row: dict[str, str]) -> str:
        return prioritisation.record_text(*texts[row["id"]])

    heldout_texts = [text(row) for row in heldout]
    heldout_includes = [row["label"] == "include" for row in heldout]
    lines = [
        f"== learning curve: the text model on rounds of the train split; {len(heldout)} held-out records =="
    ]
    for last in sorted({int(row["round"]) for row in train}):
        rows = [row for row in train if int(row["round"]) <= last]
        pipeline = prioritisation.build_pipeline().fit(
            [text(r) for r in rows], [r["label"] == "include" for r in rows]
        )
        scores = pipeline.predict_proba(heldout_texts)[:, 1]
        auc = roc_auc_score(heldout_includes, scores)
        screened = {r["id"]: {"score": float(score)} for r, score in zip(heldout, scores, strict=True)}
        ceiling = screening_eval.best_precision_at_recall(heldout, screened)
        lines.append(
            f"rounds 1-{last}: {len(rows)} records  ROC AUC {auc:.3f}  "
            f"best precision at recall 0.97 {ceiling:.3f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learning-curve", action="store_true", help="train on growing prefixes of rounds")
    args = parser.parse_args(argv)
    labels = screening_eval.load_labels()
    print(learning_curve(labels) if args.learning_curve else report(labels))


if __name__ == "__main__":
    main()
