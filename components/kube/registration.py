"""Turning the pure builders' dicts into Pulumi resources, named and ordered one way.

Naming: a child is named after its component, then what it is (`child_name`); a manifest's
`<object name>-<kind>` (`manifest_name`) unless the component's objects are all of one kind.
Ordering: `register` makes each object wait for what it references (components.kube.references)
and puts it in its namespace through the namespace's Output, so it also waits for the namespace.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.kube.references import Ref, prerequisites, ref


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


@dataclass(frozen=True)
class Namespace:
    """A namespace objects are placed in: its name for the pure builders, and its Output for
    the resources (which makes them wait for the namespace)."""

    name: str
    output: pulumi.Input[str]


def register(
    parent: pulumi.Resource,
    manifests: Sequence[Mapping[str, Any]],
    name: Callable[[Mapping[str, Any]], str],
    namespaces: Sequence[Namespace] = (),
    known: Mapping[Ref, pulumi.Resource] | None = None,
    crds: Mapping[str, pulumi.Resource] | None = None,
    protect: Callable[[Mapping[str, Any]], bool] = lambda manifest: False,
) -> dict[Ref, pulumi.Resource]:
    """Register manifests as children of parent, in their namespaces (by name), each after what
    it references (among them and `known`, e.g. Secrets created apart), and custom resources
    after the release that installs their CRD (`crds`: kind -> release)."""
    registered, crds = dict(known or {}), crds or {}
    placed = {namespace.name: namespace.output for namespace in namespaces}
    # What nothing references first, so that workloads find their prerequisites registered.
    for manifest in sorted(manifests, key=lambda m: bool(prerequisites(m, manifests))):
        needs = [registered[r] for r in prerequisites(manifest, manifests) if r in registered]
        if manifest["kind"] in crds:
            needs.append(crds[manifest["kind"]])
        metadata = dict(manifest["metadata"])
        if "namespace" in metadata:
            metadata["namespace"] = placed[metadata["namespace"]]
        keep = protect(manifest)
        opts = pulumi.ResourceOptions(
            parent=parent, depends_on=needs, protect=keep, retain_on_delete=keep
        )
        registered[ref(manifest)] = register_manifest(
            name(manifest), {**manifest, "metadata": metadata}, opts
        )
    return registered
