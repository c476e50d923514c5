"""A fleet described in a YAML file (tests, and fleets outside Kubernetes), re-read periodically."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import yaml

from exporter.config import ConfigError
from exporter.fleet import Fleet
from exporter.log import log
from exporter.pricing import Node, Pod, gpu_count_from_labels

# libyaml's loader when PyYAML has it: a large inventory loads in a fraction of the memory.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise ConfigError(where, f"expected a non-negative number, got {value!r}")
    return float(value)


def parse_inventory(raw: Any) -> tuple[list[Node], list[Pod]]:
    """Nodes and pods from a decoded inventory document."""
    if not isinstance(raw, dict) or set(raw) - {"nodes", "pods"}:
        raise ConfigError("", "expected a map with nodes and pods")
    nodes = []
    for index, item in enumerate(raw.get("nodes") or []):
        where = f"nodes[{index}]"
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            raise ConfigError(f"{where}.name", "required")
        labels = item.get("labels") or {}
        if not isinstance(labels, dict):
            raise ConfigError(f"{where}.labels", "expected a map")
        labels = {str(k): str(v) for k, v in labels.items()}
        gpus = (
            _number(item["gpus"], f"{where}.gpus")
            if "gpus" in item
            else gpu_count_from_labels(labels)
        )
        nodes.append(Node(item["name"], labels, gpus))
    pods = []
    for index, item in enumerate(raw.get("pods") or []):
        where = f"pods[{index}]"
        if not isinstance(item, dict):
            raise ConfigError(where, "expected a map")
        for key in ("namespace", "name", "node"):
            if not isinstance(item.get(key), str) or not item[key]:
                raise ConfigError(f"{where}.{key}", "required")
        pods.append(
            Pod(
                item["namespace"],
                item["name"],
                item["node"],
                _number(item.get("gpus", 0), f"{where}.gpus"),
            )
        )
    return nodes, pods


def load_inventory(path: Path) -> tuple[list[Node], list[Pod]]:
    """Read and validate an inventory file; ConfigError names the file and the entry."""
    try:
        with path.open("rb") as handle:
            raw = yaml.load(handle, Loader=SAFE_LOADER)
    except OSError as error:
        raise ConfigError(str(path), f"cannot read: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ConfigError(str(path), f"not valid YAML: {error}") from None
    try:
        return parse_inventory(raw)
    except ConfigError as error:
        raise ConfigError(str(path), str(error)) from None


class StaticInventory:
    """Loads the file into the fleet now, then again every refresh interval."""

    def __init__(self, path: Path, fleet: Fleet, refresh_seconds: float) -> None:
        self._path = path
        self._fleet = fleet
        self._refresh = refresh_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="static-inventory", daemon=True)
        self.load()  # raises ConfigError: a bad file stops the exporter at start

    def load(self) -> None:
        """Read the file into the fleet."""
        nodes, pods = load_inventory(self._path)
        self._fleet.replace_nodes(nodes)
        self._fleet.replace_pods(pods)
        self._fleet.mark_success()

    def start(self) -> None:
        """Start re-reading in the background."""
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._refresh):
            try:
                self.load()
            except ConfigError as error:
                self._fleet.record_error()
                log(
                    "error",
                    "inventory file unreadable; keeping the last good one",
                    error=str(error),
                )

    def stop(self) -> None:
        """Stop re-reading."""
        self._stop.set()
