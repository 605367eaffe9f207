"""`livingreview decisions import`: everything validated first; any bad row imports nothing."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from livingreview import decisions
from livingreview.cli import main
from livingreview.decisions import DecisionImportError, import_decisions

STUDIES = ("arxiv:2510.00001v1", "arxiv:2510.00002v1", "medrxiv:10.1101/2025.10.01.1v1")
HEADER = ["rank", "study_id", "title", "decision", "reason", "fm_type", "modalities", "tasks", "note"]


@pytest.fixture
def warehouse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A real DuckDB warehouse holding the studies' table, and an empty decisions folder."""
    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LIVINGREVIEW_DECISIONS_DIR", str(tmp_path / "decisions"))
    path = tmp_path / "data" / "warehouse" / "work.duckdb"
    path.parent.mkdir(parents=True)
    with duckdb.connect(str(path)) as con:
        con.execute(
            "create table int_studies (study_id varchar, arxiv_id varchar, title varchar, abstract varchar)"
        )
        con.executemany(
            "insert into int_studies values (?, null, 'a title', 'an abstract')", [(s,) for s in STUDIES]
        )
    return path


def queue_file(path: Path, rows: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def row(study_id: str = STUDIES[0], **cells: str) -> dict[str, str]:
    return {"study_id": study_id, "title": "a title"} | cells


GOOD_ROWS = [
    row(
        STUDIES[0],
        decision="include",
        fm_type="vision_language",
        modalities="x-ray; ct",
        tasks="report_generation",
    ),
    row(STUDIES[1], decision="exclude", reason="medical_text_only"),
    row(STUDIES[2]),  # left blank: not decided yet
]


def imported_files() -> list[Path]:
    return decisions.decision_files()


def test_a_good_file_is_appended_as_a_new_decisions_file(warehouse: Path, tmp_path: Path):
    source = queue_file(tmp_path / "queue.csv", GOOD_ROWS)

    result = import_decisions(source, "alice", warehouse)

    assert (result.imported, result.undecided) == (2, 1)
    assert imported_files() == [result.path]
    rows = list(csv.DictReader(result.path.open(encoding="utf-8")))
    assert tuple(rows[0]) == decisions.DECISION_FILE_COLUMNS
    assert [(r["study_id"], r["reviewer"], r["decision"], r["reason"]) for r in rows] == [
        (STUDIES[0], "alice", "include", ""),
        (STUDIES[1], "alice", "exclude", "medical_text_only"),
    ]
    assert rows[0]["modalities"] == "x-ray;ct"
    second = import_decisions(queue_file(tmp_path / "again.csv", GOOD_ROWS[1:]), "alice", warehouse)
    assert imported_files() == [result.path, second.path]  # append-only: the first file is untouched
    assert len(list(csv.DictReader(result.path.open(encoding="utf-8")))) == 2


BAD_FILES = {
    "unknown study id": (
        [row("arxiv:9999.99999v1", decision="include")],
        "line 2: unknown study_id 'arxiv:9999.99999v1'",
    ),
    "bad decision": ([row(decision="yes")], "line 2: decision 'yes' is not one of include, exclude, maybe"),
    "unknown reason": ([row(decision="exclude", reason="boring")], "line 2: unknown reason code 'boring'"),
    "exclusion without reason": ([row(decision="exclude")], "line 2: an exclusion needs a reason code"),
    "automation's reason": (
        [row(decision="exclude", reason="model_unlikely")],
        "line 2: reason 'model_unlikely' is the model's, not a reviewer's",
    ),
    "reason on include": ([row(decision="include", reason="off_topic")], "reasons are for exclusions"),
    "unknown fm_type": ([row(decision="include", fm_type="audio")], "line 2: unknown fm_type value 'audio'"),
    "unknown modality": (
        [row(decision="include", modalities="ct;xray")],
        "line 2: unknown modalities value 'xray'",
    ),
    "unknown task": ([row(decision="include", tasks="dancing")], "line 2: unknown tasks value 'dancing'"),
    "twice in one file": (
        [row(decision="include"), row(decision="exclude", reason="off_topic")],
        "line 3: study_id 'arxiv:2510.00001v1' already decided on line 2",
    ),
    "nothing decided": ([row(), row(STUDIES[1])], "no decisions in the file"),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_any_bad_row_imports_nothing(case: str, warehouse: Path, tmp_path: Path):
    bad_rows, message = BAD_FILES[case]
    good_row = [] if case == "nothing decided" else [GOOD_ROWS[1]]  # a good row is not imported either
    source = queue_file(tmp_path / "queue.csv", [*bad_rows, *good_row])

    with pytest.raises(DecisionImportError) as raised:
        import_decisions(source, "alice", warehouse)

    assert any(message in problem for problem in raised.value.problems), raised.value.problems
    assert imported_files() == []
    assert not (tmp_path / "decisions").exists() or not any((tmp_path / "decisions").iterdir())


def test_every_problem_is_reported_with_its_line(warehouse: Path, tmp_path: Path):
    rows = [row(decision="yes"), row(STUDIES[1], decision="exclude", reason="boring", modalities="xray")]

    with pytest.raises(DecisionImportError) as raised:
        import_decisions(queue_file(tmp_path / "queue.csv", rows), "alice", warehouse)

    assert raised.value.problems == [
        "line 2: decision 'yes' is not one of include, exclude, maybe",
        "line 3: unknown reason code 'boring'",
        "line 3: unknown modalities value 'xray'",
    ]


def test_a_file_without_the_decision_column_is_rejected(warehouse: Path, tmp_path: Path):
    source = queue_file(tmp_path / "queue.csv", [row()], header=["study_id", "title"])

    with pytest.raises(DecisionImportError, match="missing column"):
        import_decisions(source, "alice", warehouse)
    assert imported_files() == []


def test_extra_cells_on_a_line_are_rejected(warehouse: Path, tmp_path: Path):
    source = tmp_path / "queue.csv"
    source.write_text(f"study_id,decision\n{STUDIES[0]},include,surprise\n", encoding="utf-8")

    with pytest.raises(DecisionImportError, match="line 2: more fields than the header"):
        import_decisions(source, "alice", warehouse)


def test_a_bad_reviewer_id_is_rejected(warehouse: Path, tmp_path: Path):
    with pytest.raises(DecisionImportError, match="reviewer id"):
        import_decisions(queue_file(tmp_path / "queue.csv", GOOD_ROWS), "alice/../../etc", warehouse)
    assert imported_files() == []


def test_the_command_reports_and_exits_2(warehouse: Path, tmp_path: Path):
    source = queue_file(tmp_path / "queue.csv", [row(decision="exclude", reason="boring")])

    result = CliRunner().invoke(
        main, ["decisions", "import", str(source), "--reviewer", "bob", "--warehouse", str(warehouse)]
    )

    assert result.exit_code == 2
    assert (
        "1 problem(s), nothing imported" in result.output and "unknown reason code 'boring'" in result.output
    )
    assert imported_files() == []
    good = CliRunner().invoke(
        main, ["decisions", "import", str(queue_file(tmp_path / "ok.csv", GOOD_ROWS)), "--reviewer", "bob"]
    )
    assert good.exit_code == 0 and "imported 2 decisions by bob" in good.output
