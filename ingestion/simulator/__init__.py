"""Local API simulator: arXiv, CSHL (medRxiv/bioRxiv) and Europe PMC at their real paths.

    from ingestion.simulator import start_simulator
    with start_simulator(faults=frozenset({"429"}), fault_rate=0.3, seed=1) as sim:
        requests.get(sim.base_url + "/api/query", params={...})
        sim.request_log  # [{started_at, finished_at, path, query, client_port, fault, status}, ...]

`corpus` is a Corpus, a path (the real arXiv listings folder or a generated corpus directory) or
None (the real listings from the shared data dir when present, else the generated corpus; sources
a corpus does not cover are always served from the generated, synthetic corpus).
"""

from ingestion.simulator.corpus import ArxivRecord, Corpus, generated_corpus, load_corpus
from ingestion.simulator.faults import DATA_FAULTS, FAULT_KINDS, TRANSPORT_FAULTS, parse_faults
from ingestion.simulator.server import Simulator, start_simulator

__all__ = [
    "DATA_FAULTS",
    "FAULT_KINDS",
    "TRANSPORT_FAULTS",
    "ArxivRecord",
    "Corpus",
    "Simulator",
    "generated_corpus",
    "load_corpus",
    "parse_faults",
    "start_simulator",
]
