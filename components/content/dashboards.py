"""Grafana dashboards as ConfigMaps the Grafana sidecar loads (label and folder annotation)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.kube.meta import PART_OF
from components.kube.objects import config_map
from components.kube.registration import Namespace, child_name, register
from components.monitoring.values import (
    DASHBOARD_FOLDER_ANNOTATION,
    DASHBOARD_LABEL,
    DASHBOARD_LABEL_VALUE,
)
from dashboards.all import FOLDER, all_dashboards, to_json
from rules.config import RulesConfig

CONFIGMAP_LIMIT_BYTES = 1024 * 1024


def dashboard_configmaps(rules: RulesConfig, namespace: str) -> list[dict[str, Any]]:
    """One ConfigMap per dashboard; refuses one over the ConfigMap size limit."""
    manifests = []
    for uid, model in all_dashboards(rules).items():
        text = to_json(model)
        if len(text.encode()) >= CONFIGMAP_LIMIT_BYTES:
            raise ValueError(
                f"dashboard {uid} is {len(text)} bytes, over the 1 MiB ConfigMap limit"
            )
        manifests.append(
            config_map(
                f"ai-observability-dashboard-{uid}",
                namespace,
                {DASHBOARD_LABEL: DASHBOARD_LABEL_VALUE, **PART_OF},
                {f"{uid}.json": text},
                {DASHBOARD_FOLDER_ANNOTATION: FOLDER},
            )
        )
    return manifests


@dataclass(frozen=True)
class DashboardsArgs:
    """The rules config (thresholds and SLOs the panels show) and the monitoring namespace."""

    rules: RulesConfig
    namespace: Namespace


class GrafanaDashboards(pulumi.ComponentResource):
    """The five dashboards in the AI Observability folder."""

    def __init__(
        self, name: str, args: DashboardsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:dashboards:GrafanaDashboards", name, None, opts)
        configmaps = dashboard_configmaps(args.rules, args.namespace.name)
        register(
            self, configmaps, lambda m: child_name(name, m["metadata"]["name"]), [args.namespace]
        )
        self.register_outputs({})
