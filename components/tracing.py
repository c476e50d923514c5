"""Tracing: OpenTelemetry Operator, the Collector, Python auto-instrumentation, and Tempo."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components import versions
from components.config import StackConfig
from components.helm_release import pinned_release
from components.k8s_objects import register_manifest, resource_name
from components.namespaces import pod_security_labels, project_namespace
from components.tracing_values import (
    OPERATOR_RELEASE,
    TEMPO_RELEASE,
    collector_endpoint_http,
    collector_manifest,
    collector_rbac,
    instrumentation_manifest,
    operator_values,
    span_metrics_monitor,
    tempo_values,
)


@dataclass(frozen=True)
class TracingArgs:
    """The validated stack config, and the inference namespace (for the Instrumentation)."""

    config: StackConfig
    inference_namespace: pulumi.Input[str]


class Tracing(pulumi.ComponentResource):
    """The tracing namespace, the operator and Tempo releases, and the tracing objects."""

    collector_otlp_http: pulumi.Output[str]

    def __init__(
        self, name: str, args: TracingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:tracing:Tracing", name, None, opts)
        cfg = args.config
        child = pulumi.ResourceOptions(parent=self)
        namespace = project_namespace(
            f"{name}-namespace",
            cfg.namespaces.tracing,
            "tracing",
            cfg.environment,
            # Tempo's and the operator's charts do not meet restricted everywhere.
            pod_security_labels("baseline"),
            child,
        )
        ns = namespace.metadata.apply(lambda m: m.name)
        operator = pinned_release(
            f"{name}-operator",
            OPERATOR_RELEASE,
            versions.OTEL_OPERATOR,
            ns,
            operator_values(cfg),
            child,
        )
        pinned_release(f"{name}-tempo", TEMPO_RELEASE, versions.TEMPO, ns, tempo_values(cfg), child)
        rbac = [
            register_manifest(
                resource_name(name, m),
                m,
                pulumi.ResourceOptions(parent=self, depends_on=[namespace]),
            )
            for m in collector_rbac(cfg)
        ]
        # The operator's webhooks validate the CRs: they must be up first (failurePolicy Fail).
        after_operator = pulumi.ResourceOptions(parent=self, depends_on=[operator, *rbac])
        for manifest in (collector_manifest(cfg), span_metrics_monitor(cfg)):
            register_manifest(resource_name(name, manifest), manifest, after_operator)
        instrumentation = instrumentation_manifest(cfg)
        instrumentation["metadata"]["namespace"] = args.inference_namespace
        register_manifest(
            resource_name(name, {**instrumentation, "metadata": {"name": "python"}}),
            instrumentation,
            after_operator,
        )
        self.collector_otlp_http = pulumi.Output.from_input(collector_endpoint_http(cfg))
        self.register_outputs({"collectorOtlpHttp": self.collector_otlp_http})
