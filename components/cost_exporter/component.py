"""The bundled cost & quality exporter: RBAC, config, ingest token, Deployment, monitoring."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_random as random

from components.cost_exporter.config import CostExporterConfig
from components.cost_exporter.manifests import TOKEN_KEY, TOKEN_SECRET, cost_exporter_manifests
from components.kube.registration import child_name, manifest_name, register_manifest, secret

FIRST_KINDS = ("ServiceAccount", "ClusterRole", "ClusterRoleBinding", "ConfigMap")


@dataclass(frozen=True)
class CostExporterArgs:
    """The exporter config, the stack's model names, where it runs and who may reach it."""

    config: CostExporterConfig
    models: Sequence[str]
    namespace: str
    namespace_output: pulumi.Input[str]
    client_namespaces: Sequence[str]


class CostExporter(pulumi.ComponentResource):
    """The exporter and everything it needs; `ingest_token` is a secret output."""

    ingest_token: pulumi.Output[str]

    def __init__(
        self, name: str, args: CostExporterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:cost:CostExporter", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        token = random.RandomPassword(
            child_name(name, "ingest-token"), length=40, special=False, opts=child
        )
        self.ingest_token = pulumi.Output.secret(token.result)
        token_secret = secret(
            child_name(name, "ingest-token"),
            TOKEN_SECRET,
            args.namespace_output,
            {TOKEN_KEY: self.ingest_token},
            child,
        )
        manifests = cost_exporter_manifests(
            args.config, args.models, args.namespace, args.client_namespaces
        )
        first = [
            register_manifest(manifest_name(name, m), m, child)
            for m in manifests
            if m["kind"] in FIRST_KINDS
        ]
        for manifest in (m for m in manifests if m["kind"] not in FIRST_KINDS):
            register_manifest(
                manifest_name(name, manifest),
                manifest,
                pulumi.ResourceOptions(parent=self, depends_on=[token_secret, *first]),
            )
        self.register_outputs({"ingestToken": self.ingest_token})
