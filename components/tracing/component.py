"""Tracing: OpenTelemetry Operator, the Collector, Python auto-instrumentation, and Tempo."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components import versions
from components.kube.registration import (
    child_name,
    manifest_name,
    name_of,
    namespace,
    pinned_release,
    register_manifest,
)
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
    inference_namespace: pulumi.Input[str]


class Tracing(pulumi.ComponentResource):
    """The tracing namespace, the operator and Tempo releases, and the tracing objects."""

    collector_otlp_http: pulumi.Output[str]

    def __init__(
        self, name: str, args: TracingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:tracing:Tracing", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        created = namespace(
            child_name(name, "namespace"),
            args.namespace,
            "tracing",
            args.environment,
            # Tempo's and the operator's charts do not meet restricted everywhere.
            pod_security_labels("baseline"),
            child,
        )
        ns = name_of(created)
        operator = pinned_release(
            child_name(name, "operator"),
            OPERATOR_RELEASE,
            versions.OTEL_OPERATOR,
            ns,
            operator_values(),
            child,
        )
        pinned_release(
            child_name(name, "tempo"),
            TEMPO_RELEASE,
            versions.TEMPO,
            ns,
            tempo_values(args.config),
            child,
        )
        rbac = [
            register_manifest(
                manifest_name(name, m), m, pulumi.ResourceOptions(parent=self, depends_on=[created])
            )
            for m in collector_rbac(args.namespace)
        ]
        # The operator's webhooks validate the CRs: they must be up first (failurePolicy Fail).
        after_operator = pulumi.ResourceOptions(parent=self, depends_on=[operator, *rbac])
        for manifest in (
            collector_manifest(args.config, args.namespace),
            span_metrics_monitor(args.namespace),
        ):
            register_manifest(manifest_name(name, manifest), manifest, after_operator)
        instrumentation = instrumentation_manifest(args.config, args.namespace)
        register_manifest(
            manifest_name(name, instrumentation),
            {
                **instrumentation,
                "metadata": {**instrumentation["metadata"], "namespace": args.inference_namespace},
            },
            after_operator,
        )
        self.collector_otlp_http = pulumi.Output.from_input(collector_http_endpoint(args.namespace))
        self.register_outputs({"collectorOtlpHttp": self.collector_otlp_http})
