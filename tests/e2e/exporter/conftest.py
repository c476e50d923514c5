"""Fixtures for the exporter process: a fake Kubernetes API on loopback, and an exporter
watching it."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.exporter_process import BASE_CONFIG, Exporter
from tests.support.fake_kube_api import FakeKubeAPI

EMPTY = {"nodes": [], "pods": []}


@pytest.fixture(scope="module")
def exporter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exporter]:
    """One exporter per test module, on an empty static inventory (for the request tests)."""
    with Exporter(tmp_path_factory.mktemp("exporter"), inventory=EMPTY) as running:
        yield running


@pytest.fixture
def metrics_still_parse(exporter: Exporter) -> Iterator[None]:
    """After every request of the test, /metrics still answers and prometheus_client's parser
    reads it (Exporter.metrics parses)."""
    yield
    assert exporter.metrics()


@pytest.fixture
def api() -> Iterator[FakeKubeAPI]:
    server = FakeKubeAPI()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.set_available(True)
    for kind in ("nodes", "pods"):
        server.set_mode(kind, "ok")  # releases hanging requests
    server.shutdown()
    server.server_close()


@pytest.fixture
def watching(api: FakeKubeAPI, tmp_path: Path) -> Callable[..., Exporter]:
    """An exporter (not started) whose kubeconfig points at the fake API."""

    def make(**config: Any) -> Exporter:
        exporter = Exporter(tmp_path, config={**BASE_CONFIG, **config})
        env = {k: v for k, v in os.environ.items() if k != "KUBERNETES_SERVICE_HOST"}
        exporter.env = {**env, "KUBECONFIG": str(api.kubeconfig(tmp_path))}
        return exporter

    return make
