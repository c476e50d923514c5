"""The NetworkPolicies every concern declares, registered together."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi

from components.kube.registration import child_name, register_manifest


@dataclass(frozen=True)
class NetworkPoliciesArgs:
    """The policies of every concern (pure manifests)."""

    policies: Sequence[dict[str, Any]]


class NetworkPolicies(pulumi.ComponentResource):
    """Default-deny ingress in each namespace, then exactly the traffic the stack needs."""

    def __init__(
        self, name: str, args: NetworkPoliciesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:hardening:NetworkPolicies", name, None, opts)
        for manifest in args.policies:
            meta = manifest["metadata"]
            register_manifest(
                child_name(name, meta["namespace"], meta["name"]),
                manifest,
                pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({})
