"""The NetworkPolicies every concern declares, registered together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from components.kube.registration import Namespace, child_name, register


@dataclass(frozen=True)
class NetworkPoliciesArgs:
    """The policies of every concern (pure manifests) and the namespaces they go in."""

    policies: Sequence[dict[str, Any]]
    namespaces: Sequence[Namespace]


class NetworkPolicies(pulumi.ComponentResource):
    """Default-deny ingress in each namespace, then exactly the traffic the stack needs."""

    def __init__(
        self, name: str, args: NetworkPoliciesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:hardening:NetworkPolicies", name, None, opts)
        register(
            self,
            args.policies,
            lambda m: child_name(name, m["metadata"]["namespace"], m["metadata"]["name"]),
            args.namespaces,
        )
        self.register_outputs({})
