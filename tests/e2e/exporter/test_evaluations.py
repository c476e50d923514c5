"""POST /v1/evaluations against the real process: accepted batches, every rejection, malformed
bodies, and concurrent posts counted exactly."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from pathlib import Path

import pytest

from tests.support.exporter_process import Exporter

# After every test, /metrics still parses (conftest.metrics_still_parse).
pytestmark = pytest.mark.usefixtures("metrics_still_parse")

FLEET = {"nodes": [], "pods": []}
GOOD = {"model": "llama-3-8b", "evaluator": "judge", "score": 0.8, "hallucination": False}
EVALS = 'ai_quality_evaluations_total{evaluator="judge",model_name="llama-3-8b"}'
HALLU = 'ai_quality_hallucinations_total{evaluator="judge",model_name="llama-3-8b"}'


def rejected(metrics: dict[str, float], reason: str) -> float:
    return metrics[f'ai_exporter_evaluations_rejected_total{{reason="{reason}"}}']


def test_accepts_an_object_and_a_batch(exporter: Exporter) -> None:
    before = exporter.metrics()
    assert exporter.post(GOOD) == (202, {"accepted": 1})
    batch = [
        GOOD,
        {**GOOD, "score": 0.05, "hallucination": True},
        {**GOOD, "model": "mistral-7b", "score": 1},
    ]
    assert exporter.post(batch) == (202, {"accepted": 3})
    after = exporter.metrics()
    assert after[EVALS] - before[EVALS] == 3
    assert after[HALLU] - before[HALLU] == 1
    bucket = 'ai_quality_score_bucket{evaluator="judge",le="0.1",model_name="llama-3-8b"}'
    assert after[bucket] - before[bucket] == 1  # the 0.05 score
    total = 'ai_quality_score_sum{evaluator="judge",model_name="llama-3-8b"}'
    assert after[total] - before[total] == pytest.approx(0.8 + 0.8 + 0.05)
    mistral = 'ai_quality_score_bucket{evaluator="judge",le="1.0",model_name="mistral-7b"}'
    assert after[mistral] - before[mistral] == 1


REJECTIONS = [
    ("unknown-model", {**GOOD, "model": "gpt-5"}, 422, "unknown_model"),
    ("unknown-evaluator", {**GOOD, "evaluator": "human"}, 422, "unknown_evaluator"),
    ("score-above-1", {**GOOD, "score": 1.01}, 422, "score_out_of_range"),
    ("score-negative", {**GOOD, "score": -0.1}, 422, "score_out_of_range"),
    (
        "score-huge-float",
        '{"model": "llama-3-8b", "evaluator": "judge", "score": 1e400, "hallucination": false}',
        422,
        "score_out_of_range",
    ),
    (
        "score-huge-int",
        '{"model": "llama-3-8b", "evaluator": "judge", "score": '
        + "9" * 400
        + ', "hallucination": false}',
        422,
        "score_out_of_range",
    ),
    ("too-many-items", [GOOD] * 1001, 413, "too_large"),
    (
        "one-bad-item-rejects-the-batch",
        [GOOD, GOOD, {**GOOD, "model": "nope"}],
        422,
        "unknown_model",
    ),
]


@pytest.mark.parametrize(
    ("body", "status", "reason"), [r[1:] for r in REJECTIONS], ids=[r[0] for r in REJECTIONS]
)
def test_rejections_change_nothing_but_their_counter(
    exporter: Exporter, body: object, status: int, reason: str
) -> None:
    before = exporter.metrics()
    code, payload = exporter.post(body)
    assert (code, payload["reason"]) == (status, reason)
    after = exporter.metrics()
    assert rejected(after, reason) - rejected(before, reason) == 1
    quality = {k: v for k, v in after.items() if k.startswith("ai_quality_")}
    assert quality == {k: v for k, v in before.items() if k.startswith("ai_quality_")}


MALFORMED = [
    ("empty", b""),
    ("truncated", b'{"model": "llama-3-8b", "evaluator": "ju'),
    ("not-json", b"model=llama-3-8b&score=1"),
    ("nan", b'{"model": "llama-3-8b", "evaluator": "judge", "score": NaN, "hallucination": false}'),
    (
        "infinity",
        b'{"model": "llama-3-8b", "evaluator": "judge", "score": Infinity, "hallucination": false}',
    ),
    ("score-string", json.dumps({**GOOD, "score": "0.8"}).encode()),
    ("score-bool", json.dumps({**GOOD, "score": True}).encode()),
    ("score-null", json.dumps({**GOOD, "score": None}).encode()),
    ("hallucination-string", json.dumps({**GOOD, "hallucination": "no"}).encode()),
    ("hallucination-int", json.dumps({**GOOD, "hallucination": 0}).encode()),
    ("model-number", json.dumps({**GOOD, "model": 7}).encode()),
    ("missing-field", json.dumps({k: v for k, v in GOOD.items() if k != "score"}).encode()),
    ("extra-field", json.dumps({**GOOD, "prompt": "secret user text"}).encode()),
    ("scalar", b"42"),
    ("string", b'"hello"'),
    ("empty-array", b"[]"),
    ("array-of-arrays", b"[[1, 2], [3]]"),
    (
        "nested-garbage",
        json.dumps(
            {"model": {"a": [{"b": None}]}, "evaluator": [], "score": {}, "hallucination": []}
        ).encode(),
    ),
    ("deep-nesting", b"[" * 100000 + b"]" * 100000),
    ("invalid-utf8", b'{"model": "\xff\xfe", "evaluator": "judge"}'),
]


# Bodies that are not JSON at all (RFC 8259: no NaN or Infinity, UTF-8 only; nesting beyond
# what a parser holds) are bad_json; JSON of the wrong shape is bad_fields.
NOT_JSON = {"empty", "truncated", "not-json", "nan", "infinity", "deep-nesting", "invalid-utf8"}


@pytest.mark.parametrize("body", [m[1] for m in MALFORMED], ids=[m[0] for m in MALFORMED])
def test_malformed_bodies_get_400_and_the_exporter_keeps_serving(
    exporter: Exporter, body: bytes, request: pytest.FixtureRequest
) -> None:
    case = request.node.callspec.id
    before = exporter.metrics()
    code, payload = exporter.post(body)
    assert code == 400, payload
    assert payload["reason"] == ("bad_json" if case in NOT_JSON else "bad_fields"), payload
    after = exporter.metrics()
    assert after[EVALS] == before[EVALS]
    assert exporter.get("/healthz")[0] == 200


def raw_post(exporter: Exporter, headers: str, body: bytes = b"") -> str:
    """Send a hand-made request; the status line of the answer."""
    with socket.create_connection(("127.0.0.1", exporter.port), timeout=10) as sock:
        sock.sendall(headers.encode() + b"\r\n" + body)
        return sock.recv(65536).decode(errors="replace").split("\r\n", 1)[0]


def test_ten_mebibyte_body_is_413_without_being_read(exporter: Exporter) -> None:
    before = rejected(exporter.metrics(), "too_large")
    status = raw_post(
        exporter,
        "POST /v1/evaluations HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n"
        "Content-Type: application/json\r\n",
        b"[" * 65536,
    )
    assert status == "HTTP/1.1 413 Request Entity Too Large"
    assert rejected(exporter.metrics(), "too_large") == before + 1


def test_a_real_two_mebibyte_body_is_refused(exporter: Exporter) -> None:
    body = json.dumps([GOOD] * 1000).encode() + b" " * (2 * 1024 * 1024)
    code = 0
    with contextlib.suppress(OSError):  # the server may close while we still send: refused
        code, _ = exporter.post(body)
    assert code in (0, 413)
    assert exporter.get("/healthz")[0] == 200


def test_missing_content_length_is_411(exporter: Exporter) -> None:
    status = raw_post(
        exporter,
        "POST /v1/evaluations HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        "Content-Type: application/json\r\n",
    )
    assert status.startswith("HTTP/1.1 411")


def test_other_methods_and_paths(exporter: Exporter) -> None:
    assert raw_post(
        exporter, "PUT /v1/evaluations HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
    ).startswith("HTTP/1.1 405")
    assert raw_post(
        exporter, "POST /v1/other HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
    ).startswith("HTTP/1.1 404")


def test_concurrent_posts_are_all_counted(exporter: Exporter) -> None:
    before = exporter.metrics()[EVALS]
    errors: list[object] = []

    def poster() -> None:
        for _ in range(25):
            code, _ = exporter.post([GOOD, GOOD])
            if code != 202:
                errors.append(code)

    threads = [threading.Thread(target=poster) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert exporter.metrics()[EVALS] - before == 8 * 25 * 2


def test_bearer_token(tmp_path: Path) -> None:
    with Exporter(tmp_path, inventory=FLEET, token="s3cret-ingest-token") as exporter:
        assert exporter.post(GOOD)[0] == 401
        assert exporter.post(GOOD, {"Authorization": "Bearer wrong"})[0] == 401
        assert exporter.post(GOOD, {"Authorization": "s3cret-ingest-token"})[0] == 401
        assert exporter.post(GOOD, {"Authorization": "Bearer s3cret-ingest-token"}) == (
            202,
            {"accepted": 1},
        )
        m = exporter.metrics()
        assert rejected(m, "unauthorized") == 3
        assert m[EVALS] == 1
