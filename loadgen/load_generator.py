"""Synthetic OpenAI-compatible chat traffic for the ai-observability dev stack.

Runs in the cluster (python image, standard library only) and sends chat completions to every
model at the configured rate, open loop: a request starts when its arrival time comes, whether
or not earlier ones have finished (up to a concurrency cap), so a slow model gets the load the
config says instead of one request at a time. Arrivals are random within fixed slots (one per
1/rate seconds, at a uniform point of it), so the count over any window is within one of
rate x window; a pure Poisson stream would stray by about 13% over 30 s at 2 requests/s. It
exports its own metrics (achieved requests by status, dropped arrivals, in-flight, target rate)
on LOADGEN_METRICS_PORT, scraped like the models. Errors are logged and never stop it.

Environment:
  LOADGEN_TARGETS            JSON list of {"model": name, "url": base URL of the OpenAI API}
  LOADGEN_RPS                requests per second per model (default 0.5)
  LOADGEN_MAX_TOKENS         max_tokens of each request (default 64)
  LOADGEN_MAX_CONCURRENCY    requests in flight per model before arrivals are dropped (16)
  LOADGEN_METRICS_PORT       port of /metrics (default 9100; 0: none)
  LOADGEN_DURATION_SECONDS   stop after this many seconds (default: run until SIGTERM)
"""

from __future__ import annotations

import json
import os
import random
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PROMPTS = (
    "Summarise the plot of a heist film in three sentences.",
    "Explain what a KV cache is to a new engineer.",
    "Write a haiku about GPUs in a data centre.",
    "List five tips for writing clear incident reports.",
    "What is the difference between latency and throughput?",
    "Translate 'good morning, the cluster is healthy' into French.",
)
REQUEST_TIMEOUT_SECONDS = 120


def log(message: str) -> None:
    """One line to stdout, flushed (the container's log)."""
    print(f"{time.strftime('%Y-%m-%dT%H:%M:%S')} {message}", flush=True)


def parse_targets(text: str) -> list[tuple[str, str]]:
    """[(model, base_url)] from LOADGEN_TARGETS; ValueError naming the problem."""
    try:
        items = json.loads(text)
    except ValueError as error:
        raise ValueError(f"LOADGEN_TARGETS is not JSON: {error}") from None
    if not isinstance(items, list) or not items:
        raise ValueError("LOADGEN_TARGETS must be a non-empty JSON list")
    targets = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not item.get("model") or not item.get("url"):
            raise ValueError(f"LOADGEN_TARGETS[{index}] needs a model and a url")
        targets.append((str(item["model"]), str(item["url"]).rstrip("/")))
    return targets


def chat_request(model: str, max_tokens: int, prompt: str) -> bytes:
    """The body of one chat completion request."""
    return json.dumps(
        {
            "model": model,
            "messages": [{"role": "user", "content": prompt}],
            "max_tokens": max_tokens,
            "stream": False,
        }
    ).encode()


def send(base_url: str, model: str, max_tokens: int) -> int:
    """POST one chat completion; the HTTP status (0 when the server could not be reached)."""
    request = urllib.request.Request(
        f"{base_url}/v1/chat/completions",
        data=chat_request(model, max_tokens, random.choice(PROMPTS)),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return 0


class Stats:
    """Per-model counters, read by /metrics and by the final summary."""

    def __init__(self, models: list[str], rate: float) -> None:
        self.lock = threading.Lock()
        self.rate = rate
        self.by_status: dict[str, dict[int, int]] = {m: {} for m in models}
        self.dropped: dict[str, int] = dict.fromkeys(models, 0)
        self.in_flight: dict[str, int] = dict.fromkeys(models, 0)

    def finished(self, model: str, status: int) -> None:
        with self.lock:
            counts = self.by_status[model]
            counts[status] = counts.get(status, 0) + 1
            self.in_flight[model] -= 1

    def text(self) -> str:
        """The Prometheus text format of the counters."""
        lines = [
            "# HELP loadgen_requests_total Requests sent and finished, by model and HTTP status "
            "(0: unreachable).",
            "# TYPE loadgen_requests_total counter",
        ]
        with self.lock:
            for model, counts in sorted(self.by_status.items()):
                for status, count in sorted(counts.items()):
                    lines.append(
                        f'loadgen_requests_total{{model="{model}",status="{status}"}} {count}'
                    )
            lines += [
                "# HELP loadgen_requests_dropped_total Arrivals not sent: the model had "
                "LOADGEN_MAX_CONCURRENCY requests in flight.",
                "# TYPE loadgen_requests_dropped_total counter",
                *(
                    f'loadgen_requests_dropped_total{{model="{m}"}} {n}'
                    for m, n in sorted(self.dropped.items())
                ),
                "# HELP loadgen_in_flight_requests Requests sent and not yet answered.",
                "# TYPE loadgen_in_flight_requests gauge",
                *(
                    f'loadgen_in_flight_requests{{model="{m}"}} {n}'
                    for m, n in sorted(self.in_flight.items())
                ),
                "# HELP loadgen_target_requests_per_second The configured rate per model.",
                "# TYPE loadgen_target_requests_per_second gauge",
                *(
                    f'loadgen_target_requests_per_second{{model="{m}"}} {self.rate}'
                    for m in sorted(self.in_flight)
                ),
            ]
        return "\n".join(lines) + "\n"


def arrivals(rate: float, start: float, rng: random.Random) -> Iterator[float]:
    """Yield arrival times: one in each 1/rate slot, at a uniform point of it."""
    slot = 1 / rate
    index = 0
    while True:
        yield start + (index + rng.random()) * slot
        index += 1


def drive(
    model: str,
    base_url: str,
    rate: float,
    max_tokens: int,
    cap: int,
    stats: Stats,
    stop: threading.Event,
) -> None:
    """Start one request per arrival until stop is set, never more than `cap` in flight."""
    rng = random.Random()

    def one() -> None:
        status = send(base_url, model, max_tokens)
        stats.finished(model, status)
        if status != 200:
            log(f"model={model} status={status or 'unreachable'}")

    for at in arrivals(rate, time.monotonic(), rng):
        if stop.wait(max(0.0, at - time.monotonic())):
            return
        with stats.lock:
            full = stats.in_flight[model] >= cap
            if full:
                stats.dropped[model] += 1
            else:
                stats.in_flight[model] += 1
        if not full:
            threading.Thread(target=one, daemon=True).start()


def serve_metrics(stats: Stats, port: int) -> ThreadingHTTPServer:
    """/metrics on 0.0.0.0:port in a thread of its own."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404)
                return
            body = stats.text().encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("0.0.0.0", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def settings(
    env: Mapping[str, str],
) -> tuple[list[tuple[str, str]], float, int, int, int, float | None]:
    """(targets, rate, max_tokens, cap, metrics port, duration); ValueError naming the problem."""
    targets = parse_targets(env.get("LOADGEN_TARGETS", ""))
    rate = float(env.get("LOADGEN_RPS", "0.5"))
    max_tokens = int(env.get("LOADGEN_MAX_TOKENS", "64"))
    cap = int(env.get("LOADGEN_MAX_CONCURRENCY", "16"))
    port = int(env.get("LOADGEN_METRICS_PORT", "9100"))
    duration = float(env["LOADGEN_DURATION_SECONDS"]) if "LOADGEN_DURATION_SECONDS" in env else None
    if rate <= 0 or max_tokens <= 0 or cap <= 0:
        raise ValueError(
            "LOADGEN_RPS, LOADGEN_MAX_TOKENS and LOADGEN_MAX_CONCURRENCY must be positive"
        )
    if not 0 <= port <= 65535:
        raise ValueError("LOADGEN_METRICS_PORT must be a port (0: no metrics)")
    return targets, rate, max_tokens, cap, port, duration


def main(env: Mapping[str, str] = os.environ) -> int:
    """Run until SIGTERM or LOADGEN_DURATION_SECONDS; exit code 2 on bad settings."""
    try:
        targets, rate, max_tokens, cap, port, duration = settings(env)
    except ValueError as error:
        log(f"error: {error}")
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stats = Stats([m for m, _ in targets], rate)
    server = serve_metrics(stats, port) if port else None
    threads = [
        threading.Thread(
            target=drive, args=(model, url, rate, max_tokens, cap, stats, stop), daemon=True
        )
        for model, url in targets
    ]
    log(f"sending {rate} requests/s to each of {', '.join(m for m, _ in targets)}")
    for thread in threads:
        thread.start()
    stop.wait(duration)
    stop.set()
    deadline = time.monotonic() + REQUEST_TIMEOUT_SECONDS
    while any(stats.in_flight.values()) and time.monotonic() < deadline:
        time.sleep(0.05)  # let the requests in flight finish and be counted
    if server is not None:
        server.shutdown()
    log(f"done: {json.dumps(stats.by_status, sort_keys=True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
