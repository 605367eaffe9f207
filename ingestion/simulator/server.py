"""The HTTP side of the simulator: one threaded HTTP/1.1 server answering at the real API paths.

Transport faults (429, 503, reset, timeout, truncated, malformed) are applied here; content faults
(empty-page, corrupt) are passed to the API module, which knows what a page and a record are.
"""

from __future__ import annotations

import contextlib
import io
import socket
import struct
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ingestion.simulator import arxiv_api, cshl_api, europepmc_api
from ingestion.simulator.corpus import Corpus, load_corpus
from ingestion.simulator.faults import FaultPlan, parse_faults
from ingestion.simulator.reply import CORRUPT, EMPTY_PAGE, Reply, text_reply

ROUTES = (
    ("/api/query", arxiv_api.handle),
    ("/details/", cshl_api.handle),
    ("/europepmc/webservices/rest/search", europepmc_api.handle),
)
CONTENT_FAULTS = (EMPTY_PAGE, CORRUPT)


def route(corpus: Corpus, path: str, query: str, mode: str | None) -> Reply:
    for prefix, handler in ROUTES:
        if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
            return handler(corpus, path, query, mode)
    return text_reply(404, f"not found: {path}\n")


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, corpus: Corpus, plan: FaultPlan, timeout_delay_s: float):
        super().__init__(address, _Handler)
        self.corpus = corpus
        self.plan = plan
        self.timeout_delay_s = timeout_delay_s
        self.request_log: list[dict[str, Any]] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._sequence = 0
        self._connections: set[socket.socket] = set()

    def handle_error(self, request, client_address) -> None:
        """Clients hanging up (after a timeout fault, say) are routine; anything else is a bug."""
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)

    def next_fault(self) -> str | None:
        with self._lock:
            n = self._sequence
            self._sequence += 1
        return self.plan.fault_for(n)

    def track(self, connection: socket.socket, open_: bool) -> None:
        with self._lock:
            (self._connections.add if open_ else self._connections.discard)(connection)

    def close_connections(self) -> None:
        """Wake handler threads blocked on idle keep-alive connections so stop() is prompt."""
        with self._lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: one client connection serves many requests
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection, True)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.track(self.connection, False)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: the request log is the record of what happened."""

    def do_GET(self) -> None:
        started = time.monotonic()
        fault = self.server.next_fault()
        parts = urlsplit(self.path)
        entry: dict[str, Any] = {
            "started_at": started,
            "path": parts.path,
            "query": parts.query,
            "client_port": self.client_address[1],
            "fault": fault,
            "status": None,
        }
        try:
            entry["status"] = self._answer(parts.path, parts.query, fault)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. after its read timeout)
        finally:
            entry["finished_at"] = time.monotonic()
            self.server.request_log.append(entry)

    def _answer(self, path: str, query: str, fault: str | None) -> int | None:
        if fault == "reset":
            self._reset_connection()
            return None
        if fault == "429":
            return self._send(text_reply(429, "Rate exceeded.\n", {"Retry-After": "1"}))
        if fault == "503":
            return self._send(text_reply(503, "Service Temporarily Unavailable\n"))
        if fault == "timeout" and self.server.stopping.wait(self.server.timeout_delay_s):
            return None  # the simulator is stopping: don't answer at all
        reply = route(self.server.corpus, path, query, fault if fault in CONTENT_FAULTS else None)
        if fault == "malformed":
            reply = Reply(reply.status, reply.content_type, _break(reply.body), reply.headers)
        return self._send(reply, truncate=fault == "truncated")

    def _send(self, reply: Reply, truncate: bool = False) -> int:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if truncate:
            # Content-Length promised the whole body; send half and hang up.
            self.wfile.write(reply.body[: len(reply.body) // 2])
            self.close_connection = True
        else:
            self.wfile.write(reply.body)
        return reply.status

    def _reset_connection(self) -> None:
        """Abort with a TCP RST (SO_LINGER 0) instead of an orderly close."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.wfile.close()
        self.rfile.close()
        self.connection.close()  # the last reference: the kernel sends RST, not FIN
        self.wfile = io.BytesIO()  # BaseHTTPRequestHandler flushes wfile after do_GET


def _break(body: bytes) -> bytes:
    """A 200 body that no parser accepts: cut mid-document and end in garbage."""
    return body[: max(1, len(body) // 2)] + b"\x00<<<\x00"


class Simulator:
    """Handle on a running simulator; also a context manager that stops it on exit."""

    def __init__(self, server: _Server, thread: threading.Thread):
        self._server = server
        self._thread = thread
        host, port = server.server_address[:2]
        self.host = host
        self.port = port
        self.base_url = f"http://{host}:{port}"
        self.corpus = server.corpus
        self.request_log = server.request_log

    def stop(self) -> None:
        if self._server.stopping.is_set():
            return
        self._server.stopping.set()
        self._server.shutdown()
        self._server.close_connections()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Simulator:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def start_simulator(
    corpus: Corpus | str | Path | None = None,
    faults: frozenset[str] | str = frozenset(),
    fault_rate: float = 0.0,
    seed: int = 0,
    host: str = "127.0.0.1",
    port: int = 0,
    timeout_delay_s: float = 5.0,
) -> Simulator:
    """Serve `corpus` (a Corpus, a corpus path, or None for the default) in a background thread."""
    if not isinstance(corpus, Corpus):
        corpus = load_corpus(corpus)
    corpus.summary()  # load every source now, not inside a client's first request (read timeouts)
    plan = FaultPlan(parse_faults(faults), fault_rate, seed)
    server = _Server((host, port), corpus, plan, timeout_delay_s)
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="api-simulator", daemon=True
    )
    thread.start()
    return Simulator(server, thread)
