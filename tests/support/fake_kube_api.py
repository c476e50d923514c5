"""A fake Kubernetes API server on loopback: list and watch of nodes and pods, with outages and
per-kind faults (answers shaped like the API server's: NodeList/PodList, watch events one JSON
object per line, errors as a Status object)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import yaml

PATHS = {"/api/v1/nodes": "nodes", "/api/v1/pods": "pods", "/api/v1/namespaces": "namespaces"}
# What a kind's requests get: "ok"; "empty" (every watch closes at once with no event);
# "error" (500 InternalError on list and watch); "hang" (the request is never answered);
# "garbage" (a watch streams a line that is not JSON).
MODES = ("ok", "empty", "error", "hang", "garbage")


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


def status_object(code: int, reason: str, message: str) -> dict[str, Any]:
    """The API server's error body (metav1.Status)."""
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }


class FakeKubeAPI(ThreadingHTTPServer):
    """Objects per kind, an event log per kind, and an `available` switch."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.cond = threading.Condition()
        self.version = 1
        kinds = tuple(PATHS.values())
        self.objects: dict[str, dict[str, dict[str, Any]]] = {k: {} for k in kinds}
        self.events: dict[str, list[tuple[int, dict[str, Any]]]] = {k: [] for k in kinds}
        self.available = True
        self.requests = 0
        self.modes: dict[str, str] = dict.fromkeys(kinds, "ok")
        self.hits: dict[str, list[float]] = {k: [] for k in kinds}  # monotonic request times

    def set_mode(self, kind: str, mode: str) -> None:
        """Make a kind's requests fail in one of MODES (or "ok" again)."""
        assert mode in MODES, mode
        with self.cond:
            self.modes[kind] = mode
            self.cond.notify_all()

    def rate(self, kind: str, seconds: float) -> float:
        """Requests per second for a kind over the last `seconds`."""
        now = time.monotonic()
        with self.cond:
            recent = [t for t in self.hits[kind] if t >= now - seconds]
        return len(recent) / seconds

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
    protocol_version = "HTTP/1.1"  # watches stream in chunks, as from the API server
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
            mode = api.modes.get(kind or "", "ok")
            if kind is not None:
                api.hits[kind].append(time.monotonic())
        if not available:
            self._json(503, {"kind": "Status", "status": "Failure", "code": 503, "message": "down"})
            return
        if kind is None:
            self._json(404, {"kind": "Status", "code": 404})
            return
        watching = query.get("watch", ["false"])[0] in ("true", "1")
        if mode == "hang":
            with api.cond:  # until the mode changes; the client's timeout usually comes first
                api.cond.wait_for(lambda: api.modes[kind] != "hang", timeout=120)
            self.close_connection = True
            return
        if mode == "error":
            self._json(500, status_object(500, "InternalError", "etcdserver: request timed out"))
            return
        if watching and mode in ("empty", "garbage"):
            self._start_stream()
            if mode == "garbage":
                self._chunk(b"<html>502 Bad Gateway</html>\n")
            self._end_stream()
            return
        if watching:
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

    def _start_stream(self) -> None:
        """A watch answer as the API server sends it: HTTP/1.1, chunked, one event per line."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _end_stream(self) -> None:
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def _watch(self, kind: str, since: int, timeout: float) -> None:
        """Stream events newer than `since` until the timeout, or until the API goes down."""
        api = self.server
        self._start_stream()
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
                self._chunk(json.dumps(event).encode() + b"\n")
                sent = version
            if down or time.monotonic() >= deadline:
                self._end_stream()
                return
