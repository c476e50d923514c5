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

from components.kube.registration import Namespace, child_name, manifest_name, register
from components.kube.resources import secret
from components.thanos.config import ThanosConfig
from components.thanos.exposure import CLIENT_CA_SECRET, SERVER_TLS_SECRET
from components.thanos.manifests import OBJSTORE_KEY, OBJSTORE_SECRET, thanos_manifests
from components.thanos.objstore import render_objstore
from components.thanos.values import query_url


@dataclass(frozen=True)
class ThanosStorageArgs:
    """The Thanos config, the bucket's credentials and the monitoring namespace."""

    config: ThanosConfig
    credentials: Mapping[str, str] = field(repr=False)
    namespace: Namespace


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
    """The Thanos config, the monitoring namespace, and the cluster's name (its certificate in
    the global view's stack, when the StoreAPI is exposed)."""

    config: ThanosConfig
    namespace: Namespace
    cluster: str = ""


class Thanos(pulumi.ComponentResource):
    """Thanos Query (always) and, with a bucket, Store Gateway and Compactor."""

    query_url: pulumi.Output[str]
    store_api_ca: pulumi.Output[str] | None = None

    def __init__(
        self, name: str, args: ThanosArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:thanos:Thanos", name, None, opts)
        protect = args.config.protect_volumes
        exposed = args.config.query.expose_store_api
        known = self._server_tls(name, args) if exposed.enabled else {}
        register(
            self,
            thanos_manifests(args.config, args.namespace.name),
            lambda m: manifest_name(name, m),
            [args.namespace],
            known,
            protect=lambda m: protect and m["kind"] == "StatefulSet",
        )
        self.query_url = pulumi.Output.from_input(query_url(args.namespace.name))
        self.register_outputs({"queryUrl": self.query_url})

    def _server_tls(self, name: str, args: ThanosArgs) -> dict[tuple[str, str], pulumi.Resource]:
        """The Secrets of the exposed StoreAPI: this cluster's server certificate and key, and
        the view's CA (which verifies the clients), read from the global view's stack."""
        view = pulumi.StackReference(
            child_name(name, "global-view"),
            stack_name=args.config.query.expose_store_api.global_stack,
            opts=pulumi.ResourceOptions(parent=self),
        )
        pair = view.require_output("storeApiServerTls").apply(lambda tls: tls[args.cluster])
        self.store_api_ca = view.require_output("storeApiCa")
        child = pulumi.ResourceOptions(parent=self)
        server = secret(
            child_name(name, "server-tls"),
            SERVER_TLS_SECRET,
            args.namespace,
            {"tls.crt": pair["cert"], "tls.key": pair["key"]},
            child,
        )
        clients = secret(
            child_name(name, "client-ca"),
            CLIENT_CA_SECRET,
            args.namespace,
            {"ca.crt": self.store_api_ca},
            child,
        )
        return {("Secret", SERVER_TLS_SECRET): server, ("Secret", CLIENT_CA_SECRET): clients}
