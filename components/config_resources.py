"""Config pieces shared by several components: container resources and volumes.

Pure: no pulumi import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from components.config_fields import (
    ConfigError,
    describe,
    key_path,
    parse_cpu,
    parse_quantity,
    read_bool,
    read_cpu,
    read_object,
    read_quantity,
)


@dataclass(frozen=True)
class Resources:
    """CPU/memory requests and limits of one container (a memory limit is always set)."""

    cpu_request: str
    memory_request: str
    memory_limit: str
    cpu_limit: str | None = None

    def to_k8s(self) -> dict[str, dict[str, str]]:
        """The Kubernetes `resources` block."""
        limits = {"memory": self.memory_limit}
        if self.cpu_limit:
            limits["cpu"] = self.cpu_limit
        return {
            "requests": {"cpu": self.cpu_request, "memory": self.memory_request},
            "limits": limits,
        }


@dataclass(frozen=True)
class Storage:
    """A persistent volume claim, or none (emptyDir) when disabled."""

    enabled: bool
    size: str
    storage_class: str | None = None

    def claim_spec(self) -> dict[str, Any]:
        """The spec of a ReadWriteOnce PersistentVolumeClaim of this size and class."""
        spec: dict[str, Any] = {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": self.size}},
        }
        if self.storage_class:
            spec["storageClassName"] = self.storage_class
        return spec


def parse_resources(raw: Any, path: str, default: Resources) -> Resources:
    """`{requests: {cpu, memory}, limits: {cpu?, memory}}` merged over default."""
    obj = read_object(raw, path, ["requests", "limits"])
    req_path, lim_path = key_path(path, "requests"), key_path(path, "limits")
    requests = read_object(obj.get("requests"), req_path, ["cpu", "memory"])
    limits = read_object(obj.get("limits"), lim_path, ["cpu", "memory"])
    cpu_request = read_cpu(requests, "cpu", req_path, default.cpu_request)
    memory_request = read_quantity(requests, "memory", req_path, default.memory_request)
    memory_limit = read_quantity(limits, "memory", lim_path, default.memory_limit)
    cpu_limit = default.cpu_limit
    if "cpu" in limits:
        cpu_limit = read_cpu(limits, "cpu", lim_path, "1")
    if parse_quantity(memory_limit) < parse_quantity(memory_request):
        raise ConfigError(
            key_path(lim_path, "memory"),
            f"limit {memory_limit} is below the request {memory_request} "
            f"({key_path(req_path, 'memory')})",
        )
    if cpu_limit and parse_cpu(cpu_limit) < parse_cpu(cpu_request):
        raise ConfigError(
            key_path(lim_path, "cpu"),
            f"limit {cpu_limit} is below the request {cpu_request} ({key_path(req_path, 'cpu')})",
        )
    return Resources(cpu_request, memory_request, memory_limit, cpu_limit)


def parse_storage(raw: Any, path: str, default: Storage) -> Storage:
    """`{enabled, size, storageClass}` merged over default."""
    obj = read_object(raw, path, ["enabled", "size", "storageClass"])
    storage_class = default.storage_class
    if "storageClass" in obj:
        storage_class = check_dns_label_or_subdomain(
            obj["storageClass"], key_path(path, "storageClass")
        )
    return Storage(
        enabled=read_bool(obj, "enabled", path, default.enabled),
        size=read_quantity(obj, "size", path, default.size),
        storage_class=storage_class,
    )


_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def check_dns_label_or_subdomain(value: Any, path: str) -> str:
    """A Kubernetes name that may contain dots (StorageClass names)."""
    if not isinstance(value, str) or len(value) > 253 or not _DNS_SUBDOMAIN.match(value):
        raise ConfigError(path, f"expected a Kubernetes object name, got {describe(value)}")
    return value
