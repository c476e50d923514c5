"""NetworkPolicies of the monitoring and inference namespaces."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.config import StackConfig
from components.k8s_objects import register_manifest
from components.network_policies import network_policies


@dataclass(frozen=True)
class NetworkPoliciesArgs:
    """The validated stack config."""

    config: StackConfig


class NetworkPolicies(pulumi.ComponentResource):
    """Default-deny ingress, then exactly the traffic the stack needs."""

    def __init__(
        self, name: str, args: NetworkPoliciesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:hardening:NetworkPolicies", name, None, opts)
        for manifest in network_policies(args.config):
            meta = manifest["metadata"]
            register_manifest(
                f"{name}-{meta['namespace']}-{meta['name']}",
                manifest,
                pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({})
