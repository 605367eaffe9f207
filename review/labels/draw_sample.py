"""Draw the stratified screening sample the team labels (run once; the output ids are committed).

Strata, from the real arXiv listings in ../shared/data (read in place, never copied):
  hard_positive_candidates  medical/imaging terms AND foundation-model terms (where the decisions are hard)
  fm_not_medical            foundation-model terms, no medical terms (natural-image FMs, SAM on non-medical)
  medical_not_fm            medical/imaging terms, no foundation-model terms (task-specific CNNs, etc.)
  random                    a uniform random slice of everything
Usage: python review/labels/draw_sample.py OUT.csv            round 1 (530 ids, 30 % held out)
       python review/labels/draw_sample.py --round N OUT.csv  round N >= 2 (400 fresh ids, all held out)
A later round skips every id already in screening_labels.csv: the earlier held-out split was read while
the criteria were revised, so a fresh sample measures the revised criteria.
"""

import csv
import gzip
import json
import random
import re
import sys
from pathlib import Path

LISTINGS = Path(__file__).resolve().parents[3] / "shared" / "data" / "arxiv" / "daily_listings" / "by_month"
MEDICAL = re.compile(
    r"\b(medical|clinical|radiolog\w*|patholog\w*|histopatholog\w*|x-ray|chest|ct|mri|ultrasound|"
    r"endoscop\w*|polyp\w*|fundus|oct|octa|retina\w*|dermatolog\w*|skin lesion\w*|mammogra\w*|"
    r"tumou?r\w*|lesion\w*|organ\w*|brain|surgical|patient\w*|biomedical|whole[- ]slide)\b",
    re.I,
)
FOUNDATION = re.compile(
    r"(foundation model\w*|vision[- ]language|\bvlms?\b|\bllms?\b|\bmllms?\b|multimodal large|"
    r"segment anything|\w*sam\d?\b|\bclip\b|pre-?train\w*|self-supervised|\bgpt|large language)",
    re.I,
)
QUOTAS = {"hard_positive_candidates": 300, "fm_not_medical": 70, "medical_not_fm": 60, "random": 100}
LATER_ROUND_QUOTAS = {
    "hard_positive_candidates": 300,
    "fm_not_medical": 30,
    "medical_not_fm": 40,
    "random": 30,
}
LABELS = Path(__file__).resolve().parent / "screening_labels.csv"


def load_records():
    for path in sorted(LISTINGS.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                yield json.loads(line)


def stratum(record):
    text = f"{record['title']} {record['summary']}"
    medical, foundation = bool(MEDICAL.search(text)), bool(FOUNDATION.search(text))
    if medical and foundation:
        return "hard_positive_candidates"
    if foundation:
        return "fm_not_medical"
    if medical:
        return "medical_not_fm"
    return None


def ids_by_stratum(records: list[dict]) -> dict[str, list[str]]:
    by_stratum: dict[str, list[str]] = {name: [] for name in QUOTAS}
    for record in records:
        name = stratum(record)
        if name:
            by_stratum[name].append(record["id"])
    by_stratum["random"] = [record["id"] for record in records]
    return by_stratum


def draw(rng: random.Random, quotas: dict[str, int], skip: set[str]) -> dict[str, str]:
    by_stratum = ids_by_stratum(list(load_records()))
    chosen: dict[str, str] = {}
    for name, quota in quotas.items():
        fresh = [
            i
            for i in rng.sample(by_stratum[name], len(by_stratum[name]))
            if i not in chosen and i not in skip
        ]
        chosen.update(dict.fromkeys(fresh[:quota], name))
    return chosen


def write_sample(out_path: str, chosen: dict[str, str], split_of) -> None:
    with open(out_path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "stratum", "split"])
        for record_id, name in sorted(chosen.items()):
            writer.writerow([record_id, name, split_of()])


def main(argv: list[str]) -> None:
    if argv[0] == "--round":
        with open(LABELS, newline="", encoding="utf-8") as handle:
            labelled = {row["id"] for row in csv.DictReader(handle)}
        chosen = draw(random.Random(20251016973 + int(argv[1])), LATER_ROUND_QUOTAS, labelled)
        write_sample(argv[2], chosen, lambda: "heldout")
        return
    rng = random.Random(20251016973)
    chosen = draw(rng, QUOTAS, set())
    write_sample(argv[0], chosen, lambda: "heldout" if rng.random() < 0.3 else "train")


if __name__ == "__main__":
    main(sys.argv[1:])
