"""HTTP endpoints on one port: GET /metrics, /healthz and /readyz, POST /v1/evaluations."""

from __future__ import annotations

import json
import re
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST

from exporter.app import App
from exporter.connections import ConnectionGuard, refuse
from exporter.log import error_fields, log
from exporter.quality import MAX_BODY_BYTES, RejectionError
from exporter.render_cache import accepts_gzip, wants_fresh

__all__ = ["App", "ExporterServer", "Handler"]
LENGTH = re.compile(r"[0-9]{1,10}")  # ASCII digits only: str.isdigit() also takes "²"
SCRAPE_SLOTS = 2
SCRAPE_WAIT_SECONDS = 30.0


class Handler(BaseHTTPRequestHandler):
    """Routes requests to the App; keeps connections alive between requests."""

    protocol_version = "HTTP/1.1"
    server_version = "ai-observability-exporter"
    timeout = 15  # seconds a single read may block; the whole head has HEAD_TIMEOUT_SECONDS
    # Headers and body leave in separate writes: without TCP_NODELAY, Nagle's algorithm and the
    # peer's delayed ACK add about 40 ms to every keep-alive request.
    disable_nagle_algorithm = True
    server: ExporterServer

    def version_string(self) -> str:
        """The Server header: our name, not the Python version."""
        return self.server_version

    def handle_one_request(self) -> None:
        """One request, its head due within the guard's head timeout."""
        guard = self.server.guard
        guard.awaiting_head(self.connection)
        try:
            super().handle_one_request()
        finally:
            guard.head_received(self.connection)

    def parse_request(self) -> bool:
        """Read the headers; from here the head deadline no longer applies."""
        parsed = super().parse_request()
        self.server.guard.head_received(self.connection)
        return parsed

    def _send(
        self, status: int, body: bytes, content_type: str, close: bool = False, **headers: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: dict[str, Any], close: bool = False) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json", close)

    def _refuse(self, rejection: RejectionError) -> None:
        """Count a refused POST and answer it, closing the connection (its body is unread)."""
        self._json(*self.server.app.reject(rejection), close=True)

    def do_GET(self) -> None:
        """GET /metrics, /healthz and /readyz."""
        app = self.server.app
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._metrics()
        elif path == "/healthz":
            self._json(*app.health())
        elif path == "/readyz":
            self._json(*app.ready())
        else:
            self._json(404, {"error": "not found"})

    def _metrics(self) -> None:
        """The shared exposition, with at most SCRAPE_SLOTS scrapes served at once: scrapers
        beyond wait without taking the GIL from evaluation ingest."""
        if not self.server.scrape_slots.acquire(timeout=SCRAPE_WAIT_SECONDS):
            self._json(503, {"error": "too many scrapes at once"}, close=True)
            return
        try:
            gzipped = accepts_gzip(self.headers.get("Accept-Encoding"))
            encoding = {"Content_Encoding": "gzip"} if gzipped else {}
            fresh = wants_fresh(self.headers.get("Cache-Control"))
            body = self.server.app.metrics(gzipped, fresh)
            self._send(200, body, CONTENT_TYPE_LATEST, Vary="Accept-Encoding", **encoding)
        finally:
            self.server.scrape_slots.release()

    def do_POST(self) -> None:
        """POST /v1/evaluations."""
        app = self.server.app
        if self.path.split("?", 1)[0] != "/v1/evaluations":
            self._json(404, {"error": "not found"}, close=True)
            return
        problem = app.authorization_problem(self.headers.get("Authorization"))
        if problem is not None:
            self._refuse(problem)
            return
        if self.headers.get_content_type() != "application/json":
            self._refuse(
                RejectionError(415, "unsupported_media_type", "Content-Type: application/json")
            )
            return
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            self._refuse(RejectionError(411, "length_required", "Content-Length required"))
            return
        if not LENGTH.fullmatch(length_header.strip()):
            self._refuse(RejectionError(400, "bad_length", "Content-Length must be digits"))
            return
        length = int(length_header)
        if length > MAX_BODY_BYTES:
            self._refuse(
                RejectionError(413, "too_large", f"body larger than {MAX_BODY_BYTES} bytes")
            )
            return
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            return
        self._json(*app.ingest(body, self.headers.get("Idempotency-Key")))

    def _not_allowed(self) -> None:
        self._json(405, {"error": "method not allowed"}, close=True)

    do_PUT = do_DELETE = do_PATCH = _not_allowed  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        """Access logs are off: the metrics say what the exporter serves."""

    def log_error(self, format: str, *args: Any) -> None:
        """Malformed requests (answered by send_error) as one JSON line."""
        log("warning", "bad request", client=self.client_address[0], detail=format % args)


class ExporterServer(ThreadingHTTPServer):
    """A threading HTTP server bound to the App, with a cap on connections and a deadline
    for each request head."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: App, guard: ConnectionGuard | None = None):
        self.app = app
        self.guard = guard or ConnectionGuard()
        self.scrape_slots = threading.BoundedSemaphore(SCRAPE_SLOTS)
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Serve in a thread, or refuse at once when every connection slot is taken."""
        if not self.guard.admit():
            refuse(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.guard.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        """The connection's thread; its slot is freed when it ends."""
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.guard.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """An exception in a handler: one JSON line, never a multi-line traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, socket.timeout)):
            return  # the client went away or stalled: nothing to report
        log("error", "request failed", client=str(client_address[0]), **error_fields(error))

    def server_close(self) -> None:
        """Close the socket and stop the head watchdog."""
        super().server_close()
        self.guard.close()
