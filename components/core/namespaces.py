"""The namespaces the foundation creates (monitoring, inference)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi

from components.kube.registration import child_name, name_of, namespace
from components.kube.security import pod_security_labels


@dataclass(frozen=True)
class NamespacesArgs:
    """Concern -> namespace name, the environment label, and Pod Security levels."""

    names: Mapping[str, str]
    environment: str
    # Concern -> Pod Security admission level enforced (audit and warn are always restricted).
    pod_security: Mapping[str, str] = field(default_factory=dict)


class Namespaces(pulumi.ComponentResource):
    """Creates the namespaces; `namespace(concern)` gives a name as an Output."""

    def __init__(
        self, name: str, args: NamespacesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:core:Namespaces", name, None, opts)
        self._names: dict[str, pulumi.Output[str]] = {}
        for concern, namespace_name in args.names.items():
            created = namespace(
                child_name(name, concern),
                namespace_name,
                concern,
                args.environment,
                pod_security_labels(args.pod_security.get(concern, "restricted")),
                pulumi.ResourceOptions(parent=self),
            )
            self._names[concern] = name_of(created)
        self.register_outputs(dict(self._names))

    def namespace(self, concern: str) -> pulumi.Output[str]:
        """The name of the namespace of one concern, available once it exists."""
        return self._names[concern]
