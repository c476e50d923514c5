"""The rule groups as one PrometheusRule per area, selected by our Prometheus."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.kube.registration import Namespace, child_name, register
from components.kube.selection import monitoring_metadata
from rules.config import RulesConfig
from rules.groups import rule_groups


def rule_name(area: str) -> str:
    """metadata.name of an area's PrometheusRule."""
    return f"ai-observability-{area}"


def prometheus_rules(
    rules: RulesConfig, gpu_enabled: bool, namespace: str
) -> dict[str, dict[str, Any]]:
    """Area -> its PrometheusRule manifest."""
    return {
        area: {
            "apiVersion": "monitoring.coreos.com/v1",
            "kind": "PrometheusRule",
            "metadata": monitoring_metadata(
                rule_name(area), namespace, {"ai-observability/rule-area": area}
            ),
            "spec": {"groups": groups},
        }
        for area, groups in rule_groups(rules, gpu_enabled=gpu_enabled).items()
    }


@dataclass(frozen=True)
class PrometheusRulesArgs:
    """The rules config, whether GPU rules alert, and the monitoring namespace."""

    rules: RulesConfig
    gpu_enabled: bool
    namespace: Namespace


class PrometheusRules(pulumi.ComponentResource):
    """inference, gpu, cost, quality and slo rule groups."""

    def __init__(
        self, name: str, args: PrometheusRulesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:rules:PrometheusRules", name, None, opts)
        rules = prometheus_rules(args.rules, args.gpu_enabled, args.namespace.name)
        areas = {manifest["metadata"]["name"]: area for area, manifest in rules.items()}
        register(
            self,
            list(rules.values()),
            lambda m: child_name(name, areas[m["metadata"]["name"]]),
            [args.namespace],
        )
        self.register_outputs({})
