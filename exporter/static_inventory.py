"""A fleet described in a YAML file (tests, and fleets outside Kubernetes), re-read periodically."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from exporter.admission import ObjectSkippedError, check_node, check_pod
from exporter.config import ConfigError
from exporter.fleet import Fleet
from exporter.log import log
from exporter.pricing import Node, Pod, gpu_count_from_labels
from exporter.sharing import GPU_RESOURCE

# libyaml's loader when PyYAML has it: a large inventory loads in a fraction of the memory.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SOURCE = "file"


@dataclass
class Inventory:
    """What a file describes: the nodes and pods to keep, and the entries left out."""

    nodes: list[Node] = field(default_factory=list)
    pods: list[Pod] = field(default_factory=list)
    namespaces: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    skipped: list[ObjectSkippedError] = field(default_factory=list)


def _node(item: Any, where: str) -> Node:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        raise ConfigError(f"{where}.name", "required")
    labels = item.get("labels") or {}
    if not isinstance(labels, dict):
        raise ConfigError(f"{where}.labels", "expected a map")
    labels = {str(k): str(v) for k, v in labels.items()}
    gpus = item["gpus"] if "gpus" in item else gpu_count_from_labels(labels)
    return Node(item["name"], labels, gpus)


def _string_map(item: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = item.get(key) or {}
    if not isinstance(value, dict):
        raise ConfigError(f"{where}.{key}", "expected a map")
    return {str(k): v for k, v in value.items()}


def _pod(item: Any, where: str) -> Pod:
    """A pod as the API gives it: `gpus` is a shorthand for resources[nvidia.com/gpu]."""
    if not isinstance(item, dict):
        raise ConfigError(where, "expected a map")
    for key in ("namespace", "name", "node"):
        if not isinstance(item.get(key), str) or not item[key]:
            raise ConfigError(f"{where}.{key}", "required")
    resources = _string_map(item, "resources", where)
    gpus = item.get("gpus", resources.pop(GPU_RESOURCE, 0))
    labels = {k: str(v) for k, v in _string_map(item, "labels", where).items()}
    return Pod(item["namespace"], item["name"], item["node"], gpus, resources, labels)


def _namespace(item: Any, where: str) -> tuple[str, dict[str, str]]:
    if not isinstance(item, dict) or not isinstance(item.get("name"), str) or not item["name"]:
        raise ConfigError(f"{where}.name", "required")
    return item["name"], {k: str(v) for k, v in _string_map(item, "labels", where).items()}


def parse_inventory(raw: Any) -> Inventory:
    """Nodes and pods from a decoded inventory document: a malformed document is a
    ConfigError; an entry that cannot be priced or written is skipped."""
    if not isinstance(raw, dict) or set(raw) - {"nodes", "pods", "namespaces"}:
        raise ConfigError("", "expected a map with nodes, pods and namespaces")
    inventory = Inventory()
    for index, item in enumerate(raw.get("nodes") or []):
        try:
            inventory.nodes.append(check_node(_node(item, f"nodes[{index}]")))
        except ObjectSkippedError as skipped:
            inventory.skipped.append(skipped)
    for index, item in enumerate(raw.get("pods") or []):
        try:
            inventory.pods.append(check_pod(_pod(item, f"pods[{index}]")))
        except ObjectSkippedError as skipped:
            inventory.skipped.append(skipped)
    for index, item in enumerate(raw.get("namespaces") or []):
        inventory.namespaces.append(_namespace(item, f"namespaces[{index}]"))
    return inventory


def load_inventory(path: Path) -> Inventory:
    """Read and validate an inventory file; ConfigError names the file and the entry."""
    try:
        with path.open("rb") as handle:
            raw = yaml.load(handle, Loader=SAFE_LOADER)
    except OSError as error:
        raise ConfigError(str(path), f"cannot read: {error.strerror}") from None
    except yaml.YAMLError as error:  # also bytes that are not UTF-8 (yaml's reader error)
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
        inventory = load_inventory(self._path)
        for skipped in inventory.skipped:
            self._fleet.record_skipped(SOURCE, skipped.reason)
        if inventory.skipped:  # one line per read, however many entries
            log(
                "warning",
                "inventory entries skipped",
                source=SOURCE,
                count=len(inventory.skipped),
                first=str(inventory.skipped[0]),
                reason=inventory.skipped[0].reason,
            )
        self._fleet.replace_nodes(inventory.nodes)
        self._fleet.replace_pods(inventory.pods)
        self._fleet.replace_namespaces(inventory.namespaces)
        self._fleet.mark_success(SOURCE)

    def start(self) -> None:
        """Start re-reading in the background."""
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._refresh):
            try:
                self.load()
            except ConfigError as error:
                self._fleet.record_error(SOURCE)
                log(
                    "error",
                    "inventory file unreadable; keeping the last good one",
                    source=SOURCE,
                    error=str(error),
                )

    def stop(self) -> None:
        """Stop re-reading."""
        self._stop.set()
