"""The monitoring core: kube-prometheus-stack (Prometheus, Alertmanager, Grafana) via Helm."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s
import pulumi_random as random

from components import versions
from components.alertmanager_config import render_alertmanager_config
from components.config import StackConfig
from components.helm_release import pinned_release
from components.monitoring_values import (
    ALERTMANAGER_CONFIG_KEY,
    ALERTMANAGER_CONFIG_SECRET,
    GRAFANA_ADMIN_PASSWORD_KEY,
    GRAFANA_ADMIN_SECRET,
    GRAFANA_ADMIN_USER_KEY,
    kube_prometheus_stack_values,
    service_names,
)
from components.selection import RELEASE_NAME

GRAFANA_SERVICE_PORT = 80


@dataclass(frozen=True)
class MonitoringCoreArgs:
    """The validated stack config and the namespace to install into."""

    config: StackConfig
    namespace: pulumi.Input[str]
    # Secrets the chart's pods mount (the Thanos objstore Secret): created before the release.
    mounted_secrets: Sequence[pulumi.Resource] = field(default_factory=tuple)


class MonitoringCore(pulumi.ComponentResource):
    """kube-prometheus-stack with a generated Grafana password and a secret Alertmanager config."""

    grafana_admin_password: pulumi.Output[str]
    namespace: pulumi.Output[str]
    release: k8s.helm.v3.Release

    def __init__(
        self, name: str, args: MonitoringCoreArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:monitoring:MonitoringCore", name, None, opts)
        cfg = args.config
        child = pulumi.ResourceOptions(parent=self)
        self.namespace = pulumi.Output.from_input(args.namespace)

        password = random.RandomPassword(
            f"{name}-grafana-admin-password", length=32, special=False, opts=child
        )
        self.grafana_admin_password = pulumi.Output.secret(password.result)
        grafana_secret = k8s.core.v1.Secret(
            f"{name}-grafana-admin",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=GRAFANA_ADMIN_SECRET, namespace=self.namespace
            ),
            type="Opaque",
            string_data={
                GRAFANA_ADMIN_USER_KEY: cfg.monitoring.grafana.admin_user,
                GRAFANA_ADMIN_PASSWORD_KEY: self.grafana_admin_password,
            },
            opts=child,
        )

        alertmanager_yaml = pulumi.Output.secret(
            render_alertmanager_config(cfg.monitoring.alertmanager, cfg.receiver_secrets)
        )
        alertmanager_secret = k8s.core.v1.Secret(
            f"{name}-alertmanager-config",
            metadata=k8s.meta.v1.ObjectMetaArgs(
                name=ALERTMANAGER_CONFIG_SECRET, namespace=self.namespace
            ),
            type="Opaque",
            string_data={ALERTMANAGER_CONFIG_KEY: alertmanager_yaml},
            opts=child,
        )

        self.release = pinned_release(
            f"{name}-kube-prometheus-stack",
            RELEASE_NAME,
            versions.KUBE_PROMETHEUS_STACK,
            self.namespace,
            kube_prometheus_stack_values(cfg),
            pulumi.ResourceOptions(
                parent=self,
                depends_on=[grafana_secret, alertmanager_secret, *args.mounted_secrets],
            ),
        )

        names = service_names()
        self.grafana_service = pulumi.Output.from_input(names["grafana"])
        self.prometheus_service = pulumi.Output.from_input(names["prometheus"])
        self.alertmanager_service = pulumi.Output.from_input(names["alertmanager"])
        self.grafana_port_forward = pulumi.Output.concat(
            "kubectl --context ",
            cfg.kube_context,
            " -n ",
            self.namespace,
            f" port-forward svc/{names['grafana']} 3000:{GRAFANA_SERVICE_PORT}",
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
