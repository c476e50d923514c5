"""Turning the pure builders' dicts into Pulumi resources: one naming scheme, one way to
register a manifest, a Secret, a namespace and a pinned Helm release."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.kube.meta import PART_OF
from components.versions import ChartPin


def child_name(parent: str, *parts: str) -> str:
    """A child resource's name: its component's name, then what it is."""
    return "-".join((parent, *parts))


def manifest_name(parent: str, manifest: Mapping[str, Any]) -> str:
    """The name of a manifest's resource: <component>-<object name>-<kind>."""
    return child_name(parent, manifest["metadata"]["name"], manifest["kind"].lower())


def register_manifest(
    name: str, manifest: Mapping[str, Any], opts: pulumi.ResourceOptions
) -> pulumi.Resource:
    """A manifest from a pure builder as the typed resource of its kind (CustomResource for
    CRDs)."""
    metadata, kind, spec = manifest["metadata"], manifest["kind"], manifest.get("spec")
    typed: dict[str, Callable[[], pulumi.Resource]] = {
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
    if kind in typed:
        return typed[kind]()
    return k8s.apiextensions.CustomResource(
        name, api_version=manifest["apiVersion"], kind=kind, metadata=metadata, spec=spec, opts=opts
    )


def secret(
    name: str,
    secret_name: str,
    namespace: pulumi.Input[str],
    data: Mapping[str, pulumi.Input[str]],
    opts: pulumi.ResourceOptions,
) -> k8s.core.v1.Secret:
    """An Opaque Secret whose values are Pulumi secrets (never plain in state or previews)."""
    return k8s.core.v1.Secret(
        name,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=secret_name, namespace=namespace),
        type="Opaque",
        string_data={key: pulumi.Output.secret(value) for key, value in data.items()},
        opts=opts,
    )


def namespace(
    name: str,
    namespace_name: str,
    concern: str,
    environment: str,
    labels: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> k8s.core.v1.Namespace:
    """A namespace with the project's labels: part-of, concern, environment, and `labels` (Pod
    Security)."""
    return k8s.core.v1.Namespace(
        name,
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=namespace_name,
            labels={
                **PART_OF,
                "ai-observability/concern": concern,
                "ai-observability/environment": environment,
                **labels,
            },
        ),
        opts=opts,
    )


def name_of(namespace_resource: k8s.core.v1.Namespace) -> pulumi.Output[str]:
    """A namespace's name as an Output: whoever uses it waits for the namespace."""
    return namespace_resource.metadata.apply(lambda m: m.name)


def pinned_release(
    name: str,
    release_name: str,
    chart: ChartPin,
    namespace: pulumi.Input[str],
    values: Mapping[str, Any],
    opts: pulumi.ResourceOptions,
    **extra: Any,
) -> k8s.helm.v3.Release:
    """helm.v3.Release (Helm hooks run, unlike helm.v4.Chart) of a pinned chart with an
    explicit release name."""
    return k8s.helm.v3.Release(
        name,
        k8s.helm.v3.ReleaseArgs(
            name=release_name,
            chart=chart.name,
            version=chart.version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=chart.repository),
            namespace=namespace,
            values=dict(values),
            # CRDs and first image pulls take a while on a fresh cluster.
            timeout=900,
            max_history=10,
            cleanup_on_fail=True,
            **extra,
        ),
        opts=opts,
    )
