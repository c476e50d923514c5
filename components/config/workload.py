"""Config pieces every workload shares: container resources and volumes. Pure."""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from components.config.schema import Section, fail
from components.config.units import Cpu, ObjectName, Quantity, parse_cpu, parse_quantity


class Requests(Section):
    """What the scheduler reserves for the container."""

    cpu: Cpu
    memory: Quantity


class Limits(Section):
    """A memory limit always; a CPU limit only when asked for (it throttles)."""

    memory: Quantity
    cpu: Cpu | None = None


class Resources(Section):
    """`{requests: {cpu, memory}, limits: {memory, cpu?}}` of one container."""

    requests: Requests
    limits: Limits

    @model_validator(mode="after")
    def _limits_cover_requests(self) -> Resources:
        for kind, parse in (("memory", parse_quantity), ("cpu", parse_cpu)):
            limit, request = getattr(self.limits, kind), getattr(self.requests, kind)
            if limit is not None and parse(limit) < parse(request):
                raise fail(
                    f"limit {limit} is below the request {request} (requests.{kind})",
                    f"limits.{kind}",
                )
        return self

    def to_k8s(self) -> dict[str, dict[str, str]]:
        """The Kubernetes `resources` block."""
        return self.model_dump(exclude_none=True)


def resources(cpu: str, memory: str, memory_limit: str) -> Resources:
    """A Resources default: requests cpu and memory, a memory limit."""
    return Resources(requests=Requests(cpu=cpu, memory=memory), limits=Limits(memory=memory_limit))


class Volume(Section):
    """A ReadWriteOnce PersistentVolumeClaim of a size and class."""

    size: Quantity
    storage_class: ObjectName | None = None
    """StorageClass name (the cluster's default when unset)."""

    def claim_spec(self) -> dict[str, Any]:
        """The spec of the PersistentVolumeClaim."""
        spec: dict[str, Any] = {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": self.size}},
        }
        if self.storage_class:
            spec["storageClassName"] = self.storage_class
        return spec


class Storage(Volume):
    """A volume that can be turned off (emptyDir then)."""

    enabled: bool
