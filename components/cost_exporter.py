"""The bundled cost & quality exporter: RBAC, config, ingest token, Deployment, monitoring."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components.config import StackConfig
from components.cost_exporter_manifests import (
    TOKEN_KEY,
    TOKEN_SECRET,
    cost_exporter_manifests,
)
from components.k8s_objects import register_manifest, resource_name

FIRST_KINDS = ("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap")


@dataclass(frozen=True)
class CostExporterArgs:
    """The validated stack config and the monitoring namespace."""

    config: StackConfig
    namespace: pulumi.Input[str]


class CostExporter(pulumi.ComponentResource):
    """The exporter and everything it needs; `ingest_token` is a secret output."""

    ingest_token: pulumi.Output[str]

    def __init__(
        self, name: str, args: CostExporterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:cost:CostExporter", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        token = random.RandomPassword(f"{name}-ingest-token", length=40, special=False, opts=child)
        self.ingest_token = pulumi.Output.secret(token.result)
        secret = k8s.core.v1.Secret(
            f"{name}-ingest-token",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=TOKEN_SECRET, namespace=args.namespace),
            type="Opaque",
            string_data={TOKEN_KEY: self.ingest_token},
            opts=child,
        )
        manifests = cost_exporter_manifests(args.config)
        first = [
            register_manifest(resource_name(name, m), m, child)
            for m in manifests
            if m["kind"] in FIRST_KINDS
        ]
        for manifest in (m for m in manifests if m["kind"] not in FIRST_KINDS):
            register_manifest(
                resource_name(name, manifest),
                manifest,
                pulumi.ResourceOptions(parent=self, depends_on=[secret, *first]),
            )
        self.register_outputs({"ingestToken": self.ingest_token})
