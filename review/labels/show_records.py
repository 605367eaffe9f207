"""Print the title, categories and abstract of arXiv ids for labelling (text read in place, never copied).

Usage: python review/labels/show_records.py SAMPLE.csv [FIRST LAST]
SAMPLE.csv has an `id` column (draw_sample.py's output); FIRST..LAST (1-based, inclusive) picks rows.
"""

import csv
import sys

from draw_sample import load_records


def main(sample_path: str, first: int = 1, last: int | None = None) -> None:
    with open(sample_path, newline="", encoding="utf-8") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)][first - 1 : last]
    wanted = set(ids)
    records = {record["id"]: record for record in load_records() if record["id"] in wanted}
    for number, record_id in enumerate(ids, start=first):
        record = records[record_id]
        categories = " ".join(record.get("categories") or [])
        print(f"### {number}. {record_id}  [{categories}]\nTITLE: {record['title']}\n{record['summary']}\n")


if __name__ == "__main__":
    bounds = [int(value) for value in sys.argv[2:4]]
    main(sys.argv[1], *bounds)
