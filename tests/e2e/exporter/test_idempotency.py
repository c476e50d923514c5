"""Idempotency-Key on POST /v1/evaluations: a retried request is answered as the first one
and counted once, including when the first answer never reached the client."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from tests.support.exporter_process import Exporter, eventually

# After every test, /metrics still parses (conftest.metrics_still_parse).
pytestmark = pytest.mark.usefixtures("metrics_still_parse")

GOOD = {"model": "llama-3-8b", "evaluator": "judge", "score": 0.8, "hallucination": False}
EVALS = 'ai_quality_evaluations_total{evaluator="judge",model_name="llama-3-8b"}'


def counted(exporter: Exporter) -> float:
    return exporter.metrics()[EVALS]


def test_a_repeated_key_is_answered_as_the_first_and_counted_once(exporter: Exporter) -> None:
    before = counted(exporter)
    batch = [GOOD, {**GOOD, "score": 0.1}]
    first = exporter.post(batch, {"Idempotency-Key": "judge-run-1/batch-7"})
    again = exporter.post(batch, {"Idempotency-Key": "judge-run-1/batch-7"})
    assert first == again == (202, {"accepted": 2})
    assert counted(exporter) == before + 2
    other = exporter.post(batch, {"Idempotency-Key": "judge-run-1/batch-8"})
    assert other == (202, {"accepted": 2}) and counted(exporter) == before + 4
    assert exporter.post(batch)[0] == 202 and counted(exporter) == before + 6  # no key, no memory


def test_a_retry_after_a_lost_acknowledgement_is_not_counted_twice(exporter: Exporter) -> None:
    before = counted(exporter)
    body = json.dumps(GOOD).encode()
    head = (
        "POST /v1/evaluations HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Idempotency-Key: lost-ack-1\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", exporter.port), timeout=10) as sock:
        sock.sendall(head + body)  # and hang up without reading the answer
    eventually(lambda: counted(exporter) == before + 1)
    assert exporter.post(GOOD, {"Idempotency-Key": "lost-ack-1"}) == (202, {"accepted": 1})
    assert counted(exporter) == before + 1


def test_a_rejection_is_remembered_too(exporter: Exporter) -> None:
    bad = {**GOOD, "score": 7}
    rejected = 'ai_exporter_evaluations_rejected_total{reason="score_out_of_range"}'
    before = exporter.metrics()[rejected]
    first = exporter.post(bad, {"Idempotency-Key": "bad-1"})
    assert first[0] == 422
    assert exporter.post(bad, {"Idempotency-Key": "bad-1"}) == first
    assert exporter.metrics()[rejected] == before + 1


def test_the_same_key_with_another_body_is_refused(exporter: Exporter) -> None:
    before = counted(exporter)
    assert exporter.post(GOOD, {"Idempotency-Key": "k-reused"})[0] == 202
    status, answer = exporter.post({**GOOD, "score": 0.2}, {"Idempotency-Key": "k-reused"})
    assert (status, answer["reason"]) == (422, "idempotency_key_reused")
    assert counted(exporter) == before + 1


@pytest.mark.parametrize("key", ["", "k" * 129])
def test_a_key_out_of_bounds_is_400(exporter: Exporter, key: str) -> None:
    before = counted(exporter)
    status, answer = exporter.post(GOOD, {"Idempotency-Key": key})
    assert (status, answer["reason"]) == (400, "bad_idempotency_key")
    assert counted(exporter) == before


def test_a_key_of_128_characters_is_fine(tmp_path: Path) -> None:
    with Exporter(tmp_path, inventory={"nodes": [], "pods": []}) as exporter:
        key = "k" * 128
        assert exporter.post(GOOD, {"Idempotency-Key": key})[0] == 202
        assert exporter.post(GOOD, {"Idempotency-Key": key})[0] == 202
        assert counted(exporter) == 1
