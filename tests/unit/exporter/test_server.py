"""The exporter's HTTP endpoints in-process on 127.0.0.1 (the e2e tests run the real process;
these also let mutation testing see the handlers): bearer-token negative paths, body limits,
routes, health, and rejections counted by reason."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry
from prometheus_client.parser import text_string_to_metric_families

from exporter.app import App
from exporter.config import ExporterConfig
from exporter.fleet import Fleet
from exporter.quality import MAX_BODY_BYTES, QualityMetrics
from exporter.server import ExporterServer

TOKEN = "s3cret-ingest-token"
JSON = {"Content-Type": "application/json"}
AUTH = {"Authorization": f"Bearer {TOKEN}", **JSON}
GOOD = {"model": "llama-3-8b", "evaluator": "judge", "score": 0.8, "hallucination": False}


def config(token: str | None = TOKEN, staleness: float = 300.0) -> ExporterConfig:
    return ExporterConfig(
        gpu_prices={},
        instance_prices={},
        default_capacity_type="on_demand",
        models=frozenset({"llama-3-8b"}),
        evaluators=frozenset({"judge"}),
        ingest_token=token,
        inventory_staleness_seconds=staleness,
    )


@dataclass
class Running:
    """An in-process exporter server and its parts."""

    server: ExporterServer
    fleet: Fleet
    clock: list[float]
    now: list[float]  # the fleet's wall clock (Unix time)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None
    ) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection(*self.server.server_address, timeout=10)
        try:
            connection.request(method, path, body=body, headers=headers or {})
            answer = connection.getresponse()
            return answer.status, answer.read()
        finally:
            connection.close()

    def post(self, payload: object, authorization: str | None) -> int:
        headers = dict(JSON)
        if authorization is not None:
            headers["Authorization"] = authorization
        return self.request("POST", "/v1/evaluations", json.dumps(payload).encode(), headers)[0]

    def samples(self) -> dict[str, float]:
        text = self.request("GET", "/metrics")[1].decode()
        return {
            s.name + json.dumps(s.labels, sort_keys=True): s.value
            for family in text_string_to_metric_families(text)
            for s in family.samples
        }


def start(cfg: ExporterConfig, allow_unauthenticated: bool = False) -> Running:
    clock, now = [1000.0], [1_700_000_000.0]
    registry = CollectorRegistry()
    # The Kubernetes sources (exporter/kube_inventory.py SOURCES).
    fleet = Fleet(cfg, sources=("nodes", "pods"), clock=lambda: clock[0], wall_clock=lambda: now[0])
    app = App(cfg, fleet, registry, QualityMetrics(cfg, registry), allow_unauthenticated)
    server = ExporterServer(("127.0.0.1", 0), app)
    threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True).start()
    return Running(server, fleet, clock, now)


@pytest.fixture
def running() -> Iterator[Running]:
    exporter = start(config())
    yield exporter
    exporter.server.shutdown()
    exporter.server.server_close()


def rejected(running: Running, reason: str) -> float:
    return running.samples().get(
        "ai_exporter_evaluations_rejected_total" + json.dumps({"reason": reason}), 0.0
    )


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        f"Bearer {TOKEN[:-1]}",  # a prefix of the token
        f"Bearer {TOKEN}x",  # an extension of it
        f"Basic {TOKEN}",  # another scheme
        f"Token {TOKEN}",
        f"Bearer{TOKEN}",  # no space after the scheme
        f"Bearer {TOKEN.upper()}",  # the token itself is case-sensitive
        TOKEN,  # no scheme
    ],
)
def test_anything_but_the_exact_bearer_token_is_refused(
    running: Running, authorization: str | None
) -> None:
    assert running.post(GOOD, authorization) == 401
    assert rejected(running, "unauthorized") == 1
    evaluations = 'ai_quality_evaluations_total{"evaluator": "judge", "model_name": "llama-3-8b"}'
    assert running.samples().get(evaluations, 0.0) == 0


@pytest.mark.parametrize(
    "authorization",
    # RFC 9110 11.1: the scheme is case-insensitive; 5.5: a field value's surrounding
    # whitespace is not part of it.
    [f"Bearer {TOKEN}", f"bearer {TOKEN}", f"BEARER {TOKEN}", f"  Bearer {TOKEN}\t"],
)
def test_the_exact_bearer_token_is_accepted(running: Running, authorization: str) -> None:
    assert running.post(GOOD, authorization) == 202
    assert rejected(running, "unauthorized") == 0


def test_without_a_configured_token_ingest_is_refused_unless_insecure_is_explicit() -> None:
    refusing = start(config(token=None))
    try:
        assert refusing.post(GOOD, None) == 403
        assert refusing.post(GOOD, "Bearer anything") == 403
        assert rejected(refusing, "ingest_disabled") == 2
    finally:
        refusing.server.shutdown()
        refusing.server.server_close()
    insecure = start(config(token=None), allow_unauthenticated=True)
    try:
        assert insecure.post(GOOD, None) == 202
        assert insecure.post(GOOD, "Bearer anything") == 202
    finally:
        insecure.server.shutdown()
        insecure.server.server_close()


@pytest.mark.parametrize(
    "headers, status, reason",
    [
        ({}, 411, "length_required"),
        ({"Content-Length": "abc"}, 400, "bad_length"),
        ({"Content-Length": "-1"}, 400, "bad_length"),
        ({"Content-Length": "\u00b2"}, 400, "bad_length"),  # a digit to str.isdigit()
        ({"Content-Length": "1" * 5000}, 400, "bad_length"),
        ({"Content-Length": "0x10"}, 400, "bad_length"),
        ({"Content-Length": str(MAX_BODY_BYTES + 1)}, 413, "too_large"),
    ],
)
def test_a_body_without_a_usable_length_is_refused_before_reading(
    running: Running, headers: dict[str, str], status: int, reason: str
) -> None:
    connection = http.client.HTTPConnection(*running.server.server_address, timeout=10)
    try:
        connection.putrequest("POST", "/v1/evaluations", skip_accept_encoding=True)
        for name, value in {**AUTH, **headers}.items():
            connection.putheader(name, value)
        connection.endheaders()
        answer = connection.getresponse()
        assert answer.status == status
        assert json.loads(answer.read())["reason"] == reason
        assert answer.getheader("Connection") == "close"
    finally:
        connection.close()
    assert rejected(running, reason) == 1


def test_a_body_at_the_limit_is_read_and_judged(running: Running) -> None:
    body = json.dumps(GOOD).encode().ljust(MAX_BODY_BYTES)  # JSON allows trailing spaces
    status, answer = running.request("POST", "/v1/evaluations", body, AUTH)
    assert (status, json.loads(answer)) == (202, {"accepted": 1})


@pytest.mark.parametrize(
    "content_type, status",
    [
        (None, 415),
        ("application/x-www-form-urlencoded", 415),  # what curl -d sends
        ("text/plain", 415),
        ("application/jsonx", 415),
        ("application/json", 202),
        ("Application/JSON; charset=utf-8", 202),
    ],
)
def test_only_json_is_ingested(running: Running, content_type: str | None, status: int) -> None:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if content_type is not None:
        headers["Content-Type"] = content_type
    answer = running.request("POST", "/v1/evaluations", json.dumps(GOOD).encode(), headers)
    assert answer[0] == status
    assert rejected(running, "unsupported_media_type") == (1 if status == 415 else 0)


def test_routes_and_methods(running: Running) -> None:
    assert running.request("GET", "/nope")[0] == 404
    assert running.request("POST", "/v1/other", b"{}", AUTH)[0] == 404
    for method in ("PUT", "DELETE", "PATCH"):
        assert running.request(method, "/v1/evaluations", b"{}")[0] == 405
    status, body = running.request("GET", "/metrics?x=1")
    assert status == 200 and b"ai_exporter_evaluations_rejected_total" in body
    assert running.request("GET", "/readyz") == (200, b'{"status": "ready"}')


def health(running: Running) -> tuple[int, dict]:
    status, body = running.request("GET", "/healthz")
    return status, json.loads(body)


def test_health_names_each_stale_source(running: Running) -> None:
    assert health(running) == (
        503,
        {
            "status": "no inventory sync yet",
            "stale": ["nodes", "pods"],
            "sources": {"nodes": {"age_seconds": None}, "pods": {"age_seconds": None}},
        },
    )
    running.fleet.mark_success("nodes")
    status, body = health(running)
    assert (status, body["status"], body["stale"]) == (503, "no inventory sync yet", ["pods"])
    running.fleet.mark_success("pods")
    running.now[0] += 300  # exactly the staleness limit: still fresh
    assert health(running) == (
        200,
        {
            "status": "ok",
            "sources": {"nodes": {"age_seconds": 300.0}, "pods": {"age_seconds": 300.0}},
        },
    )
    running.now[0] += 0.5
    running.fleet.mark_success("nodes")  # nodes keep syncing, pods do not
    status, body = health(running)
    assert (status, body["stale"]) == (503, ["pods"])
    assert body["sources"] == {"nodes": {"age_seconds": 0.0}, "pods": {"age_seconds": 300.5}}
    # Readiness says only that the process serves.
    assert running.request("GET", "/readyz")[0] == 200


def exchange(
    connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None
) -> http.client.HTTPResponse:
    headers = AUTH if method == "POST" else {}
    connection.request(method, path, body=body, headers=headers)
    answer = connection.getresponse()
    answer.body = answer.read()  # type: ignore[attr-defined]
    return answer


def test_answers_carry_their_content_type_and_length(running: Running) -> None:
    connection = http.client.HTTPConnection(*running.server.server_address, timeout=10)
    try:
        metrics = exchange(connection, "GET", "/metrics")
        assert metrics.getheader("Content-Type") == CONTENT_TYPE_LATEST
        health = exchange(connection, "GET", "/healthz")
        assert health.getheader("Content-Type") == "application/json"
        body = json.loads(health.body)
        assert body["status"] == "no inventory sync yet"  # the whole body arrived
        assert int(health.getheader("Content-Length")) == len(health.body)
    finally:
        connection.close()


def test_accepted_posts_keep_the_connection_and_refusals_close_it(running: Running) -> None:
    connection = http.client.HTTPConnection(*running.server.server_address, timeout=10)
    try:
        body = json.dumps(GOOD).encode()
        for _ in range(2):  # the same connection serves both
            answer = exchange(connection, "POST", "/v1/evaluations?source=judge", body)
            assert (answer.status, answer.getheader("Connection")) == (202, None)
        missing = exchange(connection, "GET", "/v1/missing")
        assert (missing.status, missing.getheader("Connection")) == (404, None)
        other = exchange(connection, "POST", "/v1/other?a=1?b=2", body)
        assert (other.status, other.getheader("Connection")) == (404, "close")
    finally:
        connection.close()


def test_refusals_say_why(running: Running) -> None:
    status, body = running.request("GET", "/nope")
    assert (status, json.loads(body)) == (404, {"error": "not found"})
    status, body = running.request("POST", "/v1/evaluations", b"{}", {})
    assert (status, json.loads(body)) == (
        401,
        {"error": "bearer token required", "reason": "unauthorized"},
    )
    status, body = running.request("PUT", "/v1/evaluations", b"{}")
    assert (status, json.loads(body)) == (405, {"error": "method not allowed"})
    status, body = running.request("POST", "/v1/evaluations", b"[]", AUTH)
    assert (status, json.loads(body)) == (400, {"error": "empty batch", "reason": "bad_fields"})


def test_health_reports_the_age_to_a_tenth_of_a_second(running: Running) -> None:
    running.fleet.mark_success("nodes")
    running.fleet.mark_success("pods")
    running.now[0] += 12.345
    assert health(running)[1]["sources"]["nodes"] == {"age_seconds": 12.3}
    running.now[0] += 400
    assert health(running)[1]["sources"]["pods"] == {"age_seconds": 412.3}
