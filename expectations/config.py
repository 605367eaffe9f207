"""Gate thresholds (expectations/gates.yml) and the vocabularies the marts must use."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

GATES_CONFIG = Path(__file__).with_name("gates.yml")


@cache
def gate_config() -> dict[str, Any]:
    with open(GATES_CONFIG, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def landing_config() -> dict[str, Any]:
    return gate_config()["landing"]


def marts_config() -> dict[str, Any]:
    return gate_config()["marts"]
