"""Merge screeners' label batches with a drawn sample into screening_labels.csv (run once per round).

Usage:
  python review/labels/merge_batches.py SAMPLE.csv              round 1: batch_1.csv, batch_2.csv
  python review/labels/merge_batches.py --round N SAMPLE.csv    round N >= 2: four batches of 100,
                                                                 batch_(4N-5).csv .. batch_(4N-2).csv

SAMPLE.csv is draw_sample.py's output (id,stratum,split). Every sampled id must be labelled exactly once.
A later round is the fresh held-out split: its rows are appended, and every earlier row becomes a training
row (the earlier held-out split was read while the next criteria were written). The output is sorted by id.
"""

import csv
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def batches(round_number: int) -> tuple[Path, ...]:
    if round_number == 1:
        return (HERE / "batch_1.csv", HERE / "batch_2.csv")
    first = 4 * round_number - 5
    return tuple(HERE / f"batch_{number}.csv" for number in range(first, first + 4))


OUTPUT = HERE / "screening_labels.csv"
COLUMNS = [
    "id",
    "round",
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


def labelled_sample(round_number: int, sample_path: str) -> dict[str, dict[str, str]]:
    sample = {row["id"]: row for row in read_rows(Path(sample_path))}
    labels: dict[str, dict[str, str]] = {}
    for batch in batches(round_number):
        for row in read_rows(batch):
            if row["id"] in labels:
                raise SystemExit(f"{row['id']} is labelled twice ({batch.name})")
            labels[row["id"]] = row
    if set(labels) != set(sample):
        missing, extra = sorted(set(sample) - set(labels)), sorted(set(labels) - set(sample))
        raise SystemExit(f"labels do not match the sample: missing {missing[:5]}, not sampled {extra[:5]}")
    return {key: {**labels[key], **sample[key], "round": str(round_number)} for key in labels}


def earlier_rounds() -> dict[str, dict[str, str]]:
    rows = {row["id"]: {"round": "1", **row} for row in read_rows(OUTPUT)}
    return {key: {**row, "split": "train"} for key, row in rows.items()}


def main(argv: list[str]) -> None:
    round_number, sample_path = (int(argv[1]), argv[2]) if argv[0] == "--round" else (1, argv[0])
    rows = labelled_sample(round_number, sample_path)
    if round_number > 1:
        earlier = earlier_rounds()
        if set(earlier) & set(rows):
            raise SystemExit(f"ids labelled in an earlier round: {sorted(set(earlier) & set(rows))[:5]}")
        rows |= earlier
    with open(OUTPUT, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for record_id in sorted(rows):
            writer.writerow({column: rows[record_id].get(column, "") for column in COLUMNS})


if __name__ == "__main__":
    main(sys.argv[1:])
