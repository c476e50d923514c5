"""The stack's namespaces and hardening defaults (ai-observability:namespaces, :hardening)."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from components.config.schema import Items, Section, fail
from components.config.units import DnsLabel

PodSecurityLevel = Literal["restricted", "baseline", "privileged"]


class NamespacesConfig(Section):
    """One namespace per concern."""

    monitoring: DnsLabel = "monitoring"
    """Namespace of Prometheus, Alertmanager, Grafana, Thanos and the cost exporter."""
    inference: DnsLabel = "inference"
    """Namespace of the model servers."""
    gpu_operator: DnsLabel = "gpu-operator"
    """Namespace of the GPU Operator (created by its component)."""
    tracing: DnsLabel = "tracing"
    """Namespace of the collector and Tempo (created by its component)."""

    @model_validator(mode="after")
    def _one_namespace_per_concern(self) -> NamespacesConfig:
        seen: dict[str, str] = {}
        for name, info in type(self).model_fields.items():
            key, namespace = info.alias or name, getattr(self, name)
            if namespace in seen:
                raise fail(
                    f'"{namespace}" is already used by namespaces.{seen[namespace]}; '
                    "each concern needs its own namespace",
                    key,
                )
            seen[namespace] = key
        return self


class HardeningConfig(Section):
    """NetworkPolicies and Pod Security admission levels."""

    network_policies: bool = True
    """Default-deny ingress NetworkPolicies with exact allowances in every namespace."""
    inference_client_namespaces: Items[DnsLabel] = ()
    """Namespaces whose pods may call the models (port 8000)."""
    inference_pod_security: PodSecurityLevel = "restricted"
    """Pod Security level enforced in the inference namespace."""
