"""Thanos: the object-storage Secret, and Query, Store Gateway and Compactor workloads.

The sidecar itself runs inside the Prometheus pods (kube-prometheus-stack values, see
components.thanos_manifests.sidecar_values). Two components because the order is
Secret -> kube-prometheus-stack (mounts it, installs the ServiceMonitor CRD) -> workloads.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.config import StackConfig
from components.k8s_objects import register_manifest, resource_name
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
            self.resources.append(
                register_manifest(resource_name(name, manifest), manifest, opts_for)
            )
        self.query_url = pulumi.Output.concat(
            "http://", QUERY, ".", args.namespace, f".svc:{QUERY_HTTP_PORT}"
        )
        self.register_outputs({"queryUrl": self.query_url})
