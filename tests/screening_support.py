"""Shared by the screening tests: one model trained per test session on the real labelled set.

Training reads the labelled records' text in place from the recorded arXiv listings, so the tests
that need a model skip only when that shared data is absent.
"""

from __future__ import annotations

from functools import cache

import pytest

from livingreview import prioritisation

needs_listings = pytest.mark.skipif(
    not prioritisation.listings_dir().is_dir(), reason="recorded arXiv listings not present"
)


@cache
def trained_model() -> prioritisation.TrainedModel:
    """The labelled train split, no human decisions (about 30 s to train; once per process, and not
    at all when an earlier pipeline run of the suite left that version in the suite's model cache)."""
    return prioritisation.trained_or_cached(prioritisation.training_examples())
