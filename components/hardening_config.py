"""Typed configuration of the hardening defaults (ai-observability:hardening). Pure."""

from __future__ import annotations

from dataclasses import dataclass

from components.config_fields import (
    read_bool,
    read_choice,
    read_object,
    read_str_list,
    top_key,
)

POD_SECURITY_LEVELS = ("restricted", "baseline", "privileged")


@dataclass(frozen=True)
class HardeningConfig:
    """NetworkPolicies and Pod Security admission levels."""

    network_policies: bool = True
    inference_client_namespaces: tuple[str, ...] = ()
    inference_pod_security: str = "restricted"


def parse_hardening(raw: object) -> HardeningConfig:
    """ai-observability:hardening."""
    path = top_key("hardening")
    obj = read_object(
        raw, path, ["networkPolicies", "inferenceClientNamespaces", "inferencePodSecurity"]
    )
    d = HardeningConfig()
    return HardeningConfig(
        network_policies=read_bool(obj, "networkPolicies", path, d.network_policies),
        inference_client_namespaces=read_str_list(
            obj, "inferenceClientNamespaces", path, d.inference_client_namespaces
        ),
        inference_pod_security=read_choice(
            obj, "inferencePodSecurity", path, d.inference_pod_security, POD_SECURITY_LEVELS
        ),
    )
