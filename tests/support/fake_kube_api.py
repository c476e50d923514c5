"""A fake Kubernetes API server on loopback: list and watch of nodes and pods, with outages."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import yaml

PATHS = {"/api/v1/nodes": "nodes", "/api/v1/pods": "pods"}


def gpu_node(name: str, gpus: int, product: str = "NVIDIA-H100-80GB-HBM3") -> dict[str, Any]:
    return {
        "metadata": {"name": name, "labels": {"nvidia.com/gpu.product": product}},
        "status": {"allocatable": {"nvidia.com/gpu": str(gpus), "cpu": "96"}},
    }


def gpu_pod(
    namespace: str, name: str, node: str, gpus: int, phase: str = "Running"
) -> dict[str, Any]:
    resources = {"limits": {"nvidia.com/gpu": str(gpus)}} if gpus else {}
    return {
        "metadata": {"namespace": namespace, "name": name},
        "spec": {"nodeName": node, "containers": [{"name": "main", "resources": resources}]},
        "status": {"phase": phase},
    }


class FakeKubeAPI(ThreadingHTTPServer):
    """Objects per kind, an event log per kind, and an `available` switch."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.cond = threading.Condition()
        self.version = 1
        self.objects: dict[str, dict[str, dict[str, Any]]] = {"nodes": {}, "pods": {}}
        self.events: dict[str, list[tuple[int, dict[str, Any]]]] = {"nodes": [], "pods": []}
        self.available = True
        self.requests = 0

    @staticmethod
    def key(obj: dict[str, Any]) -> str:
        meta = obj["metadata"]
        return f"{meta.get('namespace', '')}/{meta['name']}"

    def apply(self, kind: str, event_type: str, obj: dict[str, Any]) -> None:
        """ADDED, MODIFIED or DELETED: change the state and log the event for watchers."""
        with self.cond:
            self.version += 1
            obj = json.loads(json.dumps(obj))
            obj["metadata"]["resourceVersion"] = str(self.version)
            if event_type == "DELETED":
                self.objects[kind].pop(self.key(obj), None)
            else:
                self.objects[kind][self.key(obj)] = obj
            self.events[kind].append((self.version, {"type": event_type, "object": obj}))
            self.cond.notify_all()

    def set_available(self, available: bool) -> None:
        with self.cond:
            self.available = available
            self.cond.notify_all()

    def kubeconfig(self, directory: Path) -> Path:
        """A kubeconfig whose current context is this server, without credentials."""
        server = f"http://127.0.0.1:{self.server_address[1]}"
        config = {
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "fake", "cluster": {"server": server}}],
            "users": [{"name": "fake", "user": {}}],
            "contexts": [{"name": "fake", "context": {"cluster": "fake", "user": "fake"}}],
            "current-context": "fake",
        }
        path = directory / "kubeconfig"
        path.write_text(yaml.safe_dump(config))
        return path


class _Handler(BaseHTTPRequestHandler):
    server: FakeKubeAPI

    def log_message(self, *args: object) -> None:
        pass

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        api = self.server
        url = urlparse(self.path)
        query = parse_qs(url.query)
        kind = PATHS.get(url.path)
        with api.cond:
            api.requests += 1
            available = api.available
        if not available:
            self._json(503, {"kind": "Status", "status": "Failure", "code": 503, "message": "down"})
            return
        if kind is None:
            self._json(404, {"kind": "Status", "code": 404})
            return
        if query.get("watch", ["false"])[0] in ("true", "1"):
            self._watch(
                kind,
                int(query.get("resourceVersion", ["0"])[0] or 0),
                float(query.get("timeoutSeconds", ["5"])[0]),
            )
            return
        with api.cond:
            items = list(api.objects[kind].values())
            version = api.version
        list_kind = "NodeList" if kind == "nodes" else "PodList"
        self._json(
            200,
            {
                "kind": list_kind,
                "apiVersion": "v1",
                "metadata": {"resourceVersion": str(version)},
                "items": items,
            },
        )

    def _watch(self, kind: str, since: int, timeout: float) -> None:
        """Stream events newer than `since` until the timeout, or until the API goes down."""
        api = self.server
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        deadline = time.monotonic() + timeout
        sent = since
        while True:
            with api.cond:
                pending = [(v, e) for v, e in api.events[kind] if v > sent]
                if not pending and api.available:
                    api.cond.wait(max(0.0, deadline - time.monotonic()))
                    pending = [(v, e) for v, e in api.events[kind] if v > sent]
                down = not api.available
            for version, event in pending:
                self.wfile.write(json.dumps(event).encode() + b"\n")
                sent = version
            self.wfile.flush()
            if down or time.monotonic() >= deadline:
                return  # HTTP/1.0: closing the connection ends the stream
