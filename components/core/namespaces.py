"""The namespaces the foundation creates (monitoring, inference)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.kube.registration import Namespace, child_name
from components.kube.resources import project_namespace
from components.kube.security import pod_security_labels


@dataclass(frozen=True)
class NamespacesArgs:
    """Concern -> namespace name, the environment label, and Pod Security levels."""

    names: Mapping[str, str]
    environment: str
    # Concern -> Pod Security admission level enforced (audit and warn are always restricted).
    pod_security: Mapping[str, str] = field(default_factory=dict)


class Namespaces(pulumi.ComponentResource):
    """Creates the namespaces; `namespace(concern)` is where that concern's objects go."""

    def __init__(
        self, name: str, args: NamespacesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:core:Namespaces", name, None, opts)
        self._namespaces = {
            concern: project_namespace(
                child_name(name, concern),
                namespace_name,
                concern,
                args.environment,
                pod_security_labels(args.pod_security.get(concern, "restricted")),
                pulumi.ResourceOptions(parent=self),
            )
            for concern, namespace_name in args.names.items()
        }
        self.register_outputs({c: n.output for c, n in self._namespaces.items()})

    def namespace(self, concern: str) -> Namespace:
        """The namespace of one concern (its objects wait for it)."""
        return self._namespaces[concern]
