"""The synthetic fleet as one scrape target on 127.0.0.1, so recent data lands in Prometheus'
head the way live scrapes do (backfilled blocks hold only the history)."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from bench.fleet_metrics import Series, exposition


class FleetTarget:
    """Serves every series of the fleet. The first `prepared` scrapes get bodies rendered
    before serving starts, one interval apart in fleet time, so rendering 100,000 series in
    Python does not take CPU from the Prometheus being measured (a real fleet's exporters run
    on other machines); later scrapes are rendered at the time of the scrape."""

    def __init__(
        self, series: list[Series], origin: int, interval: int = 30, prepared: int = 0
    ) -> None:
        target = self
        start = time.time()
        self.bodies = [exposition(series, start + i * interval, origin) for i in range(prepared)]
        self.served = 0
        self.lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with target.lock:
                    index, target.served = target.served, target.served + 1
                if index < len(target.bodies):
                    body = target.bodies[index]
                    target.bodies[index] = b""  # served once; free it
                else:
                    body = exposition(target.series, time.time(), target.origin)
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.series, self.origin = series, origin
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()
