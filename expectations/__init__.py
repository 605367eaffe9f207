"""Great Expectations gates of the write-audit-publish chain (suites as code, the gate runner).

    gate_landing(windows: list[Path]) -> GateResult    gate 1: landing windows (records + run log)
    gate_marts(warehouse: Path | None) -> GateResult   gate 2: the work warehouse's marts
    GateResult(gate, success, failed_expectations, data_docs_path, validations)
    GateFailed(result) / raise_if_failed(result)       for callers that stop on a failed gate

Thresholds live in expectations/gates.yml (and per-source tolerances in review/protocol.yml).
Importing this package is light: Great Expectations and pandas load when a gate runs.
"""

from expectations.landing import gate_landing
from expectations.marts import gate_marts
from expectations.runner import GateFailed, GateResult, data_docs_index, raise_if_failed

__all__ = ["GateFailed", "GateResult", "data_docs_index", "gate_landing", "gate_marts", "raise_if_failed"]
