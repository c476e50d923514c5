"""Config pieces every workload shares: container resources and volumes. Pure."""

from __future__ import annotations

from typing import Any

from pydantic import model_validator

from components.config.schema import Section, doc, fail
from components.config.units import Cpu, ObjectName, Quantity, parse_cpu, parse_quantity


class Requests(Section):
    """What the scheduler reserves for the container."""

    cpu: Cpu = doc(text="CPU request")
    memory: Quantity = doc(text="memory request")


class Limits(Section):
    """A memory limit always; a CPU limit only when asked for (it throttles)."""

    memory: Quantity = doc(text="memory limit")
    cpu: Cpu | None = doc(None, "CPU limit (none by default)")


class Resources(Section):
    """`{requests: {cpu, memory}, limits: {memory, cpu?}}` of one container."""

    requests: Requests = doc(text="requests")
    limits: Limits = doc(text="limits")

    @model_validator(mode="after")
    def _limits_cover_requests(self) -> Resources:
        for kind, parse in (("memory", parse_quantity), ("cpu", parse_cpu)):
            limit, request = getattr(self.limits, kind), getattr(self.requests, kind)
            if limit is not None and parse(limit) < parse(request):
                message = f"limit {limit} is below the request {request} (requests.{kind})"
                raise fail(message, f"limits.{kind}")
        return self

    def to_k8s(self) -> dict[str, dict[str, str]]:
        """The Kubernetes `resources` block."""
        return self.model_dump(exclude_none=True)


def resources(cpu: str, memory: str, memory_limit: str) -> Resources:
    """A Resources default: requests cpu and memory, a memory limit."""
    return Resources(requests=Requests(cpu=cpu, memory=memory), limits=Limits(memory=memory_limit))


class Volume(Section):
    """A ReadWriteOnce PersistentVolumeClaim of a size and class."""

    size: Quantity = doc(text="size of the volume")
    storage_class: ObjectName | None = doc(None, "StorageClass (the cluster's default when unset)")

    def claim_spec(self) -> dict[str, Any]:
        """The spec of the PersistentVolumeClaim."""
        spec = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": self.size}}}
        return {**spec, "storageClassName": self.storage_class} if self.storage_class else spec


class Storage(Volume):
    """A volume that can be turned off (emptyDir then)."""

    enabled: bool = doc(text="a volume (emptyDir when false)")
