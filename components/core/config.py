"""The stack's namespaces and hardening defaults (ai-observability:namespaces, :hardening)."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from components.config.schema import Items, Section, doc, fail
from components.config.units import DnsLabel


class NamespacesConfig(Section):
    """One namespace per concern."""

    monitoring: DnsLabel = doc("monitoring", "Prometheus, Alertmanager, Grafana, Thanos, exporter")
    inference: DnsLabel = doc("inference", "the model servers")
    gpu_operator: DnsLabel = doc("gpu-operator", "the GPU Operator (created by its component)")
    tracing: DnsLabel = doc("tracing", "the collector and Tempo (created by their component)")
    autoscaling: DnsLabel = doc("keda", "KEDA, when a model autoscales (created by its component)")

    @model_validator(mode="after")
    def _one_namespace_per_concern(self) -> NamespacesConfig:
        seen: dict[str, str] = {}
        for key, namespace in self.model_dump(by_alias=True).items():
            if (first := seen.setdefault(namespace, key)) != key:
                message = f'"{namespace}" is already used by namespaces.{first}'
                raise fail(f"{message}; each concern needs its own namespace", key)
        return self


class HardeningConfig(Section):
    """NetworkPolicies and Pod Security admission levels."""

    network_policies: bool = doc(True, "default-deny ingress with exact allowances, everywhere")
    inference_client_namespaces: Items[DnsLabel] = doc((), "namespaces that may call the models")
    inference_pod_security: Literal["restricted", "baseline", "privileged"] = doc(
        "restricted", "Pod Security level enforced in the inference namespace"
    )
