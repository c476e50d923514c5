"""HTTP endpoints: GET /metrics, GET /healthz, POST /v1/evaluations (all on one port)."""

from __future__ import annotations

import hmac
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from exporter.config import ExporterConfig
from exporter.fleet import Fleet
from exporter.quality import MAX_BODY_BYTES, QualityMetrics, RejectionError, parse_batch, validate


class App:
    """What the endpoints do, independent of the HTTP plumbing."""

    def __init__(
        self,
        config: ExporterConfig,
        fleet: Fleet,
        registry: CollectorRegistry,
        quality: QualityMetrics,
    ) -> None:
        self.config = config
        self.fleet = fleet
        self.registry = registry
        self.quality = quality

    def metrics(self) -> bytes:
        """The exposition of every metric."""
        return generate_latest(self.registry)

    def health(self) -> tuple[int, dict[str, Any]]:
        """200 while the last inventory sync is fresh, 503 otherwise."""
        age = self.fleet.seconds_since_success()
        limit = self.config.inventory_staleness_seconds
        if age is None:
            return 503, {"status": "no inventory sync yet"}
        if age > limit:
            return 503, {"status": "inventory stale", "age_seconds": round(age, 1)}
        return 200, {"status": "ok", "age_seconds": round(age, 1)}

    def authorized(self, header: str | None) -> bool:
        """Whether the request carries the configured bearer token (always, without one)."""
        token = self.config.ingest_token
        if token is None:
            return True
        expected = f"Bearer {token}".encode()
        return header is not None and hmac.compare_digest(header.encode(), expected)

    def ingest(self, body: bytes) -> tuple[int, dict[str, Any]]:
        """Validate and record a batch; nothing is recorded unless all of it is valid."""
        try:
            evaluations = validate(parse_batch(body), self.config)
        except RejectionError as rejection:
            return self.reject(rejection)
        self.quality.record(evaluations)
        return 202, {"accepted": len(evaluations)}

    def reject(self, rejection: RejectionError) -> tuple[int, dict[str, Any]]:
        """Count a rejection and build its answer."""
        self.quality.reject(rejection.reason)
        return rejection.status, {"error": str(rejection), "reason": rejection.reason}


class Handler(BaseHTTPRequestHandler):
    """Routes requests to the App; keeps connections alive between requests."""

    protocol_version = "HTTP/1.1"
    server_version = "ai-observability-exporter"
    timeout = 15  # seconds a client may take to send a request: no slow-loris
    # Headers and body leave in separate writes: without TCP_NODELAY, Nagle's algorithm and the
    # peer's delayed ACK add about 40 ms to every keep-alive request.
    disable_nagle_algorithm = True
    server: ExporterServer

    def _send(self, status: int, body: bytes, content_type: str, close: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        self.wfile.write(body)

    def _json(self, status: int, payload: dict[str, Any], close: bool = False) -> None:
        self._send(status, json.dumps(payload).encode(), "application/json", close)

    def do_GET(self) -> None:
        """GET /metrics and /healthz."""
        app = self.server.app
        path = self.path.split("?", 1)[0]
        if path == "/metrics":
            self._send(200, app.metrics(), CONTENT_TYPE_LATEST)
        elif path == "/healthz":
            self._json(*app.health())
        else:
            self._json(404, {"error": "not found"})

    def do_POST(self) -> None:
        """POST /v1/evaluations."""
        app = self.server.app
        if self.path.split("?", 1)[0] != "/v1/evaluations":
            self._json(404, {"error": "not found"}, close=True)
            return
        if not app.authorized(self.headers.get("Authorization")):
            self._json(
                *app.reject(RejectionError(401, "unauthorized", "bearer token required")),
                close=True,
            )
            return
        length_header = self.headers.get("Content-Length")
        if length_header is None or not length_header.isdigit():
            rejection = RejectionError(411, "length_required", "Content-Length required")
            self._json(*app.reject(rejection), close=True)
            return
        length = int(length_header)
        if length > MAX_BODY_BYTES:
            rejection = RejectionError(413, "too_large", f"body larger than {MAX_BODY_BYTES} bytes")
            self._json(*app.reject(rejection), close=True)
            return
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            return
        self._json(*app.ingest(body))

    def _not_allowed(self) -> None:
        self._json(405, {"error": "method not allowed"}, close=True)

    do_PUT = do_DELETE = do_PATCH = _not_allowed  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        """Access logs are off: the metrics say what the exporter serves."""


class ExporterServer(ThreadingHTTPServer):
    """A threading HTTP server bound to the App."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: App) -> None:
        self.app = app
        super().__init__(address, Handler)
