"""One namespace per concern (monitoring, inference, ...)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s


@dataclass(frozen=True)
class NamespacesArgs:
    """Concern -> namespace name, and the environment label they carry."""

    names: Mapping[str, str]
    environment: str
    # Concern -> Pod Security admission level enforced (audit and warn are always restricted).
    pod_security: Mapping[str, str] = field(default_factory=dict)


def pod_security_labels(enforce: str) -> dict[str, str]:
    """Pod Security admission labels: enforce a level, audit and warn against restricted."""
    return {
        "pod-security.kubernetes.io/enforce": enforce,
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    }


def project_namespace(
    resource_name: str,
    namespace: str,
    concern: str,
    environment: str,
    pod_security: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> k8s.core.v1.Namespace:
    """A namespace with the project's labels: part-of, concern, environment, Pod Security."""
    return k8s.core.v1.Namespace(
        resource_name,
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=namespace,
            labels={
                "app.kubernetes.io/part-of": "ai-observability",
                "ai-observability/concern": concern,
                "ai-observability/environment": environment,
                **pod_security,
            },
        ),
        opts=opts,
    )


class Namespaces(pulumi.ComponentResource):
    """Creates the namespaces of the stack; `namespace(concern)` gives a name as an Output."""

    def __init__(
        self, name: str, args: NamespacesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:core:Namespaces", name, None, opts)
        self._names: dict[str, pulumi.Output[str]] = {}
        for concern, ns_name in args.names.items():
            namespace = project_namespace(
                f"{name}-{concern}",
                ns_name,
                concern,
                args.environment,
                pod_security_labels(args.pod_security.get(concern, "restricted")),
                pulumi.ResourceOptions(parent=self),
            )
            # Reading the name from the resource makes dependents wait for the namespace.
            self._names[concern] = namespace.metadata.apply(lambda m: m.name)
        self.register_outputs(dict(self._names))

    def namespace(self, concern: str) -> pulumi.Output[str]:
        """The name of the namespace of one concern, available once it exists."""
        return self._names[concern]
