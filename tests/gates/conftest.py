"""Fixtures of the gate tests: a private data dir and a writer of valid arXiv weeks."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.gates.gate_inputs import arxiv_record, write_window


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("LIVINGREVIEW_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def arxiv_week(data_dir: Path) -> Callable[..., Path]:
    """Write an arXiv window of `count` valid records starting `start`, with optional changes."""

    def write(start: date, count: int = 5, **run_changes: Any) -> Path:
        records = [arxiv_record(number, start) for number in range(count)]
        return write_window(data_dir / "landing", start, records, **run_changes)

    return write
