"""Thanos: the object-storage Secret, and Query, Store Gateway and Compactor workloads.

The sidecar itself runs inside the Prometheus pods (components.thanos.values). Two components
because the order is Secret -> kube-prometheus-stack (mounts it, installs the ServiceMonitor
CRD) -> workloads.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.kube.registration import child_name, manifest_name, register_manifest, secret
from components.kube.urls import service_url
from components.thanos.config import ThanosConfig
from components.thanos.manifests import (
    OBJSTORE_KEY,
    OBJSTORE_SECRET,
    QUERY,
    QUERY_HTTP_PORT,
    thanos_manifests,
)
from components.thanos.objstore import render_objstore


@dataclass(frozen=True)
class ThanosStorageArgs:
    """The Thanos config, the bucket's credentials and the monitoring namespace."""

    config: ThanosConfig
    credentials: Mapping[str, str] = field(repr=False)
    namespace: pulumi.Input[str]


class ThanosObjectStorage(pulumi.ComponentResource):
    """The Secret holding objstore.yml (bucket and credentials), when the stack has a bucket."""

    secret: k8s.core.v1.Secret | None

    def __init__(
        self, name: str, args: ThanosStorageArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:thanos:ThanosObjectStorage", name, None, opts)
        bucket = args.config.object_storage
        self.secret = None
        if args.config.has_bucket and bucket is not None:
            self.secret = secret(
                child_name(name, "objstore"),
                OBJSTORE_SECRET,
                args.namespace,
                {OBJSTORE_KEY: render_objstore(bucket, args.credentials)},
                pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"secretName": OBJSTORE_SECRET if self.secret else None})


@dataclass(frozen=True)
class ThanosArgs:
    """The Thanos config and the monitoring namespace."""

    config: ThanosConfig
    namespace: str


class Thanos(pulumi.ComponentResource):
    """Thanos Query (always) and, with a bucket, Store Gateway and Compactor."""

    query_url: pulumi.Output[str]

    def __init__(
        self, name: str, args: ThanosArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:thanos:Thanos", name, None, opts)
        protect = args.config.protect_volumes
        for manifest in thanos_manifests(args.config, args.namespace):
            stateful = manifest["kind"] == "StatefulSet" and protect
            register_manifest(
                manifest_name(name, manifest),
                manifest,
                pulumi.ResourceOptions(parent=self, protect=stateful, retain_on_delete=stateful),
            )
        self.query_url = pulumi.Output.from_input(
            service_url(QUERY, args.namespace, QUERY_HTTP_PORT, fqdn=False)
        )
        self.register_outputs({"queryUrl": self.query_url})
