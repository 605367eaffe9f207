"""The generated corpus (deterministic, marked synthetic, built-in dedup cases), corpus loading,
and the `livingreview simulate` command."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from rapidfuzz import fuzz

from ingestion.simulator import load_corpus, synthetic
from ingestion.simulator.corpus import find_listings_folder
from livingreview.cli import main
from livingreview.config import shared_data_dir

LISTINGS = find_listings_folder(shared_data_dir() / "arxiv")


@pytest.fixture(scope="module")
def rows():
    return synthetic.generate()


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("generated")
    synthetic.write_corpus(folder)
    return folder


def test_generation_is_deterministic_per_seed(rows):
    # bypass the cache: it must not hide a nondeterministic generator
    fresh = synthetic.generate.__wrapped__(synthetic.DEFAULT_SEED)
    assert fresh == rows
    other = synthetic.generate.__wrapped__(synthetic.DEFAULT_SEED + 1)
    assert other["medrxiv"] != rows["medrxiv"]


def test_every_record_is_marked_synthetic_with_reserved_identifiers(rows):
    assert all(r["summary"].endswith(synthetic.SYNTHETIC_NOTE) for r in rows["arxiv"])
    assert all(synthetic.SYNTHETIC_MARK in r["comment"] for r in rows["arxiv"])
    assert all(r["id"].split(".")[1].startswith("9") for r in rows["arxiv"])
    for server in ("medrxiv", "biorxiv"):
        assert all(r["abstract"].endswith(synthetic.SYNTHETIC_NOTE) for r in rows[server])
        assert all(synthetic.SYNTHETIC_MARK in r["author_corresponding_institution"] for r in rows[server])
        assert all(r["doi"].startswith("10.5555/") for r in rows[server])
    assert all(r["abstractText"].endswith(synthetic.SYNTHETIC_NOTE) for r in rows["europepmc"])
    assert all(r["doi"].startswith("10.5555/") for r in rows["europepmc"])


def test_covers_2025_03_to_2026_07_with_a_few_dozen_per_week(rows):
    dates = sorted(r["date"] for r in rows["medrxiv"])
    assert dates[0] < "2025-03-08" and dates[-1] >= "2026-07-25"
    per_week = Counter(r["published"][:10] for r in rows["arxiv"])
    assert 15 < len(rows["arxiv"]) / 74 < 60 and per_week


def test_mix_and_dedup_cases_are_present(rows):
    titles = [r["title"] for r in rows["arxiv"]]
    assert any("Foundation Model" in t for t in titles)
    assert any("Survey" in t or "Review" in t for t in titles)
    assert any("Large Language Model" in t for t in titles)  # text-only clinical LLMs
    assert any("ECG" in t or "EEG" in t for t in titles + [r["title"] for r in rows["medrxiv"]])
    assert any("U-Net" in t for t in titles)
    # multi-version preprints: v1 and v2 in different weeks
    versions = {}
    for r in rows["medrxiv"]:
        versions.setdefault(r["doi"], []).append(r["date"])
    revised = [d for d in versions.values() if len(d) == 2]
    assert revised and all(d[1] > d[0] for d in revised)
    # medRxiv published DOIs that are Europe PMC MEDLINE records
    med_dois = {r["doi"] for r in rows["europepmc"] if r["source"] == "MED"}
    published = {r["published"] for r in rows["medrxiv"] if r["published"] != "NA"}
    assert published and published <= med_dois
    # Europe PMC preprint copies of CSHL preprints, same DOI
    preprint_dois = {r["doi"] for r in rows["europepmc"] if r["source"] == "PPR"}
    assert preprint_dois & {r["doi"] for r in rows["medrxiv"]}
    # arXiv papers later published: arxiv:doi is a MEDLINE DOI with the same title
    med_titles = {r["doi"]: r["title"] for r in rows["europepmc"] if r["source"] == "MED"}
    later = [r for r in rows["arxiv"] if r["doi"]]
    assert later and all(med_titles[r["doi"]] == r["title"] for r in later)
    # two different papers with near-identical titles
    first, second = synthetic.NEAR_TWIN_TITLES[0]
    assert first in titles and second in [r["title"] for r in rows["medrxiv"]]
    assert fuzz.ratio(first, second) > 90


def test_written_corpus_round_trips_and_is_byte_stable(tmp_path, written, rows):
    counts = synthetic.write_corpus(tmp_path)
    for name in ("arxiv.jsonl.gz", "medrxiv.jsonl.gz", "europepmc.jsonl.gz", "manifest.json"):
        assert (tmp_path / name).read_bytes() == (written / name).read_bytes()
    manifest = json.loads((written / "manifest.json").read_text())
    assert manifest["synthetic"] is True and manifest["counts"] == counts
    corpus = load_corpus(written)
    assert corpus.summary() == counts
    assert corpus.records("medrxiv") == rows["medrxiv"]
    assert "synthetic" in corpus.origins["arxiv"]


def test_a_partial_generated_dir_falls_back_to_the_generated_default(tmp_path, written):
    shutil.copy(written / "manifest.json", tmp_path)
    with gzip.open(tmp_path / "medrxiv.jsonl.gz", "wt") as handle:
        handle.write(json.dumps(synthetic.generate()["medrxiv"][0]) + "\n")
    corpus = load_corpus(tmp_path)
    assert len(corpus.records("medrxiv")) == 1
    assert len(corpus.records("biorxiv")) == len(synthetic.generate()["biorxiv"])


def test_bad_corpus_paths_are_clear_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        load_corpus(tmp_path / "missing")
    with pytest.raises(ValueError, match="neither an arXiv listings folder"):
        load_corpus(tmp_path)


@pytest.mark.skipif(LISTINGS is None, reason="shared arXiv listings absent")
def test_listings_folder_is_found_from_its_parents():
    assert find_listings_folder(LISTINGS.parent.parent) == LISTINGS
    corpus = load_corpus(LISTINGS.parent)
    assert "real arXiv listings" in corpus.origins["arxiv"]
    assert len(corpus.records("arxiv")) == 60500  # per PROVENANCE.md, deduplicated
    assert "generated" in corpus.origins["medrxiv"]


# --- the CLI ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--corpus", "/nonexistent/corpus"], "does not exist"),
        (["--faults", "429,bogus"], "unknown fault kind 'bogus'"),
        (["--fault-rate", "1.5"], "--fault-rate"),
    ],
)
def test_cli_usage_errors_exit_2(args, message):
    result = CliRunner().invoke(main, ["simulate", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_cli_writes_a_generated_corpus(tmp_path):
    result = CliRunner().invoke(
        main, ["simulate", "--write-corpus", str(tmp_path / "c"), "--corpus-seed", "3"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads((tmp_path / "c" / "manifest.json").read_text())["seed"] == 3


def test_cli_serves_until_sigterm(written):
    executable = Path(sys.executable).with_name("livingreview")
    process = subprocess.Popen(
        [
            str(executable),
            "simulate",
            "--corpus",
            str(written),
            "--port",
            "0",
            "--faults",
            "503",
            "--fault-rate",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    try:
        first = process.stdout.readline()
        assert first.startswith("API simulator listening on http://127.0.0.1:")
        base_url = first.rsplit(" ", 1)[1].strip()
        summary = [process.stdout.readline() for _ in range(4)]
        assert [line.split()[0] for line in summary] == ["arxiv", "medrxiv", "biorxiv", "europepmc"]
        assert requests.get(f"{base_url}/details/medrxiv/2025-10-13/2025-10-19/0/json", timeout=5).ok
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=10)
        assert process.returncode == 0 and "simulator stopped" in output
    finally:
        if process.poll() is None:
            process.kill()


def test_generation_does_not_depend_on_the_interpreters_hash_seed(rows):
    script = (
        "import hashlib, json; from ingestion.simulator import synthetic; "
        "print(hashlib.sha256(json.dumps(synthetic.generate(), sort_keys=True).encode()).hexdigest())"
    )
    env = os.environ | {"PYTHONHASHSEED": "12345"}
    command = [sys.executable, "-c", script]
    other = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
    here = hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest()
    assert other.stdout.strip() == here
