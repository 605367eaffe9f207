"""Merge the two screeners' label batches with the drawn sample into screening_labels.csv (run once).

Usage: python review/labels/merge_batches.py SAMPLE.csv  (SAMPLE.csv is draw_sample.py's output:
id,stratum,split). Every sampled id must be labelled exactly once; the output is sorted by id.
"""

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BATCHES = (HERE / "batch_1.csv", HERE / "batch_2.csv")
OUTPUT = HERE / "screening_labels.csv"
COLUMNS = [
    "id",
    "stratum",
    "split",
    "label",
    "reason",
    "fm_type",
    "modalities",
    "tasks",
    "confidence",
    "rationale",
]


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def main(sample_path: str) -> None:
    sample = {row["id"]: row for row in read_rows(Path(sample_path))}
    labels: dict[str, dict[str, str]] = {}
    for batch in BATCHES:
        for row in read_rows(batch):
            if row["id"] in labels:
                raise SystemExit(f"{row['id']} is labelled twice ({batch.name})")
            labels[row["id"]] = row
    if set(labels) != set(sample):
        missing, extra = sorted(set(sample) - set(labels)), sorted(set(labels) - set(sample))
        raise SystemExit(f"labels do not match the sample: missing {missing[:5]}, not sampled {extra[:5]}")
    with open(OUTPUT, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for record_id in sorted(labels):
            writer.writerow({**labels[record_id], **sample[record_id]})


if __name__ == "__main__":
    main(sys.argv[1])
