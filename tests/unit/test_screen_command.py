"""`livingreview screen`: the pipeline's screening on a JSONL file; bad input writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from livingreview import prioritisation
from livingreview.cli import main
from livingreview.screen_file import OUTPUT_FIELDS
from tests.screening_support import needs_listings, trained_model

SAM_ON_CT = {
    "id": "rec-1",
    "title": "Adapting the Segment Anything Model to abdominal CT organ segmentation",
    "abstract": "We fine-tune SAM, a vision foundation model, with LoRA adapters for multi-organ "
    "segmentation of abdominal CT scans on BTCV and AMOS.",
    "categories": ["eess.IV", "cs.CV"],
}
TRAFFIC_SIGNS = {
    "id": "rec-2",
    "title": "Adversarial patches against traffic sign classifiers",
    "abstract": "We study physical adversarial attacks on convolutional traffic sign recognition networks.",
}


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def screen(input_path: Path, output_path: Path, *options: str):
    arguments = ["screen", "--input", str(input_path), "--output", str(output_path), *options]
    return CliRunner().invoke(main, arguments, catch_exceptions=False)


def read_output(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_screens_every_record_in_input_order_with_the_rules(data_dir: Path, tmp_path: Path):
    records = [json.dumps(SAM_ON_CT), "", json.dumps(TRAFFIC_SIGNS)]  # a blank line is skipped
    source = write_lines(tmp_path / "in.jsonl", records)

    result = screen(source, tmp_path / "out.jsonl")

    assert result.exit_code == 0, result.output
    sam, signs = read_output(tmp_path / "out.jsonl")
    assert list(sam) == list(OUTPUT_FIELDS)
    assert (sam["id"], sam["decision"], sam["actor"], sam["reasons"]) == ("rec-1", "include", "rule", [])
    assert sam["fm_type"] == "vision_only"
    assert "ct" in sam["modalities"] and "segmentation" in sam["tasks"]
    assert {"btcv", "amos"} <= set(sam["datasets"])
    assert 0 <= sam["score"] <= 1 and sam["criteria_version"] and sam["model_version"] is None
    assert signs["decision"] == "exclude" and signs["reasons"]
    assert "screened 2 records" in result.output


def test_accepts_what_the_standard_json_module_accepts(data_dir: Path, tmp_path: Path):
    # NaN is not JSON, but Python's json reads it, and so did this command before it parsed with
    # msgspec; a non-ASCII id comes back as the same characters (the output is UTF-8).
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"id": 7, "title": "t", "abstract": "CT", "confidence": NaN}\n'
        '{"id": "réc-2", "title": "Ségmentation", "abstract": "IRM"}\n',
        encoding="utf-8",
    )

    result = screen(source, tmp_path / "out.jsonl")

    assert result.exit_code == 0, result.output
    assert [row["id"] for row in read_output(tmp_path / "out.jsonl")] == ["7", "réc-2"]


def test_is_the_same_screening_the_pipeline_runs(data_dir: Path, tmp_path: Path):
    from livingreview import screening

    source = write_lines(tmp_path / "in.jsonl", [json.dumps(SAM_ON_CT), json.dumps(TRAFFIC_SIGNS)])
    screen(source, tmp_path / "out.jsonl")

    expected = screening.screen_records([SAM_ON_CT, TRAFFIC_SIGNS])
    produced = read_output(tmp_path / "out.jsonl")
    assert [(r["decision"], r["score"], r["reasons"]) for r in produced] == [
        (e["decision"], e["score"], list(e["reasons"])) for e in expected
    ]


@needs_listings
def test_the_current_model_votes_and_is_named(data_dir: Path, tmp_path: Path):
    model = trained_model()
    prioritisation.save(model)
    source = write_lines(tmp_path / "in.jsonl", [json.dumps(SAM_ON_CT), json.dumps(TRAFFIC_SIGNS)])

    screen(source, tmp_path / "out.jsonl")

    sam, signs = read_output(tmp_path / "out.jsonl")
    assert sam["model_version"] == signs["model_version"] == model.version
    assert sam["model_score"] > signs["model_score"]
    assert sam["decision"] == model.vote(sam["rule_decision"], sam["model_score"])

    screen(source, tmp_path / "rules.jsonl", "--rules-only")
    assert {row["model_version"] for row in read_output(tmp_path / "rules.jsonl")} == {None}


GOOD = json.dumps(SAM_ON_CT)
BAD_INPUTS = {
    "invalid JSON": ([GOOD, GOOD.replace("rec-1", "rec-9"), '{"id": "x", "title": '], "line 3: invalid JSON"),
    "not an object": ([GOOD, "[1, 2]"], "line 2: expected a JSON object"),
    "missing id": ([json.dumps({"title": "t", "abstract": "a"})], "line 1: missing or empty field 'id'"),
    "missing title": (
        [GOOD, json.dumps({"id": "b", "abstract": "a"})],
        "line 2 (id b): missing field 'title'",
    ),
    "null abstract": ([json.dumps({"id": "c", "title": "t", "abstract": None})], "missing field 'abstract'"),
    "abstract not text": (
        [json.dumps({"id": "d", "title": "t", "abstract": 3})],
        "must be a string: 'abstract'",
    ),
    "categories not a list": (
        [json.dumps({"id": "e", "title": "t", "abstract": "a", "categories": "cs.CV"})],
        "line 1 (id e): 'categories' must be a list of strings",
    ),
    "duplicate id": ([GOOD, GOOD], "line 2: duplicate id 'rec-1' (first on line 1)"),
    "lone surrogate": (
        [GOOD, json.dumps({"id": "f", "title": "\ud800 t", "abstract": "a"})],
        "line 2: a lone surrogate escape is not Unicode text",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_names_the_line_exits_2_and_writes_nothing(case: str, data_dir: Path, tmp_path: Path):
    lines, message = BAD_INPUTS[case]
    source = write_lines(tmp_path / "in.jsonl", lines)
    output = tmp_path / "out.jsonl"
    output.write_text("previous results\n", encoding="utf-8")

    result = screen(source, output)

    assert result.exit_code == 2
    assert message in result.output and "nothing written" in result.output
    assert output.read_text(encoding="utf-8") == "previous results\n"  # untouched, not truncated
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]  # no temp file left


def test_not_utf8_is_bad_input(data_dir: Path, tmp_path: Path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b'{"id": "a", "title": "\xff", "abstract": ""}\n')

    result = screen(source, tmp_path / "out.jsonl")

    assert result.exit_code == 2 and "not UTF-8" in result.output
    assert not (tmp_path / "out.jsonl").exists()
