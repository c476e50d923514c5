"""Abusive and odd requests against the real process: framing, media type, slow heads, too
many connections, what the Server header tells, auth without a token, where it listens. After
each, /metrics still parses and the exporter keeps serving."""

from __future__ import annotations

import json
import socket
import time
from pathlib import Path

import pytest

from tests.support.exporter_process import Exporter, eventually

# After every test, /metrics still parses (conftest.metrics_still_parse).
pytestmark = pytest.mark.usefixtures("metrics_still_parse")

FLEET = {"nodes": [], "pods": []}
GOOD = {"model": "llama-3-8b", "evaluator": "judge", "score": 0.8, "hallucination": False}
HEAD_TIMEOUT = 10  # seconds for a whole request head (issue 18)
MAX_CONNECTIONS = 256


def exchange(exporter: Exporter, raw: bytes, timeout: float = 10) -> bytes:
    """Send raw bytes; the answer up to the end of its body (Content-Length) or the close."""
    with socket.create_connection(("127.0.0.1", exporter.port), timeout=timeout) as sock:
        sock.sendall(raw)
        answer = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except (TimeoutError, ConnectionResetError):
                return answer
            if not chunk:
                return answer
            answer += chunk
            head, separator, body = answer.partition(b"\r\n\r\n")
            lengths = [
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            ]
            if separator and lengths and len(body) >= lengths[0]:
                return answer


def post_head(length: str, content_type: str = "application/json") -> bytes:
    return (
        "POST /v1/evaluations HTTP/1.1\r\nHost: x\r\n"
        f"Content-Type: {content_type}\r\nContent-Length: {length}\r\n\r\n"
    ).encode()


def rejected(exporter: Exporter, reason: str) -> float:
    return exporter.metrics()[f'ai_exporter_evaluations_rejected_total{{reason="{reason}"}}']


@pytest.mark.parametrize("length", ["\u00b2", "1" * 5000, "+5", "5 5", "0x10", "\u0665"], ids=repr)
def test_a_content_length_that_is_not_plain_digits_is_400(exporter: Exporter, length: str) -> None:
    before = rejected(exporter, "bad_length")
    answer = exchange(exporter, post_head(length).decode().encode("utf-8") + b"{}")
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:200]
    assert json.loads(answer.split(b"\r\n\r\n", 1)[1])["reason"] == "bad_length"
    assert rejected(exporter, "bad_length") == before + 1
    assert exporter.post(GOOD)[0] == 202  # and it keeps serving


@pytest.mark.parametrize(
    "content_type", ["application/x-www-form-urlencoded", "text/plain", "application/xml"]
)
def test_only_json_is_accepted(exporter: Exporter, content_type: str) -> None:
    evaluations = 'ai_quality_evaluations_total{evaluator="judge",model_name="llama-3-8b"}'
    before = exporter.metrics()
    body = json.dumps(GOOD)
    answer = exchange(exporter, post_head(str(len(body)), content_type) + body.encode())
    assert answer.startswith(b"HTTP/1.1 415 ")
    after = exporter.metrics()
    assert after[evaluations] == before[evaluations]
    assert rejected(exporter, "unsupported_media_type") >= 1


def test_a_request_head_that_trickles_in_is_cut_after_10_seconds(exporter: Exporter) -> None:
    """One header line every 2 s: each read is quick, the whole head is not."""
    with socket.create_connection(("127.0.0.1", exporter.port), timeout=30) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /metrics HTTP/1.1\r\n")
        cut_at = None
        for index in range(12):
            time.sleep(2)
            try:
                sock.sendall(f"X-Slow-{index}: 1\r\n".encode())
            except OSError:
                cut_at = time.monotonic() - started
                break
            # The server shuts the connection down: the next read sees the end of it.
            sock.settimeout(0.01)
            try:
                if sock.recv(1) == b"":
                    cut_at = time.monotonic() - started
                    break
            except TimeoutError:
                pass
            except OSError:
                cut_at = time.monotonic() - started
                break
        assert cut_at is not None, "the slow head was never cut"
        assert HEAD_TIMEOUT <= cut_at <= HEAD_TIMEOUT + 3.5
    assert exporter.get("/healthz")[0] == 200


def test_over_256_connections_are_refused_at_once_and_served_again_after(
    exporter: Exporter,
) -> None:
    idle = [
        socket.create_connection(("127.0.0.1", exporter.port), timeout=5)
        for _ in range(MAX_CONNECTIONS)
    ]
    try:
        # The server counts a connection when it accepts it.
        time.sleep(0.5)
        started = time.monotonic()
        answer = exchange(exporter, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", timeout=5)
        assert answer.startswith(b"HTTP/1.1 503 "), answer[:100]
        assert time.monotonic() - started < 1
    finally:
        for sock in idle:
            sock.close()
    eventually(lambda: exporter.get("/healthz")[0] == 200)


def test_the_server_header_names_no_python(exporter: Exporter) -> None:
    answer = exchange(exporter, b"GET /readyz HTTP/1.1\r\nHost: x\r\n\r\n").decode()
    server = next(line for line in answer.split("\r\n") if line.lower().startswith("server:"))
    assert server == "Server: ai-observability-exporter"
    assert "python" not in answer.lower()


def test_malformed_requests_are_logged_as_one_json_line(exporter: Exporter) -> None:
    # http.server answers a request line it cannot read without a status line (HTTP/0.9).
    assert b"Error code: 400" in exchange(exporter, b"GET / HTTP/1.x\r\n\r\n")
    assert b"Error code: 414" in exchange(exporter, b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n")
    assert exchange(exporter, b"GET / HTTP/1.1\r\nX-Big: " + b"b" * 70000 + b"\r\n\r\n").startswith(
        b"HTTP/1.1 431 "
    )
    eventually(lambda: len([r for r in exporter.logs() if r["msg"] == "bad request"]) >= 3)
    assert exporter.get("/readyz")[0] == 200


def test_lower_case_bearer_is_accepted(tmp_path: Path) -> None:
    with Exporter(tmp_path, inventory=FLEET, token="t0ken-abc") as exporter:
        assert exporter.post(GOOD, {"Authorization": "bearer t0ken-abc"})[0] == 202
        assert exporter.post(GOOD, {"Authorization": "BEARER  t0ken-abc "})[0] == 202
        assert exporter.post(GOOD, {"Authorization": "Bearer t0ken-ab"})[0] == 401


def test_without_a_token_ingest_needs_the_explicit_flag(tmp_path: Path) -> None:
    with Exporter(tmp_path, inventory=FLEET, insecure_no_auth=False) as exporter:
        status, body = exporter.post(GOOD)
        assert (status, body["reason"]) == (403, "ingest_disabled")
        assert "--insecure-no-auth" in body["error"]


def listening_addresses(pid: int, port: int) -> set[str]:
    """Local addresses of the process' listening TCP sockets on `port` (proc(5) net/tcp:
    state 0A is LISTEN; addresses are little-endian hex)."""
    found = set()
    for table in ("tcp", "tcp6"):
        with open(f"/proc/{pid}/net/{table}") as handle:
            for line in handle.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.split(":")
                if state == "0A" and int(hex_port, 16) == port and len(address) == 8:
                    found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_by_default_it_listens_on_loopback_only(tmp_path: Path) -> None:
    exporter = Exporter(tmp_path, inventory=FLEET)
    host = exporter.args.index("--host")
    del exporter.args[host : host + 2]
    with exporter:
        assert exporter.process is not None
        assert listening_addresses(exporter.process.pid, exporter.port) == {"127.0.0.1"}
        listening = [r for r in exporter.logs() if r["msg"] == "listening"]
        assert listening[0]["host"] == "127.0.0.1"
