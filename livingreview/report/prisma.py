"""The PRISMA 2020 flow diagram's boxes, from one update's row pair of `mart_prisma_flow`.

The diagram is drawn in HTML (see the template), not as a chart: its numbers must be exact, selectable
text, and each carries `data-prisma="<scope>.<column>"` so a test can read them back.
"""

from __future__ import annotations

from dataclasses import dataclass

SOURCE_LABELS = {"arxiv": "arXiv", "medrxiv": "medRxiv", "biorxiv": "bioRxiv", "europepmc": "Europe PMC"}
REASON_LABELS = {
    "review_article": "review or survey article (listed separately)",
    "no_foundation_model": "no foundation model",
    "not_medical_imaging": "not medical imaging",
    "medical_text_only": "medical text only",
    "non_imaging_biomedical": "non-imaging biomedical data",
    "off_topic": "off topic",
    "model_unlikely": "kept by the rules, overturned by the model",
}
SCOPE_TITLES = {"update": "This update", "cumulative": "Cumulative (all updates)"}
NOT_REASONS = ("excluded_by_automation", "excluded_by_humans")


@dataclass(frozen=True)
class Count:
    """One number in the diagram: what it is, its value, and the mart column it came from."""

    label: str
    value: int
    key: str  # "<scope>.<mart column>", the data-prisma attribute


@dataclass(frozen=True)
class PrismaDiagram:
    scope: str
    title: str
    identified: Count
    identified_by_source: list[Count]
    duplicates_removed: Count
    screened: Count
    excluded: Count
    excluded_by_automation: Count
    excluded_by_humans: Count
    excluded_by_reason: list[Count]
    awaiting: Count
    included: Count
    review_articles: Count


def diagram(scope: str, counts: dict[str, int]) -> PrismaDiagram:
    def count(column: str, label: str) -> Count:
        return Count(label, counts[column], f"{scope}.{column}")

    reasons = [
        count(column, REASON_LABELS.get(column.removeprefix("excluded_"), column.removeprefix("excluded_")))
        for column in counts
        if column.startswith("excluded_") and column not in NOT_REASONS and counts[column] > 0
    ]
    return PrismaDiagram(
        scope=scope,
        title=SCOPE_TITLES[scope],
        identified=count("records_identified", "Records identified from preprint servers and databases"),
        identified_by_source=[
            count(f"identified_{source}", label)
            for source, label in SOURCE_LABELS.items()
            if f"identified_{source}" in counts
        ],
        duplicates_removed=count(
            "duplicates_removed", "Duplicate records removed (versions, copies, published)"
        ),
        screened=count("records_screened", "Studies screened (title and abstract)"),
        excluded=count("records_excluded", "Studies excluded"),
        excluded_by_automation=count("excluded_by_automation", "by automation (rules, model)"),
        excluded_by_humans=count("excluded_by_humans", "by human reviewers"),
        excluded_by_reason=sorted(reasons, key=lambda reason: -reason.value),
        awaiting=count("awaiting_classification", "Awaiting classification (maybe)"),
        included=count("studies_included", "Studies included in the review"),
        review_articles=count("excluded_review_article", "Review articles (listed below)"),
    )


def diagrams(flow: dict[str, dict[str, int]]) -> list[PrismaDiagram]:
    return [diagram(scope, flow[scope]) for scope in ("update", "cumulative")]
