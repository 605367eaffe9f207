"""Session-wide settings for the whole suite.

Every pipeline run on a fresh data dir trains the prioritisation model (about 30 s on the labelled
set). The model's version is a hash of everything that shapes it, so the suite shares one model
cache (`LIVINGREVIEW_MODEL_CACHE`, inherited by the Airflow and CLI subprocesses) and trains each
version once; tests/unit/test_prioritisation.py covers both paths.
"""

from __future__ import annotations

import os
import shutil
import tempfile

MODEL_CACHE = tempfile.mkdtemp(prefix="lr-model-cache-")
os.environ.setdefault("LIVINGREVIEW_MODEL_CACHE", MODEL_CACHE)


def pytest_sessionfinish(session, exitstatus):
    shutil.rmtree(MODEL_CACHE, ignore_errors=True)
