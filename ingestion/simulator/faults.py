"""Which request gets which fault: a seeded, order-based plan.

The n-th request the server receives gets a fault decided only by (seed, n), so the same seed and
the same request sequence always give the same faults, whatever the thread timing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

# Transport-level faults: what `--faults all` means. A correct harvest absorbs all of them.
TRANSPORT_FAULTS = ("429", "503", "reset", "timeout", "truncated", "malformed", "empty-page")
# Well-formed responses carrying bad records; for the quality gates, never part of `all`.
DATA_FAULTS = ("corrupt",)
FAULT_KINDS = TRANSPORT_FAULTS + DATA_FAULTS


def parse_faults(spec: str | Iterable[str] | None) -> frozenset[str]:
    """`"429,reset"`, `"all"`, `"all,corrupt"` or an iterable of kinds -> a validated set."""
    if spec is None:
        return frozenset()
    items = spec.split(",") if isinstance(spec, str) else list(spec)
    kinds: set[str] = set()
    for item in (part.strip() for part in items):
        if not item:
            continue
        if item == "all":
            kinds.update(TRANSPORT_FAULTS)
        elif item in FAULT_KINDS:
            kinds.add(item)
        else:
            known = ", ".join((*FAULT_KINDS, "all"))
            raise ValueError(f"unknown fault kind {item!r} (known: {known})")
    return frozenset(kinds)


def _unit_interval(seed: int, n: int, salt: str) -> float:
    digest = hashlib.sha256(f"{seed}:{n}:{salt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


@dataclass(frozen=True)
class FaultPlan:
    kinds: frozenset[str]
    rate: float
    seed: int

    def __post_init__(self) -> None:
        if not 0.0 <= self.rate <= 1.0:
            raise ValueError(f"fault rate must be within [0, 1], got {self.rate}")
        unknown = set(self.kinds) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds: {sorted(unknown)}")

    def fault_for(self, n: int) -> str | None:
        """The fault of the n-th request (0-based), or None for a clean answer."""
        if not self.kinds or _unit_interval(self.seed, n, "hit") >= self.rate:
            return None
        ordered = sorted(self.kinds)
        return ordered[int(_unit_interval(self.seed, n, "kind") * len(ordered))]
