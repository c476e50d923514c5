"""A real Alertmanager on loopback, loaded with the dev stack's configuration: inhibition works."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.programs import deployed_alertmanager_config
from tests.support.tools import require_tool


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def alertmanager(tmp_path: Path) -> Iterator[str]:
    """Start Alertmanager with the deployed dev config; yield its base URL."""
    binary = shutil.which("prometheus-alertmanager") or require_tool("alertmanager")
    port = free_port()
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={deployed_alertmanager_config('dev', tmp_path)}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{url}/-/ready", timeout=1).read()
                break
            except OSError:
                assert process.poll() is None, process.stderr.read().decode()
                assert time.monotonic() < deadline, "Alertmanager did not become ready"
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


def post_alerts(url: str, alerts: list[dict[str, str]]) -> None:
    body = json.dumps([{"labels": labels} for labels in alerts]).encode()
    request = urllib.request.Request(
        f"{url}/api/v2/alerts", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200


def alert_states(url: str) -> dict[tuple[str, str, str], str]:
    with urllib.request.urlopen(f"{url}/api/v2/alerts", timeout=5) as response:
        alerts = json.load(response)
    return {
        (a["labels"]["alertname"], a["labels"]["severity"], a["labels"].get("model_name", "")): a[
            "status"
        ]["state"]
        for a in alerts
    }


def test_critical_inhibits_warning_of_the_same_alert_and_model_only(alertmanager: str) -> None:
    base = {"namespace": "inference"}
    post_alerts(
        alertmanager,
        [
            {**base, "alertname": "VllmErrorRatioHigh", "severity": "critical", "model_name": "a"},
            {**base, "alertname": "VllmErrorRatioHigh", "severity": "warning", "model_name": "a"},
            {**base, "alertname": "VllmErrorRatioHigh", "severity": "warning", "model_name": "b"},
            {**base, "alertname": "VllmQueueDeep", "severity": "warning", "model_name": "a"},
        ],
    )
    states = alert_states(alertmanager)
    assert states == {
        ("VllmErrorRatioHigh", "critical", "a"): "active",
        ("VllmErrorRatioHigh", "warning", "a"): "suppressed",
        ("VllmErrorRatioHigh", "warning", "b"): "active",
        ("VllmQueueDeep", "warning", "a"): "active",
    }
