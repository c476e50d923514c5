"""The monitoring core: kube-prometheus-stack (Prometheus, Alertmanager, Grafana) via Helm."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components import versions
from components.config.stack import MonitoredCluster
from components.kube.registration import Namespace, child_name
from components.kube.resources import pinned_release, secret
from components.kube.selection import RELEASE_NAME
from components.monitoring.alertmanager import render_alertmanager_config
from components.monitoring.config import AlertmanagerConfig, GrafanaConfig, PrometheusConfig
from components.monitoring.values import (
    ALERTMANAGER_CONFIG_KEY,
    ALERTMANAGER_CONFIG_SECRET,
    GRAFANA_ADMIN_PASSWORD_KEY,
    GRAFANA_ADMIN_SECRET,
    GRAFANA_ADMIN_USER_KEY,
    SERVICES,
    kube_prometheus_stack_values,
)

GRAFANA_SERVICE_PORT = 80


@dataclass(frozen=True)
class MonitoringCoreArgs:
    """The monitoring config, where it goes, and what other concerns add to the chart."""

    prometheus: PrometheusConfig
    alertmanager: AlertmanagerConfig
    grafana: GrafanaConfig
    receiver_endpoints: Mapping[str, str] = field(repr=False)
    external_labels: Mapping[str, str]
    kube_context: str
    namespace: Namespace
    # Values fragments of other concerns (the Thanos sidecar, Grafana's Tempo datasource).
    values_fragments: Sequence[Mapping[str, Any]] = ()
    # Secrets the chart's pods mount (the Thanos objstore Secret): created before the release.
    mounted_secrets: Sequence[pulumi.Resource] = ()

    @classmethod
    def of_stack(
        cls,
        config: MonitoredCluster,
        namespace: Namespace,
        fragments: Sequence[Mapping[str, Any]],
        mounted_secrets: Sequence[pulumi.Resource] = (),
    ) -> MonitoringCoreArgs:
        """The monitoring sections of a stack (a cluster's or a global view's), labelled with
        its cluster and environment."""
        return cls(
            prometheus=config.prometheus,
            alertmanager=config.alertmanager,
            grafana=config.grafana,
            receiver_endpoints=config.alertmanager_secrets.endpoints(),
            external_labels={"cluster": config.cluster, "environment": config.environment},
            kube_context=config.kube_context,
            namespace=namespace,
            values_fragments=fragments,
            mounted_secrets=mounted_secrets,
        )


class MonitoringCore(pulumi.ComponentResource):
    """kube-prometheus-stack with a generated Grafana password and a secret Alertmanager config."""

    grafana_admin_password: pulumi.Output[str]
    namespace: pulumi.Output[str]
    release: k8s.helm.v3.Release

    def __init__(
        self, name: str, args: MonitoringCoreArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:monitoring:MonitoringCore", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.namespace = pulumi.Output.from_input(args.namespace.output)

        password = random.RandomPassword(
            child_name(name, "grafana-admin-password"), length=32, special=False, opts=child
        )
        self.grafana_admin_password = pulumi.Output.secret(password.result)
        grafana_secret = secret(
            child_name(name, "grafana-admin"),
            GRAFANA_ADMIN_SECRET,
            args.namespace,
            {
                GRAFANA_ADMIN_USER_KEY: args.grafana.admin_user,
                GRAFANA_ADMIN_PASSWORD_KEY: self.grafana_admin_password,
            },
            child,
        )
        alertmanager_secret = secret(
            child_name(name, "alertmanager-config"),
            ALERTMANAGER_CONFIG_SECRET,
            args.namespace,
            {
                ALERTMANAGER_CONFIG_KEY: render_alertmanager_config(
                    args.alertmanager, args.receiver_endpoints
                )
            },
            child,
        )
        values = kube_prometheus_stack_values(
            args.prometheus,
            args.alertmanager,
            args.grafana,
            args.external_labels,
            args.values_fragments,
        )
        self.release = pinned_release(
            child_name(name, "kube-prometheus-stack"),
            RELEASE_NAME,
            versions.KUBE_PROMETHEUS_STACK,
            args.namespace,
            values,
            pulumi.ResourceOptions(
                parent=self,
                depends_on=[grafana_secret, alertmanager_secret, *args.mounted_secrets],
            ),
        )
        self.grafana_service = pulumi.Output.from_input(SERVICES["grafana"])
        self.prometheus_service = pulumi.Output.from_input(SERVICES["prometheus"])
        self.alertmanager_service = pulumi.Output.from_input(SERVICES["alertmanager"])
        self.grafana_port_forward = pulumi.Output.concat(
            f"kubectl --context {args.kube_context} -n ",
            self.namespace,
            f" port-forward svc/{SERVICES['grafana']} 3000:{GRAFANA_SERVICE_PORT}",
        )
        self.register_outputs(
            {
                "grafanaAdminPassword": self.grafana_admin_password,
                "namespace": self.namespace,
                "grafanaService": self.grafana_service,
                "prometheusService": self.prometheus_service,
                "alertmanagerService": self.alertmanager_service,
                "grafanaPortForward": self.grafana_port_forward,
                "releaseStatus": self.release.status,
            }
        )
