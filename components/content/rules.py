"""The rule groups as one PrometheusRule per area, selected by our Prometheus."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from components.cost_exporter.config import CostExporterConfig
from components.gpu.config import GpuConfig
from components.inference.config import InferenceConfig
from components.kube.registration import Namespace, child_name, register
from components.kube.selection import monitoring_metadata
from components.monitoring.config import PrometheusConfig
from exporter.config import prometheus_label
from rules.config import RulesConfig
from rules.durations import parse_duration
from rules.groups import rule_groups
from rules.stack import StackFacts


def stack_facts(
    gpu: GpuConfig,
    inference: InferenceConfig,
    prometheus: PrometheusConfig,
    exporter: CostExporterConfig,
) -> StackFacts:
    """What the rules need from the other sections: GPUs on, the evaluation interval, each
    model's startup allowance and autoscaling targets, and the exporter's staleness limit (when
    it is deployed)."""
    return StackFacts(
        gpu_enabled=gpu.enabled,
        evaluation_interval=prometheus.evaluation_interval,
        startup_seconds={m.name: parse_duration(m.startup_timeout) for m in inference.models},
        prefix_cache_hit_ratio={
            m.name: m.prefix_cache.min_hit_ratio
            for m in inference.models
            if m.prefix_cache.enabled and m.prefix_cache.min_hit_ratio is not None
        },
        autoscaling_targets={
            m.name: m.autoscaling.targets.by_signal()
            for m in inference.models
            if m.autoscaling.enabled
        },
        attribution_label=prometheus_label(exporter.attribution.labels[0]),
        exporter_staleness_seconds=(
            exporter.inventory_staleness_seconds if exporter.enabled else None
        ),
    )


def rule_name(area: str) -> str:
    """metadata.name of an area's PrometheusRule."""
    return f"ai-observability-{area}"


def prometheus_rules(
    rules: RulesConfig, facts: StackFacts, namespace: str
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
        for area, groups in rule_groups(rules, facts).items()
    }


@dataclass(frozen=True)
class PrometheusRulesArgs:
    """The rules config, the facts of the stack they run in, and the monitoring namespace."""

    rules: RulesConfig
    facts: StackFacts
    namespace: Namespace


class PrometheusRules(pulumi.ComponentResource):
    """inference, availability, gpu, cost, quality and slo rule groups."""

    def __init__(
        self, name: str, args: PrometheusRulesArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:rules:PrometheusRules", name, None, opts)
        rules = prometheus_rules(args.rules, args.facts, args.namespace.name)
        areas = {manifest["metadata"]["name"]: area for area, manifest in rules.items()}
        register(
            self,
            list(rules.values()),
            lambda m: child_name(name, areas[m["metadata"]["name"]]),
            [args.namespace],
        )
        self.register_outputs({})
