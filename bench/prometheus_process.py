"""A real Prometheus server on 127.0.0.1 over a given TSDB directory, and its HTTP API."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import yaml


def free_port() -> int:
    """A TCP port on loopback nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class QueryError(RuntimeError):
    """Prometheus answered a query with an error (timeout, too many samples, bad PromQL)."""


class Prometheus:
    """`prometheus` with rule files and no scrape targets, serving an existing data directory."""

    def __init__(
        self,
        workdir: Path,
        data: Path,
        rule_files: list[Path],
        evaluation_interval: str = "30s",
        query_timeout: str = "2m",
        scrape_target: str | None = None,
        scrape_timeout: str = "25s",
        scrape_configs: list[dict[str, Any]] | None = None,
    ) -> None:
        binary = shutil.which("prometheus")
        if binary is None:
            raise RuntimeError("prometheus is not on PATH (Debian: apt-get install prometheus)")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config: dict[str, Any] = {
            "global": {"evaluation_interval": evaluation_interval},
            "rule_files": [str(path) for path in rule_files],
        }
        if scrape_target:
            # honor_labels keeps the job and instance labels the target's series carry.
            config["scrape_configs"] = [
                {
                    "job_name": "fleet",
                    "honor_labels": True,
                    "scrape_interval": evaluation_interval,
                    "scrape_timeout": scrape_timeout,
                    "static_configs": [{"targets": [scrape_target]}],
                }
            ]
        if scrape_configs:  # as given, e.g. to check relabeling as a ServiceMonitor renders it
            config["scrape_configs"] = config.get("scrape_configs", []) + scrape_configs
        config_path = workdir / f"prometheus-{self.port}.yml"
        config_path.write_text(yaml.safe_dump(config))
        self.log = (workdir / f"prometheus-{self.port}.log").open("w")
        self.process = subprocess.Popen(
            [
                binary,
                f"--config.file={config_path}",
                f"--storage.tsdb.path={data}",
                "--storage.tsdb.retention.time=30d",
                f"--web.listen-address=127.0.0.1:{self.port}",
                f"--query.timeout={query_timeout}",
                "--query.max-samples=500000000",
            ],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            self._wait_ready()
        except RuntimeError:
            self.stop()
            raise

    def _wait_ready(self, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"prometheus exited with {self.process.returncode}; see {self.log.name}"
                )
            try:
                with urllib.request.urlopen(f"{self.url}/-/ready", timeout=2) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError):
                pass
            time.sleep(0.5)
        raise RuntimeError(f"prometheus not ready after {timeout:.0f}s")

    def get(self, path: str, **params: str) -> Any:
        """GET an API path; the `data` of a success, QueryError otherwise."""
        url = f"{self.url}{path}?{urllib.parse.urlencode(params)}"
        try:
            with urllib.request.urlopen(url, timeout=600) as answer:
                body = json.load(answer)
        except urllib.error.HTTPError as error:
            body = json.load(error)
        if body.get("status") != "success":
            raise QueryError(f"{body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def metrics(self) -> str:
        """Prometheus' own /metrics text."""
        with urllib.request.urlopen(f"{self.url}/metrics", timeout=30) as answer:
            return answer.read().decode()

    def stop(self) -> None:
        """Stop the server and wait for it (nothing when it has stopped already)."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
