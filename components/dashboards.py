"""Grafana dashboards as ConfigMaps the Grafana sidecar loads (label and folder annotation)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.config import StackConfig
from components.monitoring_values import DASHBOARD_LABEL, DASHBOARD_LABEL_VALUE
from dashboards.all import FOLDER, all_dashboards, to_json

CONFIGMAP_LIMIT_BYTES = 1024 * 1024


@dataclass(frozen=True)
class DashboardsArgs:
    """The validated stack config."""

    config: StackConfig


def dashboard_configmaps(cfg: StackConfig) -> list[dict[str, Any]]:
    """One ConfigMap manifest per dashboard; refuses one over the ConfigMap size limit."""
    manifests = []
    for uid, model in all_dashboards(cfg.rules).items():
        text = to_json(model)
        if len(text.encode()) >= CONFIGMAP_LIMIT_BYTES:
            raise ValueError(
                f"dashboard {uid} is {len(text)} bytes, over the 1 MiB ConfigMap limit"
            )
        manifests.append(
            {
                "metadata": {
                    "name": f"ai-observability-dashboard-{uid}",
                    "namespace": cfg.namespaces.monitoring,
                    "labels": {
                        DASHBOARD_LABEL: DASHBOARD_LABEL_VALUE,
                        "app.kubernetes.io/part-of": "ai-observability",
                    },
                    "annotations": {cfg.monitoring.grafana.dashboard_folder_annotation: FOLDER},
                },
                "data": {f"{uid}.json": text},
            }
        )
    return manifests


class GrafanaDashboards(pulumi.ComponentResource):
    """The five dashboards in the AI Observability folder."""

    def __init__(
        self, name: str, args: DashboardsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:dashboards:GrafanaDashboards", name, None, opts)
        for manifest in dashboard_configmaps(args.config):
            k8s.core.v1.ConfigMap(
                f"{name}-{manifest['metadata']['name']}",
                metadata=manifest["metadata"],
                data=manifest["data"],
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({})
