"""Paths and the review protocol: the one place that knows where things live.

Everything is resolved at call time (never at import) so tests and DAG runs can point
`LIVINGREVIEW_DATA_DIR` somewhere else without re-importing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("arxiv", "medrxiv", "biorxiv", "europepmc")


def data_dir() -> Path:
    """Root of everything the pipeline writes (`LIVINGREVIEW_DATA_DIR`, default `./data`)."""
    return Path(os.environ.get("LIVINGREVIEW_DATA_DIR", "data")).resolve()


def landing_dir() -> Path:
    return data_dir() / "landing"


def warehouse_path() -> Path:
    return data_dir() / "warehouse" / "work.duckdb"


def published_path() -> Path:
    return data_dir() / "published" / "living_review.duckdb"


def quarantine_dir() -> Path:
    return data_dir() / "quarantine"


def dbt_project_dir() -> Path:
    return PROJECT_ROOT / "dbt_project"


def protocol_path() -> Path:
    return Path(os.environ.get("LIVINGREVIEW_PROTOCOL", PROJECT_ROOT / "review" / "protocol.yml"))


def shared_data_dir() -> Path:
    """The recorded real data (`../shared/data` beside the checkout), if present."""
    return Path(os.environ.get("LIVINGREVIEW_SHARED_DATA", PROJECT_ROOT.parent / "shared" / "data"))


@dataclass(frozen=True)
class Protocol:
    raw: dict[str, Any]

    @property
    def version(self) -> str:
        return str(self.raw["protocol_version"])

    @property
    def http(self) -> dict[str, Any]:
        return self.raw["http"]

    @property
    def cadence(self) -> dict[str, Any]:
        return self.raw["cadence"]

    def source(self, name: str) -> dict[str, Any]:
        try:
            return self.raw["sources"][name]
        except KeyError:
            known = ", ".join(self.raw["sources"])
            raise ValueError(f"unknown source {name!r} (protocol knows: {known})") from None

    def enabled_sources(self) -> list[str]:
        return [name for name, cfg in self.raw["sources"].items() if cfg.get("enabled", True)]

    def base_url(self, name: str) -> str:
        """`LIVINGREVIEW_API_BASE_URL` points every source at one server (the simulator)."""
        override = os.environ.get("LIVINGREVIEW_API_BASE_URL")
        return (override or self.source(name)["base_url"]).rstrip("/")


def load_protocol(path: Path | None = None) -> Protocol:
    return _load_protocol_cached(str(path or protocol_path()))


@cache
def _load_protocol_cached(path: str) -> Protocol:
    with open(path, encoding="utf-8") as handle:
        return Protocol(yaml.safe_load(handle))
