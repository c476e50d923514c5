"""Thanos: the object-storage Secret, and Query, Store Gateway and Compactor workloads.

The sidecar itself runs inside the Prometheus pods (kube-prometheus-stack values, see
components.thanos_manifests.sidecar_values). Two components because the order is
Secret -> kube-prometheus-stack (mounts it, installs the ServiceMonitor CRD) -> workloads.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.config import StackConfig
from components.thanos_manifests import (
    OBJSTORE_KEY,
    OBJSTORE_SECRET,
    QUERY,
    QUERY_HTTP_PORT,
    thanos_manifests,
)
from components.thanos_objstore import render_objstore


@dataclass(frozen=True)
class ThanosArgs:
    """The validated stack config and the monitoring namespace."""

    config: StackConfig
    namespace: pulumi.Input[str]


class ThanosObjectStorage(pulumi.ComponentResource):
    """The Secret holding objstore.yml (bucket and credentials), when the stack has a bucket."""

    secret: k8s.core.v1.Secret | None

    def __init__(
        self, name: str, args: ThanosArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:thanos:ThanosObjectStorage", name, None, opts)
        thanos = args.config.thanos
        self.secret = None
        if thanos.has_bucket:
            assert thanos.object_storage is not None
            content = pulumi.Output.secret(
                render_objstore(thanos.object_storage, args.config.object_storage_credentials)
            )
            self.secret = k8s.core.v1.Secret(
                f"{name}-objstore",
                metadata=k8s.meta.v1.ObjectMetaArgs(name=OBJSTORE_SECRET, namespace=args.namespace),
                type="Opaque",
                string_data={OBJSTORE_KEY: content},
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"secretName": OBJSTORE_SECRET if self.secret else None})


def _register(name: str, manifest: dict[str, Any], opts: pulumi.ResourceOptions) -> pulumi.Resource:
    """Register one manifest as the typed Kubernetes resource of its kind."""
    metadata, kind = manifest["metadata"], manifest["kind"]
    builders: dict[str, Callable[[], pulumi.Resource]] = {
        "ServiceAccount": lambda: k8s.core.v1.ServiceAccount(
            name,
            metadata=metadata,
            automount_service_account_token=manifest["automountServiceAccountToken"],
            opts=opts,
        ),
        "Service": lambda: k8s.core.v1.Service(
            name, metadata=metadata, spec=manifest["spec"], opts=opts
        ),
        "Deployment": lambda: k8s.apps.v1.Deployment(
            name, metadata=metadata, spec=manifest["spec"], opts=opts
        ),
        "StatefulSet": lambda: k8s.apps.v1.StatefulSet(
            name, metadata=metadata, spec=manifest["spec"], opts=opts
        ),
        "PodDisruptionBudget": lambda: k8s.policy.v1.PodDisruptionBudget(
            name, metadata=metadata, spec=manifest["spec"], opts=opts
        ),
    }
    if kind in builders:
        return builders[kind]()
    return k8s.apiextensions.CustomResource(
        name,
        api_version=manifest["apiVersion"],
        kind=kind,
        metadata=metadata,
        spec=manifest["spec"],
        opts=opts,
    )


class Thanos(pulumi.ComponentResource):
    """Thanos Query (always) and, with a bucket, Store Gateway and Compactor."""

    query_url: pulumi.Output[str]

    def __init__(
        self, name: str, args: ThanosArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:thanos:Thanos", name, None, opts)
        thanos = args.config.thanos
        namespace = args.config.namespaces.monitoring
        self.resources: list[pulumi.Resource] = []
        for manifest in thanos_manifests(thanos, namespace):
            kind = manifest["kind"]
            stateful = kind == "StatefulSet" and thanos.protect_volumes
            opts_for = pulumi.ResourceOptions(
                parent=self,
                protect=stateful,
                retain_on_delete=stateful,
            )
            resource_name = f"{name}-{manifest['metadata']['name']}-{kind.lower()}"
            self.resources.append(_register(resource_name, manifest, opts_for))
        self.query_url = pulumi.Output.concat(
            "http://", QUERY, ".", args.namespace, f".svc:{QUERY_HTTP_PORT}"
        )
        self.register_outputs({"queryUrl": self.query_url})
