"""The bundled cost & quality exporter: RBAC, config, ingest token, Deployment, monitoring."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_random as random

from components.cost_exporter.config import CostExporterConfig
from components.cost_exporter.manifests import TOKEN_KEY, TOKEN_SECRET, cost_exporter_manifests
from components.kube.registration import Namespace, child_name, manifest_name, register
from components.kube.resources import secret


@dataclass(frozen=True)
class CostExporterArgs:
    """The exporter config, the stack's model names, where it runs and who may reach it."""

    config: CostExporterConfig
    models: Sequence[str]
    namespace: Namespace
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
        data = {TOKEN_KEY: self.ingest_token}
        token_secret = secret(
            child_name(name, "ingest-token"), TOKEN_SECRET, args.namespace, data, child
        )
        manifests = cost_exporter_manifests(
            args.config, args.models, args.namespace.name, args.client_namespaces
        )
        known = {("Secret", TOKEN_SECRET): token_secret}
        register(self, manifests, lambda m: manifest_name(name, m), [args.namespace], known)
        self.register_outputs({"ingestToken": self.ingest_token})
