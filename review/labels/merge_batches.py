"""Merge screeners' label batches with a drawn sample into screening_labels.csv (run once per round).

Usage:
  python review/labels/merge_batches.py SAMPLE.csv              round 1: batch_1.csv, batch_2.csv
  python review/labels/merge_batches.py --round N SAMPLE.csv    round N >= 2: four batches of 100,
                                                                 batch_(4N-5).csv .. batch_(4N-2).csv
From round 4 on every record is labelled twice, independently: batch_K.csv and batch_Kb.csv hold the
two screeners' labels of the same records, and adjudication_N.csv a third screener's decision on every
record they disagree on. The merged row is the agreed label (the first screener's tags; `low`
confidence if either screener said so) or the adjudicator's (always `low`); `second_label` keeps the
second screener's label.

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
    "second_label",
]
DUAL_SCREENING_FROM_ROUND = 4


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def read_labels(paths: tuple[Path, ...]) -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    for batch in paths:
        for row in read_rows(batch):
            if row["id"] in labels:
                raise SystemExit(f"{row['id']} is labelled twice ({batch.name})")
            labels[row["id"]] = row
    return labels


def reconciled(first: dict[str, dict[str, str]], round_number: int) -> dict[str, dict[str, str]]:
    """Two independent screeners' labels reconciled: agreement, else the adjudicator's row."""
    second = read_labels(tuple(path.with_name(f"{path.stem}b.csv") for path in batches(round_number)))
    if set(second) != set(first):
        raise SystemExit("the second screener's batches do not hold the same ids as the first's")
    adjudicated = read_labels((HERE / f"adjudication_{round_number}.csv",))
    conflicts = {key for key in first if first[key]["label"] != second[key]["label"]}
    if conflicts != set(adjudicated):
        raise SystemExit(
            f"adjudication_{round_number}.csv must decide exactly the conflicts {sorted(conflicts)}"
        )
    merged = {}
    for key, row in first.items():
        if key in conflicts:
            merged[key] = {**adjudicated[key], "confidence": "low"}
        else:
            either_low = "low" in (row["confidence"], second[key]["confidence"])
            merged[key] = {**row, "confidence": "low" if either_low else row["confidence"]}
        merged[key]["second_label"] = second[key]["label"]
    return merged


def labelled_sample(round_number: int, sample_path: str) -> dict[str, dict[str, str]]:
    sample = {row["id"]: row for row in read_rows(Path(sample_path))}
    labels = read_labels(batches(round_number))
    if round_number >= DUAL_SCREENING_FROM_ROUND:
        labels = reconciled(labels, round_number)
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
