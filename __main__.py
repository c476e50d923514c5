"""ai-observability: one stack per environment. Validate config, then build in dependency order."""

import pulumi

from components.config_loader import load_stack_config
from components.cost_exporter import CostExporter, CostExporterArgs
from components.dashboards import DashboardsArgs, GrafanaDashboards
from components.gpu import GpuTelemetry, GpuTelemetryArgs
from components.hardening import NetworkPolicies, NetworkPoliciesArgs
from components.inference import Inference, InferenceArgs
from components.kube_provider import cluster_provider
from components.monitoring import MonitoringCore, MonitoringCoreArgs
from components.namespaces import Namespaces, NamespacesArgs
from components.prometheus_rules import PrometheusRules, PrometheusRulesArgs
from components.thanos import Thanos, ThanosArgs, ThanosObjectStorage
from components.tracing import Tracing, TracingArgs

# Validation happens first: a config mistake stops the program before any resource exists.
config = load_stack_config()

provider = cluster_provider(config)
on_cluster = pulumi.ResourceOptions(provider=provider)

namespaces = Namespaces(
    "namespaces",
    NamespacesArgs(
        config.namespaces.created_by_foundation(),
        config.environment,
        # node-exporter needs the host's network, PID namespace and filesystem.
        pod_security={
            "monitoring": "privileged"
            if config.monitoring.prometheus.node_exporter
            else "baseline",
            "inference": config.hardening.inference_pod_security,
        },
    ),
    opts=on_cluster,
)
NetworkPolicies(
    "network-policies",
    NetworkPoliciesArgs(config),
    opts=pulumi.ResourceOptions(provider=provider, depends_on=[namespaces]),
)
monitoring_namespace = namespaces.namespace("monitoring")
thanos_storage = ThanosObjectStorage(
    "thanos-storage", ThanosArgs(config, monitoring_namespace), opts=on_cluster
)
monitoring = MonitoringCore(
    "monitoring",
    MonitoringCoreArgs(
        config,
        namespace=monitoring_namespace,
        mounted_secrets=[thanos_storage.secret] if thanos_storage.secret else [],
    ),
    opts=on_cluster,
)
# After the release: the PrometheusRule CRD must exist.
PrometheusRules(
    "rules",
    PrometheusRulesArgs(config),
    opts=pulumi.ResourceOptions(provider=provider, depends_on=[monitoring.release]),
)
GrafanaDashboards(
    "dashboards",
    DashboardsArgs(config),
    opts=pulumi.ResourceOptions(provider=provider, depends_on=[namespaces]),
)
if config.thanos.enabled:
    # After the release: the ServiceMonitor CRD and the sidecars' discovery Service exist.
    thanos = Thanos(
        "thanos",
        ThanosArgs(config, monitoring_namespace),
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[monitoring.release]),
    )
    pulumi.export("thanosQueryUrl", thanos.query_url)
if config.gpu.enabled:
    # After the release: the ServiceMonitor CRD must exist when the operator reconciles, or it
    # skips the DCGM exporter's ServiceMonitor until something else triggers a reconcile.
    gpu = GpuTelemetry(
        "gpu",
        GpuTelemetryArgs(config),
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[monitoring.release]),
    )
    pulumi.export("gpuOperatorNamespace", gpu.namespace)
tracing_dependencies: list[pulumi.Resource] = []
if config.tracing.enabled:
    tracing = Tracing(
        "tracing",
        TracingArgs(config, namespaces.namespace("inference")),
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[monitoring.release]),
    )
    tracing_dependencies.append(tracing)
    pulumi.export("collectorOtlpHttp", tracing.collector_otlp_http)
if config.inference.models:
    # After the release (ServiceMonitor CRD) and the inference namespace.
    inference = Inference(
        "inference",
        InferenceArgs(config, namespaces.namespace("inference")),
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[monitoring.release, namespaces]),
    )
    pulumi.export("models", inference.models)
if config.exporter.enabled:
    cost_exporter = CostExporter(
        "cost-exporter",
        CostExporterArgs(config, monitoring_namespace),
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[monitoring.release]),
    )
    pulumi.export("exporterIngestToken", cost_exporter.ingest_token)

pulumi.export("environment", config.environment)
pulumi.export("monitoringNamespace", monitoring.namespace)
pulumi.export("inferenceNamespace", namespaces.namespace("inference"))
pulumi.export("grafanaService", monitoring.grafana_service)
pulumi.export("prometheusService", monitoring.prometheus_service)
pulumi.export("alertmanagerService", monitoring.alertmanager_service)
pulumi.export("grafanaAdminUser", config.monitoring.grafana.admin_user)
pulumi.export("grafanaAdminPassword", monitoring.grafana_admin_password)
pulumi.export("grafanaPortForward", monitoring.grafana_port_forward)
