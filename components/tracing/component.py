"""Tracing: OpenTelemetry Operator, the Collector, Python auto-instrumentation, and Tempo."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components import versions
from components.kube.registration import Namespace, child_name, manifest_name, register
from components.kube.resources import pinned_release, project_namespace
from components.kube.security import pod_security_labels
from components.tracing.config import TracingConfig
from components.tracing.manifests import (
    collector_http_endpoint,
    collector_manifest,
    collector_rbac,
    instrumentation_manifest,
    span_metrics_monitor,
)
from components.tracing.values import OPERATOR_RELEASE, TEMPO_RELEASE, operator_values, tempo_values


@dataclass(frozen=True)
class TracingArgs:
    """The tracing config, its namespace (created here), and where the Instrumentation goes."""

    config: TracingConfig
    namespace: str
    environment: str
    inference_namespace: Namespace


class Tracing(pulumi.ComponentResource):
    """The tracing namespace, the operator and Tempo releases, and the tracing objects."""

    namespace: Namespace
    collector_otlp_http: pulumi.Output[str]

    def __init__(
        self, name: str, args: TracingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:tracing:Tracing", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Tempo's and the operator's charts do not meet restricted everywhere.
        labels = pod_security_labels("baseline")
        ns = project_namespace(
            child_name(name, "namespace"),
            args.namespace,
            "tracing",
            args.environment,
            labels,
            child,
        )
        self.namespace = ns
        operator_chart = versions.OTEL_OPERATOR
        operator = pinned_release(
            child_name(name, "operator"),
            OPERATOR_RELEASE,
            operator_chart,
            ns,
            operator_values(),
            child,
        )
        tempo = tempo_values(args.config)
        pinned_release(child_name(name, "tempo"), TEMPO_RELEASE, versions.TEMPO, ns, tempo, child)

        instrumentation = instrumentation_manifest(args.config, args.namespace)
        instrumentation["metadata"]["namespace"] = args.inference_namespace.name
        manifests = [
            *collector_rbac(args.namespace),
            collector_manifest(args.config, args.namespace),
            span_metrics_monitor(args.namespace),
            instrumentation,
        ]
        # The operator installs the CRDs and validates the CRs with its webhooks (failurePolicy
        # Fail), so they wait for its release.
        register(
            self,
            manifests,
            lambda m: manifest_name(name, m),
            [ns, args.inference_namespace],
            crds=dict.fromkeys(("OpenTelemetryCollector", "Instrumentation"), operator),
        )
        self.collector_otlp_http = pulumi.Output.from_input(collector_http_endpoint(args.namespace))
        self.register_outputs({"collectorOtlpHttp": self.collector_otlp_http})
