"""Wiring of a global view's stack (a stack with `global`): its own monitoring core (Grafana
with the global Query as default datasource, a small Prometheus and Alertmanager for the view's
one alert), the view's certificates, the global Query and the dashboards. Nothing of a cluster
runs here: no GPU Operator, models, exporter, tracing or AI rules."""

from __future__ import annotations

import pulumi

from components.config.stack import GlobalStackConfig
from components.content.dashboards import DashboardsArgs, GrafanaDashboards
from components.core.namespaces import Namespaces, NamespacesArgs
from components.core.network import NetworkPolicies, NetworkPoliciesArgs
from components.core.provider import cluster_provider
from components.global_view.certificates import ViewCertificates, ViewCertificatesArgs
from components.global_view.component import GlobalView, GlobalViewArgs
from components.global_view.config import GlobalViewConfig
from components.monitoring.component import MonitoringCore, MonitoringCoreArgs
from components.monitoring.network import monitoring_policies
from components.thanos import network as thanos_network
from components.thanos.config import ThanosConfig
from components.thanos.values import query_datasource_values, query_url

# The view's Query is Thanos Query like a cluster's: the same policies admit Grafana to it.
QUERY_ONLY = ThanosConfig.model_validate({"longTermStorage": False})


def cluster_addresses(view: GlobalViewConfig) -> dict[str, pulumi.Input[str]]:
    """Each cluster's StoreAPI address: as configured, or its stack's storeApiAddress output."""
    addresses: dict[str, pulumi.Input[str]] = {}
    for cluster in view.clusters:
        if cluster.address is not None:
            addresses[cluster.name] = cluster.address
            continue
        reference = pulumi.StackReference(f"cluster-{cluster.name}", stack_name=cluster.stack)
        addresses[cluster.name] = reference.require_output("storeApiAddress")
    return addresses


def deploy_global_view(config: GlobalStackConfig) -> None:
    """Register the global view's resources and export what the cluster stacks need."""
    ns = config.namespaces
    provider = cluster_provider(config.kube_context)
    on_cluster = pulumi.ResourceOptions(provider=provider)
    namespaces = Namespaces(
        "namespaces",
        NamespacesArgs(
            {"monitoring": ns.monitoring},
            config.environment,
            pod_security={
                "monitoring": "privileged" if config.prometheus.node_exporter else "baseline"
            },
        ),
        opts=on_cluster,
    )
    monitoring_ns = namespaces.namespace("monitoring")
    monitoring = MonitoringCore(
        "monitoring",
        MonitoringCoreArgs.of_stack(
            config, monitoring_ns, [query_datasource_values(ns.monitoring)]
        ),
        opts=on_cluster,
    )
    view = config.global_view
    certificates = ViewCertificates(
        "certificates",
        ViewCertificatesArgs(config.environment, view.clusters, view.certificate_days),
    )
    GlobalView(
        "global-view",
        GlobalViewArgs(
            view,
            monitoring_ns,
            cluster_addresses(view),
            certificates.client,
            certificates.ca_cert_pem,
            config.rules.runbook_base_url,
        ),
        # After the release: the ServiceMonitor and PrometheusRule CRDs.
        opts=pulumi.ResourceOptions(provider=provider, depends_on=[monitoring.release]),
    )
    GrafanaDashboards("dashboards", DashboardsArgs(config.rules, monitoring_ns), opts=on_cluster)
    policies = [
        *monitoring_policies(ns.monitoring),
        *thanos_network.thanos_policies(QUERY_ONLY, ns.monitoring),
    ]
    NetworkPolicies(
        "network-policies",
        NetworkPoliciesArgs(policies if config.hardening.network_policies else [], [monitoring_ns]),
        opts=on_cluster,
    )
    pulumi.export("environment", config.environment)
    pulumi.export("monitoringNamespace", monitoring.namespace)
    pulumi.export("grafanaService", monitoring.grafana_service)
    pulumi.export("grafanaAdminUser", config.grafana.admin_user)
    pulumi.export("grafanaAdminPassword", monitoring.grafana_admin_password)
    pulumi.export("grafanaPortForward", monitoring.grafana_port_forward)
    pulumi.export("globalQueryUrl", query_url(ns.monitoring))
    pulumi.export("clusters", [c.name for c in view.clusters])
    # What each cluster stack needs to expose its StoreAPI to this view (keys stay secret).
    pulumi.export("storeApiCa", certificates.ca_cert_pem)
    pulumi.export(
        "storeApiServerTls",
        pulumi.Output.secret(
            {
                name: {"cert": pair.cert_pem, "key": pair.key_pem}
                for name, pair in certificates.servers.items()
            }
        ),
    )
