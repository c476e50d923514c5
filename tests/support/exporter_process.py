"""Run the exporter as a real process on 127.0.0.1 for tests."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from prometheus_client.parser import text_string_to_metric_families

ROOT = Path(__file__).resolve().parents[2]

BASE_CONFIG: dict[str, Any] = {
    "gpus": {"NVIDIA-H100-80GB-HBM3": {"on_demand": 6.88, "spot": 2.10}},
    "instance_types": {"p5.48xlarge": {"on_demand": 55.04}},
    "default_capacity_type": "on_demand",
    "models": ["llama-3-8b", "mistral-7b"],
    "evaluators": ["judge"],
}


def eventually(check: Callable[[], bool], timeout: float = 10.0) -> None:
    """Wait until check() holds (fails after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def parse_metrics(text: str) -> dict[str, float]:
    """Exposition text -> {'name{labels}': value}, labels sorted, read by prometheus_client's
    own parser (so a body it cannot parse fails the test)."""
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


class Exporter:
    """`python -m exporter` started with a config (and inventory) written to a directory."""

    def __init__(
        self,
        directory: Path,
        config: dict[str, Any] | None = None,
        inventory: dict[str, Any] | None = None,
        env: dict[str, str] | None = None,
        token: str | None = None,
        insecure_no_auth: bool | None = None,
    ) -> None:
        """insecure_no_auth: pass --insecure-no-auth (by default, when no token is given)."""
        self.directory = directory
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = dict(config if config is not None else BASE_CONFIG)
        if token is not None:
            (directory / "token").write_text(token + "\n")
            config["ingest_token_file"] = "token"
        self.config_path = directory / "config.yaml"
        self.config_path.write_text(yaml.safe_dump(config))
        self.args = [
            "--config",
            str(self.config_path),
            "--port",
            str(self.port),
            "--host",
            "127.0.0.1",
        ]
        if insecure_no_auth if insecure_no_auth is not None else token is None:
            self.args.append("--insecure-no-auth")
        if inventory is not None:
            self.inventory_path = directory / "inventory.yaml"
            self.write_inventory(inventory)
            self.args += ["--inventory", str(self.inventory_path)]
        self.env = {**os.environ, **(env or {})}
        self.process: subprocess.Popen[str] | None = None
        self.stderr_lines: list[str] = []
        self._reader: threading.Thread | None = None

    def write_inventory(self, inventory: dict[str, Any]) -> None:
        self.inventory_path.write_text(yaml.safe_dump(inventory))

    def start(self, wait: bool = True) -> Exporter:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "exporter", *self.args],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
            errors="replace",
        )
        # Drained as it comes: a chatty process must never block on a full pipe.
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        if wait:
            deadline = time.monotonic() + 15
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                        break
                except OSError:
                    if self.process.poll() is not None:
                        self._reader.join(5)
                        raise AssertionError(f"exporter exited: {self.stderr}") from None
                    if time.monotonic() > deadline:
                        raise AssertionError("exporter did not start listening") from None
                    time.sleep(0.05)
        return self

    def _drain(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        for line in self.process.stderr:
            self.stderr_lines.append(line.rstrip("\n"))

    @property
    def stderr(self) -> str:
        return "\n".join(self.stderr_lines)

    def logs(self) -> list[dict[str, Any]]:
        """stderr so far, each line parsed as one JSON object (any other line fails)."""
        records = []
        for line in list(self.stderr_lines):
            try:
                record = json.loads(line)
            except ValueError:
                raise AssertionError(f"not a JSON log line: {line!r}") from None
            assert isinstance(record, dict), line
            records.append(record)
        return records

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int:
        """Send `sig` and wait: the exit code (0 for a graceful shutdown)."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        if self._reader is not None:
            self._reader.join(5)
        return code

    def __enter__(self) -> Exporter:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        code = self.stop()
        assert code == 0, f"exporter exited with {code}: {self.stderr[-2000:]}"
        self.logs()  # everything it wrote was one JSON object per line

    def get(self, path: str) -> tuple[int, str]:
        """GET path; /metrics rendered after the request (the exporter shares a body between
        the scrapers of one second unless asked for a fresh one)."""
        request = urllib.request.Request(self.url + path, headers={"Cache-Control": "no-cache"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def metrics(self) -> dict[str, float]:
        status, text = self.get("/metrics")
        assert status == 200
        return parse_metrics(text)

    def post(
        self, body: bytes | str | Any, headers: dict[str, str] | None = None
    ) -> tuple[int, dict]:
        data = (
            body
            if isinstance(body, bytes)
            else (body.encode() if isinstance(body, str) else json.dumps(body).encode())
        )
        request = urllib.request.Request(
            self.url + "/v1/evaluations",
            data=data,
            headers={"Content-Type": "application/json", **(headers or {})},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")
