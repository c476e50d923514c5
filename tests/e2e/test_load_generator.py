"""The dev load generator as a real process against an OpenAI-compatible server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from prometheus_client.parser import text_string_to_metric_families

from components.inference.loadgen import LOAD_GENERATOR_SCRIPT


class FakeOpenAI(ThreadingHTTPServer):
    """Records every chat completion; answers with a fixed status after `delay` seconds."""

    daemon_threads = True

    def __init__(self, status: int, delay: float = 0.0) -> None:
        self.status = status
        self.delay = delay
        self.requests: list[tuple[str, dict]] = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(BaseHTTPRequestHandler):
    server: FakeOpenAI

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.requests.append((self.path, body))
        time.sleep(self.server.delay)
        payload = json.dumps({"choices": [{"message": {"content": "ok"}}]}).encode()
        self.send_response(self.server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(params=[200, 500])
def server(request: pytest.FixtureRequest) -> Iterator[FakeOpenAI]:
    fake = FakeOpenAI(request.param)
    thread = threading.Thread(target=fake.serve_forever, daemon=True)
    thread.start()
    yield fake
    fake.shutdown()
    fake.server_close()


def run_generator(env: dict[str, str], timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(LOAD_GENERATOR_SCRIPT)],
        env={"PATH": "/usr/bin:/bin", "LOADGEN_METRICS_PORT": "0", **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_sends_chat_completions_to_every_model_and_survives_errors(server: FakeOpenAI) -> None:
    url = f"http://127.0.0.1:{server.server_address[1]}"
    targets = [{"model": "llama-3-8b", "url": url}, {"model": "mistral-7b", "url": url + "/"}]
    result = run_generator(
        {
            "LOADGEN_TARGETS": json.dumps(targets),
            "LOADGEN_RPS": "20",
            "LOADGEN_MAX_TOKENS": "16",
            "LOADGEN_DURATION_SECONDS": "1.5",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    by_model: dict[str, int] = {}
    for path, body in server.requests:
        assert path == "/v1/chat/completions"
        assert body["max_tokens"] == 16
        assert body["messages"][0]["role"] == "user" and body["messages"][0]["content"]
        by_model[body["model"]] = by_model.get(body["model"], 0) + 1
    # 20/s for 1.5 s each: far more than 5, far fewer than an unthrottled loop would send.
    assert set(by_model) == {"llama-3-8b", "mistral-7b"}
    assert all(5 <= count <= 80 for count in by_model.values()), by_model
    if server.status == 500:
        assert "status=500" in result.stdout  # logged, and the generator kept going
    summary = json.loads(result.stdout.strip().splitlines()[-1].split("done: ", 1)[1])
    assert sum(summary["llama-3-8b"].values()) == by_model["llama-3-8b"]


def test_unreachable_model_is_logged_not_fatal() -> None:
    result = run_generator(
        {
            "LOADGEN_TARGETS": json.dumps([{"model": "gone", "url": "http://127.0.0.1:9"}]),
            "LOADGEN_RPS": "10",
            "LOADGEN_DURATION_SECONDS": "0.5",
        }
    )
    assert result.returncode == 0
    assert "model=gone status=unreachable" in result.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "LOADGEN_TARGETS is not JSON"),
        ({"LOADGEN_TARGETS": "[]"}, "must be a non-empty JSON list"),
        ({"LOADGEN_TARGETS": '[{"model": "a"}]'}, "LOADGEN_TARGETS[0] needs a model and a url"),
        (
            {"LOADGEN_TARGETS": '[{"model": "a", "url": "http://x"}]', "LOADGEN_RPS": "0"},
            "must be positive",
        ),
        (
            {
                "LOADGEN_TARGETS": '[{"model": "a", "url": "http://x"}]',
                "LOADGEN_MAX_CONCURRENCY": "0",
            },
            "must be positive",
        ),
    ],
)
def test_bad_settings_exit_2_with_the_reason(env: dict[str, str], message: str) -> None:
    result = run_generator(env)
    assert result.returncode == 2
    assert message in result.stdout


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_keeps_its_rate_open_loop_against_a_slow_model_and_reports_it() -> None:
    """2 requests/s for 30 s against a server that takes 1 s to answer: the closed loop sent 29,
    the open loop must send 54 to 66, with about two in flight, and say so in its metrics."""
    server = FakeOpenAI(200, delay=1.0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "LOADGEN_TARGETS": json.dumps(
            [{"model": "slow", "url": f"http://127.0.0.1:{server.server_address[1]}"}]
        ),
        "LOADGEN_RPS": "2",
        "LOADGEN_MAX_TOKENS": "8",
        "LOADGEN_DURATION_SECONDS": "30",
        "LOADGEN_METRICS_PORT": str(port),
    }
    process = subprocess.Popen(
        [sys.executable, str(LOAD_GENERATOR_SCRIPT)], env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        time.sleep(15)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as answer:
            text = answer.read().decode()
        samples = {
            (s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }
        assert samples[("loadgen_target_requests_per_second", (("model", "slow"),))] == 2
        done = samples[("loadgen_requests_total", (("model", "slow"), ("status", "200")))]
        assert 24 <= done <= 32, done  # about 2/s for the first 14 s answered
        assert 1 <= samples[("loadgen_in_flight_requests", (("model", "slow"),))] <= 4
        assert samples[("loadgen_requests_dropped_total", (("model", "slow"),))] == 0
        stdout, _ = process.communicate(timeout=45)
    finally:
        process.kill()
        server.shutdown()
        server.server_close()
    sent = len(server.requests)
    assert 54 <= sent <= 66, sent
    summary = json.loads(stdout.strip().splitlines()[-1].split("done: ", 1)[1])
    assert summary == {"slow": {"200": sent}}  # every request answered and counted
