"""Humans in the loop, for real: export the queue, two reviewers decide (one conflict), import, rebuild.

One real week harvested from the recorded arXiv listings through the simulator, a model trained on
the labelled train split, two real dbt builds. The marts must reflect the human decisions (human >
model > rule), list the conflict, compute Cohen's kappa, and PRISMA must split exclusions into
automation and humans.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest
from sklearn.metrics import cohen_kappa_score

from ingestion.harvest import harvest_window
from ingestion.simulator import start_simulator
from livingreview import prioritisation, review_queue
from livingreview.build import run_dbt_build
from livingreview.config import SOURCES, load_protocol
from livingreview.decisions import import_decisions
from tests.dbt.test_warehouse_build import LISTINGS, polite_free_protocol
from tests.screening_support import needs_listings, trained_model

WEEK_START = date(2025, 10, 6)

pytestmark = needs_listings


@dataclass
class RoundTrip:
    data: Path
    queue: list[dict[str, str]]
    agreed_include: str
    agreed_exclude: str
    conflict: str
    overrides_model: str  # the model settled it as exclude; a human includes it
    before: dict[str, tuple]  # study_id -> (decision, actor) before any human decision
    kappa_studies: dict[str, tuple[str, str]]  # study_id -> (alice, bob)


def query(data: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(data / "warehouse" / "work.duckdb"), read_only=True) as con:
        return con.sql(sql).fetchall()


def write_decisions(path: Path, queue: list[dict[str, str]], decided: dict[str, dict[str, str]]) -> Path:
    """The queue file as a reviewer returns it: some decision cells filled, plus extra rows."""
    rows = [row | decided.get(row["study_id"], {}) for row in queue]
    rows += [
        {"study_id": study_id} | cells
        for study_id, cells in decided.items()
        if study_id not in {r["study_id"] for r in queue}
    ]
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=review_queue.QUEUE_COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def pick_studies(data: Path, queue: list[dict[str, str]]) -> list[str]:
    """Three studies to decide: the top of the queue, topped up with automated includes."""
    queued = [row["study_id"] for row in queue]
    included = [
        s
        for (s,) in query(
            data, "select study_id from int_screening__decisions where decision = 'include' order by study_id"
        )
    ]
    return (queued + [s for s in included if s not in queued])[:3]


@pytest.fixture(scope="module")
def round_trip(tmp_path_factory: pytest.TempPathFactory) -> RoundTrip:
    root = tmp_path_factory.mktemp("round-trip")
    data = root / "data"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("LIVINGREVIEW_DATA_DIR", str(data))
        env.setenv("LIVINGREVIEW_DECISIONS_DIR", str(root / "decisions"))
        env.setenv("LIVINGREVIEW_PROTOCOL", str(polite_free_protocol(root)))
        with start_simulator(corpus=LISTINGS) as simulator:
            for source in SOURCES:
                harvest_window(
                    source,
                    WEEK_START,
                    WEEK_START + timedelta(days=7),
                    base_url=simulator.base_url,
                    protocol=load_protocol(),
                )
        prioritisation.save(trained_model())
        assert run_dbt_build().ok
        before = {
            s: (d, a)
            for s, d, a in query(data, "select study_id, decision, actor from int_screening__decisions")
        }
        review_queue.export_queue(root / "queue.csv")
        with open(root / "queue.csv", newline="", encoding="utf-8") as handle:
            queue = list(csv.DictReader(handle))
        agreed_include, agreed_exclude, conflict = pick_studies(data, queue)
        [(overrides_model,)] = query(
            data,
            "select min(study_id) from int_screening__decisions "
            "where actor = 'model' and decision = 'exclude'",
        )
        alice = {
            agreed_include: {"decision": "include", "fm_type": "vision_language", "modalities": "pathology"},
            agreed_exclude: {"decision": "exclude", "reason": "no_foundation_model"},
            conflict: {"decision": "include"},
        }
        bob = {
            agreed_include: {"decision": "include"},
            agreed_exclude: {"decision": "exclude", "reason": "no_foundation_model"},
            conflict: {"decision": "exclude", "reason": "not_medical_imaging"},
        }
        if overrides_model is not None:
            alice[overrides_model] = bob[overrides_model] = {"decision": "include"}
        import_decisions(write_decisions(root / "alice.csv", queue, alice), "alice")
        import_decisions(write_decisions(root / "bob.csv", queue, bob), "bob")
        assert run_dbt_build().ok  # every dbt test green with human decisions in
        kappa_studies = {s: (alice[s]["decision"], bob[s]["decision"]) for s in alice}
        return RoundTrip(
            data, queue, agreed_include, agreed_exclude, conflict, overrides_model, before, kappa_studies
        )


def test_the_queue_is_ranked_with_text_scores_tags_and_reasons(round_trip: RoundTrip):
    queue = round_trip.queue
    assert queue, "the week has records the automation could not settle"
    probabilities = [float(row["model_probability"]) for row in queue]
    assert probabilities == sorted(probabilities, reverse=True)  # most likely includes first
    assert [int(row["rank"]) for row in queue] == list(range(1, len(queue) + 1))
    assert all(row["title"] and row["abstract"] and row["model_version"] for row in queue)
    assert {row["why_queued"] for row in queue} <= {"rule_maybe", "model_rescue", "model_dismissed"}
    assert all(row["decision"] == "" for row in queue)  # for the reviewer to fill


def test_human_decisions_win_over_model_and_rule(round_trip: RoundTrip):
    decisions = {
        s: (d, a)
        for s, d, a in query(
            round_trip.data, "select study_id, decision, actor from int_screening__decisions"
        )
    }
    assert decisions[round_trip.agreed_include] == ("include", "human")
    assert decisions[round_trip.agreed_exclude] == ("exclude", "human")
    assert decisions[round_trip.conflict] == ("maybe", "human")  # nobody's vote wins a conflict
    if round_trip.overrides_model is not None:
        assert round_trip.before[round_trip.overrides_model] == ("exclude", "model")
        assert decisions[round_trip.overrides_model] == ("include", "human")
    untouched = {s: v for s, v in decisions.items() if s not in round_trip.kappa_studies}
    assert untouched == {s: v for s, v in round_trip.before.items() if s not in round_trip.kappa_studies}


def test_included_studies_carry_the_human_tag_corrections(round_trip: RoundTrip):
    [(fm_type, modalities, actor)] = query(
        round_trip.data,
        "select fm_type, modalities, decision_actor from fct_studies "
        f"where study_id = '{round_trip.agreed_include}'",
    )
    assert (fm_type, modalities, actor) == ("vision_language", ["pathology"], "human")
    excluded = {round_trip.agreed_exclude, round_trip.conflict}
    assert not {s for (s,) in query(round_trip.data, "select study_id from fct_studies")} & excluded


def test_the_conflict_is_listed(round_trip: RoundTrip):
    rows = query(
        round_trip.data, "select study_id, reviewer_count, reviewer_decisions from mart_screening_conflicts"
    )
    assert rows == [(round_trip.conflict, 2, ["alice: include", "bob: exclude (not_medical_imaging)"])]


def test_kappa_per_reviewer_pair_and_automation_vs_human(round_trip: RoundTrip):
    rows = {
        (a, b): (studies, agreements, kappa)
        for a, b, studies, agreements, kappa in query(
            round_trip.data,
            "select rater_a, rater_b, studies, agreements, kappa from mart_screening_agreement",
        )
    }
    alice, bob = zip(*round_trip.kappa_studies.values(), strict=True)
    studies, agreements, kappa = rows[("alice", "bob")]
    assert (studies, agreements) == (len(alice), len(alice) - 1)
    assert kappa == pytest.approx(cohen_kappa_score(alice, bob))
    assert rows[("rule", "human")][0] == len(alice) - 1  # the agreed studies (the conflict is not agreed)
    assert rows[("model", "human")][0] == len(alice) - 1


def test_prisma_splits_exclusions_into_automation_and_humans(round_trip: RoundTrip):
    [(excluded, by_automation, by_humans, included)] = query(
        round_trip.data,
        "select records_excluded, excluded_by_automation, excluded_by_humans, "
        "studies_included from mart_prisma_flow where scope = 'cumulative'",
    )
    automated_excludes = sum(
        1 for s, (d, a) in round_trip.before.items() if d == "exclude" and s not in round_trip.kappa_studies
    )
    assert by_humans == 1  # the agreed exclusion; the conflict awaits classification
    assert by_automation == automated_excludes
    assert excluded == by_automation + by_humans
    [(fct,)] = query(round_trip.data, "select count(*) from fct_studies")
    assert included == fct


def test_decided_studies_leave_the_queue(
    round_trip: RoundTrip, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
):
    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(round_trip.data))
    monkeypatch.setenv("LIVINGREVIEW_DECISIONS_DIR", str(round_trip.data.parent / "decisions"))
    rows = review_queue.build_queue(round_trip.data / "warehouse" / "work.duckdb")
    assert not {row["study_id"] for row in rows} & set(round_trip.kappa_studies)
