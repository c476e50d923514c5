"""Logs are one JSON object per line, Kubernetes errors carry their status and reason, and
library logging goes through the same writer."""

from __future__ import annotations

import json
import logging
import sys
import threading

import pytest
from kubernetes.client.exceptions import ApiException

from exporter import log


@pytest.fixture
def lines(capsys: pytest.CaptureFixture[str]):
    def read() -> list[dict]:
        return [json.loads(line) for line in capsys.readouterr().err.splitlines()]

    return read


def test_an_api_exception_is_logged_with_its_status_and_reason(lines) -> None:
    log.log("error", "sync failed", **log.error_fields(ApiException(500, "Internal Server Error")))
    (record,) = lines()
    assert record["status"] == 500 and record["reason"] == "Internal Server Error"
    assert record["error"] == "HTTP 500 Internal Server Error"
    assert record["error_type"] == "ApiException"


def test_a_traceback_stays_on_one_line(lines) -> None:
    try:
        raise ValueError("multi\nline")
    except ValueError as error:
        log.exception("boom", error)
    (record,) = lines()
    assert "Traceback" in record["traceback"] and record["error"] == "multi\nline"


def test_library_logging_becomes_json(lines, monkeypatch: pytest.MonkeyPatch) -> None:
    root = logging.getLogger()
    monkeypatch.setattr(root, "handlers", root.handlers[:])
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    level = root.level
    try:
        log.install()
        logging.getLogger("urllib3.connectionpool").warning("Retrying (%s) after %s", "x", "y")
    finally:
        root.setLevel(level)
        logging.captureWarnings(False)
    (record,) = lines()
    assert record["logger"] == "urllib3.connectionpool"
    assert record["msg"] == "Retrying (x) after y" and record["level"] == "warning"


def test_a_surrogate_in_a_field_is_escaped(lines) -> None:
    log.log("warning", "object skipped", error="node 'gpu-\ud800'")
    (record,) = lines()
    assert record["error"] == "node 'gpu-\ud800'"
