"""The code version stamped on every search run and sent in the User-Agent."""

from __future__ import annotations

import subprocess
from functools import cache
from importlib import metadata
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


@cache
def code_version() -> str:
    """Package version plus the git commit when running from a checkout: `0.1.0+g1a2b3c4`."""
    try:
        version = metadata.version("livingreview")
    except metadata.PackageNotFoundError:
        version = "0+unknown"
    commit = _git_commit()
    return f"{version}+g{commit}" if commit else version


def _git_commit() -> str | None:
    try:
        completed = subprocess.run(
            ["git", "-C", str(PROJECT_ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if completed.returncode != 0:
        return None
    return completed.stdout.strip() or None
