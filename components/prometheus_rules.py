"""The rule groups as one PrometheusRule per area, selected by our Prometheus."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.config import StackConfig
from components.selection import monitoring_object_metadata
from rules.groups import rule_groups


@dataclass(frozen=True)
class PrometheusRulesArgs:
    """The validated stack config; the rules live in the monitoring namespace."""

    config: StackConfig


def rule_name(area: str) -> str:
    """metadata.name of an area's PrometheusRule."""
    return f"ai-observability-{area}"


class PrometheusRules(pulumi.ComponentResource):
    """inference, gpu, cost, quality and slo rule groups."""

    def __init__(
        self, name: str, args: PrometheusRulesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:rules:PrometheusRules", name, None, opts)
        cfg = args.config
        namespace = cfg.namespaces.monitoring
        for area, groups in rule_groups(cfg.rules, gpu_enabled=cfg.gpu.enabled).items():
            k8s.apiextensions.CustomResource(
                f"{name}-{area}",
                api_version="monitoring.coreos.com/v1",
                kind="PrometheusRule",
                metadata=monitoring_object_metadata(
                    rule_name(area), namespace, {"ai-observability/rule-area": area}
                ),
                spec={"groups": groups},
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({})
