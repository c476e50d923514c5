"""Synthetic OpenAI-compatible chat traffic for the ai-observability dev stack.

Runs in the cluster (python image, standard library only) and sends chat completions to every
model at a steady average rate with exponential gaps, so the dashboards have live numbers.
Errors are logged and never stop it.

Environment:
  LOADGEN_TARGETS            JSON list of {"model": name, "url": base URL of the OpenAI API}
  LOADGEN_RPS                average requests per second per model (default 0.5)
  LOADGEN_MAX_TOKENS         max_tokens of each request (default 64)
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
from collections.abc import Mapping

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


def drive(
    model: str, base_url: str, rate: float, max_tokens: int, stop: threading.Event
) -> dict[int, int]:
    """Send requests to one model until stop is set; count them by status."""
    counts: dict[int, int] = {}
    while not stop.is_set():
        started = time.monotonic()
        status = send(base_url, model, max_tokens)
        counts[status] = counts.get(status, 0) + 1
        if status != 200:
            log(f"model={model} status={status or 'unreachable'}")
        gap = random.expovariate(rate)  # Poisson arrivals, mean 1/rate
        stop.wait(max(0.0, gap - (time.monotonic() - started)))
    return counts


def main(env: Mapping[str, str] = os.environ) -> int:
    """Run until SIGTERM or LOADGEN_DURATION_SECONDS; exit code 2 on bad settings."""
    try:
        targets = parse_targets(env.get("LOADGEN_TARGETS", ""))
        rate = float(env.get("LOADGEN_RPS", "0.5"))
        max_tokens = int(env.get("LOADGEN_MAX_TOKENS", "64"))
        duration = (
            float(env["LOADGEN_DURATION_SECONDS"]) if "LOADGEN_DURATION_SECONDS" in env else None
        )
        if rate <= 0 or max_tokens <= 0:
            raise ValueError("LOADGEN_RPS and LOADGEN_MAX_TOKENS must be positive")
    except ValueError as error:
        log(f"error: {error}")
        return 2
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    results: dict[str, dict[int, int]] = {}

    def worker(model: str, url: str) -> None:
        results[model] = drive(model, url, rate, max_tokens, stop)

    threads = [threading.Thread(target=worker, args=target, daemon=True) for target in targets]
    log(f"sending {rate} requests/s to each of {', '.join(m for m, _ in targets)}")
    for thread in threads:
        thread.start()
    stop.wait(duration)
    stop.set()
    for thread in threads:
        thread.join(timeout=REQUEST_TIMEOUT_SECONDS + 5)
    log(f"done: {json.dumps(results, sort_keys=True)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
