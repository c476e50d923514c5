"""Register a plain-dict Kubernetes manifest as the typed Pulumi resource of its kind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_kubernetes as k8s


def register_manifest(
    name: str, manifest: dict[str, Any], opts: pulumi.ResourceOptions
) -> pulumi.Resource:
    """One manifest built by a pure module -> a Pulumi resource (CustomResource for CRDs)."""
    metadata, kind = manifest["metadata"], manifest["kind"]
    spec = manifest.get("spec")
    builders: dict[str, Callable[[], pulumi.Resource]] = {
        "ServiceAccount": lambda: k8s.core.v1.ServiceAccount(
            name,
            metadata=metadata,
            automount_service_account_token=manifest["automountServiceAccountToken"],
            opts=opts,
        ),
        "ConfigMap": lambda: k8s.core.v1.ConfigMap(
            name, metadata=metadata, data=manifest["data"], opts=opts
        ),
        "PersistentVolumeClaim": lambda: k8s.core.v1.PersistentVolumeClaim(
            name, metadata=metadata, spec=spec, opts=opts
        ),
        "Service": lambda: k8s.core.v1.Service(name, metadata=metadata, spec=spec, opts=opts),
        "Deployment": lambda: k8s.apps.v1.Deployment(name, metadata=metadata, spec=spec, opts=opts),
        "StatefulSet": lambda: k8s.apps.v1.StatefulSet(
            name, metadata=metadata, spec=spec, opts=opts
        ),
        "PodDisruptionBudget": lambda: k8s.policy.v1.PodDisruptionBudget(
            name, metadata=metadata, spec=spec, opts=opts
        ),
        "NetworkPolicy": lambda: k8s.networking.v1.NetworkPolicy(
            name, metadata=metadata, spec=spec, opts=opts
        ),
        "ClusterRole": lambda: k8s.rbac.v1.ClusterRole(
            name, metadata=metadata, rules=manifest["rules"], opts=opts
        ),
        "ClusterRoleBinding": lambda: k8s.rbac.v1.ClusterRoleBinding(
            name,
            metadata=metadata,
            role_ref=manifest["roleRef"],
            subjects=manifest["subjects"],
            opts=opts,
        ),
    }
    if kind in builders:
        return builders[kind]()
    return k8s.apiextensions.CustomResource(
        name,
        api_version=manifest["apiVersion"],
        kind=kind,
        metadata=metadata,
        spec=spec,
        opts=opts,
    )


def resource_name(prefix: str, manifest: dict[str, Any]) -> str:
    """A stable, unique Pulumi name for a manifest: <prefix>-<object name>-<kind>."""
    return f"{prefix}-{manifest['metadata']['name']}-{manifest['kind'].lower()}"
