"""Wiring only: check the config, build each concern in order, export.

One stack per environment. Each concern's component gets its slice of the config and the
namespaces (and other Outputs) it needs; the fragments one concern adds to another (Helm
values, NetworkPolicies) are handed on here. Ordering across components: a component that
creates custom resources waits for the release that installs their CRDs; everything inside
waits for what it references.
"""

import pulumi

from components.autoscaling.component import Autoscaling, AutoscalingArgs
from components.autoscaling.manifests import prometheus_api_url
from components.autoscaling.network import keda_policies, query_clients
from components.config.loader import load_stack_config
from components.config.stack import GlobalStackConfig, StackConfig
from components.content.dashboards import DashboardsArgs, GrafanaDashboards
from components.content.rules import PrometheusRules, PrometheusRulesArgs, stack_facts
from components.core.namespaces import Namespaces, NamespacesArgs
from components.core.network import NetworkPolicies, NetworkPoliciesArgs
from components.core.provider import cluster_provider
from components.cost_exporter.component import CostExporter, CostExporterArgs
from components.global_view.program import deploy_global_view
from components.gpu.component import GpuTelemetry, GpuTelemetryArgs
from components.gpu.network import gpu_operator_policies
from components.inference.component import Inference, InferenceArgs
from components.inference.manifests import Serving
from components.inference.network import inference_policies
from components.inference.values import kube_state_metrics_values
from components.monitoring.component import MonitoringCore, MonitoringCoreArgs
from components.monitoring.network import monitoring_policies
from components.thanos import network as thanos_network
from components.thanos.component import Thanos, ThanosArgs, ThanosObjectStorage, ThanosStorageArgs
from components.thanos.values import sidecar_values
from components.tracing.component import Tracing, TracingArgs
from components.tracing.manifests import collector_grpc_endpoint
from components.tracing.network import tracing_policies
from components.tracing.values import grafana_tracing_values
from rules.buckets import bucket_relabelings


def deploy_cluster(config: StackConfig) -> None:
    """A cluster's stack: everything the project deploys around its models."""
    ns = config.namespaces

    provider = cluster_provider(config.kube_context)
    on_cluster = pulumi.ResourceOptions(provider=provider)

    def after(*resources: pulumi.Resource) -> pulumi.ResourceOptions:
        """On the stack's cluster, once these resources exist (the CRDs they install)."""
        return pulumi.ResourceOptions(provider=provider, depends_on=list(resources))

    namespaces = Namespaces(
        "namespaces",
        NamespacesArgs(
            {"monitoring": ns.monitoring, "inference": ns.inference},
            config.environment,
            # node-exporter needs the host's network, PID namespace and filesystem.
            pod_security={
                "monitoring": "privileged" if config.prometheus.node_exporter else "baseline",
                "inference": config.hardening.inference_pod_security,
            },
        ),
        opts=on_cluster,
    )
    monitoring_ns, inference_ns = (
        namespaces.namespace("monitoring"),
        namespaces.namespace("inference"),
    )
    thanos_storage = ThanosObjectStorage(
        "thanos-storage",
        ThanosStorageArgs(
            config.thanos, config.thanos_object_storage_credentials.as_keys(), monitoring_ns
        ),
        opts=on_cluster,
    )
    fragments = [sidecar_values(config.thanos, ns.monitoring), kube_state_metrics_values()]
    if config.tracing.enabled:
        fragments.append(grafana_tracing_values(ns.tracing))
    mounted = [thanos_storage.secret] if thanos_storage.secret else []
    monitoring = MonitoringCore(
        "monitoring",
        MonitoringCoreArgs.of_stack(config, monitoring_ns, fragments, mounted),
        opts=on_cluster,
    )
    PrometheusRules(
        "rules",
        PrometheusRulesArgs(
            config.rules,
            stack_facts(config.gpu, config.inference, config.prometheus, config.exporter),
            monitoring_ns,
        ),
        opts=after(monitoring.release),
    )
    GrafanaDashboards("dashboards", DashboardsArgs(config.rules, monitoring_ns), opts=on_cluster)
    if config.thanos.enabled:
        # After the release: the ServiceMonitor CRD and the sidecars' discovery Service exist.
        thanos = Thanos(
            "thanos",
            ThanosArgs(config.thanos, monitoring_ns, config.cluster),
            opts=after(monitoring.release),
        )
        pulumi.export("thanosQueryUrl", thanos.query_url)
        exposed = config.thanos.query.expose_store_api
        if exposed.enabled:
            # What a global view reads of this cluster (its `{name, stack}` entry).
            pulumi.export("storeApiAddress", exposed.address)
            pulumi.export("storeApiServerCa", thanos.store_api_ca)
    if config.gpu.enabled:
        # After the release: the ServiceMonitor CRD must exist when the operator reconciles, or it
        # skips the DCGM exporter's ServiceMonitor until something else triggers a reconcile.
        gpu = GpuTelemetry(
            "gpu",
            GpuTelemetryArgs(config.gpu, ns.gpu_operator, config.environment),
            opts=after(monitoring.release),
        )
        pulumi.export("gpuOperatorNamespace", gpu.namespace.output)
    if config.tracing.enabled:
        tracing = Tracing(
            "tracing",
            TracingArgs(config.tracing, ns.tracing, config.environment, inference_ns),
            opts=after(monitoring.release),
        )
        pulumi.export("collectorOtlpHttp", tracing.collector_otlp_http)
    if config.inference.models:
        serving = Serving(
            namespace=ns.inference,
            scrape_interval=config.inference.scrape_interval,
            traces_endpoint=collector_grpc_endpoint(ns.tracing) if config.tracing.enabled else None,
            hugging_face_token=config.hugging_face_token is not None,
            tolerations=[t.to_k8s() for t in config.gpu.tolerations],
            metric_relabelings=bucket_relabelings(config.rules),
        )
        inference = Inference(
            "inference",
            InferenceArgs(config.inference, serving, inference_ns, config.hugging_face_token),
            opts=after(monitoring.release),
        )
        pulumi.export("models", inference.models)
    autoscaled = any(m.autoscaling.enabled for m in config.inference.models)
    if autoscaled:
        # After the release: the chart's ServiceMonitors need the CRD, and KEDA's first queries
        # need Prometheus.
        autoscaling = Autoscaling(
            "autoscaling",
            AutoscalingArgs(
                config.inference,
                ns.autoscaling,
                config.environment,
                inference_ns,
                prometheus_api_url(config.thanos.enabled, ns.monitoring),
            ),
            opts=after(monitoring.release),
        )
        pulumi.export("autoscaledModels", autoscaling.scaled_models)
    if config.exporter.enabled:
        cost_exporter = CostExporter(
            "cost-exporter",
            CostExporterArgs(
                config.exporter,
                [m.name for m in config.inference.models],
                monitoring_ns,
                [ns.monitoring, *config.exporter.evaluation_client_namespaces],
            ),
            opts=after(monitoring.release),
        )
        pulumi.export("exporterIngestToken", cost_exporter.ingest_token)
    # Every namespace the stack creates: default-deny ingress, then each concern's allowances.
    thanos_clients = thanos_network.prometheus_clients(config.thanos)
    # KEDA's operator queries Thanos Query when Thanos runs, else Prometheus.
    keda_clients = query_clients(ns.autoscaling) if autoscaled else []
    prometheus_clients = thanos_clients + ([] if config.thanos.enabled else keda_clients)
    policies = [
        *monitoring_policies(ns.monitoring, prometheus_clients, thanos_network.SIDECAR_PORTS),
        *thanos_network.thanos_policies(config.thanos, ns.monitoring, keda_clients),
        *inference_policies(
            ns.inference,
            ns.monitoring,
            config.hardening.inference_client_namespaces,
            config.inference.load_generator.enabled,
        ),
    ]
    placed = [monitoring_ns, inference_ns]
    if config.gpu.enabled:
        policies += gpu_operator_policies(ns.gpu_operator, ns.monitoring)
        placed.append(gpu.namespace)
    if config.tracing.enabled:
        policies += tracing_policies(ns.tracing, ns.monitoring, [ns.inference])
        placed.append(tracing.namespace)
    if autoscaled:
        policies += keda_policies(ns.autoscaling, ns.monitoring)
        placed.append(autoscaling.namespace)
    NetworkPolicies(
        "network-policies",
        NetworkPoliciesArgs(policies if config.hardening.network_policies else [], placed),
        opts=on_cluster,
    )

    pulumi.export("environment", config.environment)
    pulumi.export("monitoringNamespace", monitoring.namespace)
    pulumi.export("inferenceNamespace", inference_ns.output)
    pulumi.export("grafanaService", monitoring.grafana_service)
    pulumi.export("prometheusService", monitoring.prometheus_service)
    pulumi.export("alertmanagerService", monitoring.alertmanager_service)
    pulumi.export("grafanaAdminUser", config.grafana.admin_user)
    pulumi.export("grafanaAdminPassword", monitoring.grafana_admin_password)
    pulumi.export("grafanaPortForward", monitoring.grafana_port_forward)


# Validation happens first: a config mistake stops the program before any resource exists.
stack_config = load_stack_config()
if isinstance(stack_config, GlobalStackConfig):
    deploy_global_view(stack_config)
else:
    deploy_cluster(stack_config)
