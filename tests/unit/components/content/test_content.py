"""The rule groups as PrometheusRules and the dashboards as ConfigMaps, from the builders."""

from __future__ import annotations

import json

from components.content.dashboards import CONFIGMAP_LIMIT_BYTES, dashboard_configmaps
from components.content.rules import prometheus_rules, stack_facts
from components.cost_exporter.config import CostExporterConfig
from components.gpu.config import GpuConfig
from components.inference.config import InferenceConfig
from components.kube.selection import selection_labels
from components.monitoring.config import PrometheusConfig
from components.monitoring.values import DASHBOARD_FOLDER_ANNOTATION, DASHBOARD_LABEL
from rules.config import RulesConfig
from rules.groups import AREAS
from rules.stack import StackFacts


def test_one_prometheus_rule_per_area_selected_by_our_prometheus() -> None:
    rules = prometheus_rules(RulesConfig(), StackFacts(), namespace="monitoring")
    assert tuple(rules) == AREAS
    for area, rule in rules.items():
        assert rule["metadata"]["name"] == f"ai-observability-{area}"
        assert selection_labels().items() <= rule["metadata"]["labels"].items()
        assert rule["spec"]["groups"]


def test_a_missing_dcgm_exporter_alerts_only_where_gpus_are_deployed() -> None:
    def exporter_down(enabled: bool) -> str:
        facts = StackFacts(gpu_enabled=enabled)
        groups = prometheus_rules(RulesConfig(), facts, "m")["gpu"]["spec"]["groups"]
        rules = [r for g in groups for r in g["rules"] if r.get("alert") == "DCGMExporterDown"]
        return rules[0]["expr"]

    assert "absent(" in exporter_down(True) and "absent(" not in exporter_down(False)


def test_the_stale_inventory_alert_uses_the_exporters_own_limit() -> None:
    exporter = CostExporterConfig.model_validate(
        {"image": "ghcr.io/acme/exporter:1.0", "inventoryStalenessSeconds": 120}
    )
    facts = stack_facts(GpuConfig(), InferenceConfig(), PrometheusConfig(), exporter)
    assert facts.exporter_staleness_seconds == 120
    rules = prometheus_rules(RulesConfig(), facts, "m")["cost"]["spec"]["groups"]
    stale = next(
        r for g in rules for r in g["rules"] if r.get("alert") == "CostExporterInventoryStale"
    )
    assert stale["expr"].endswith("> 120")


def test_the_rules_learn_the_evaluation_interval_and_each_startup_allowance() -> None:
    models = [{"name": "m", "backend": "simulator", "startupTimeout": "10m"}]
    facts = stack_facts(
        GpuConfig(enabled=False),
        InferenceConfig.model_validate({"models": models}),
        PrometheusConfig(evaluation_interval="1m"),
        CostExporterConfig(enabled=False),
    )
    assert facts == StackFacts(
        gpu_enabled=False,
        evaluation_interval="1m",
        startup_seconds={"m": 600},
        exporter_staleness_seconds=None,  # no exporter, no stale-inventory alert
    )
    groups = [
        g
        for rule in prometheus_rules(RulesConfig(), facts, "m").values()
        for g in rule["spec"]["groups"]
    ]
    intervals = {g["name"]: g["interval"] for g in groups}
    long = {name for name in intervals if name.endswith("-long.rules")}
    assert long >= {"ai-cost-long.rules", "ai-slo-availability-long.rules"}
    assert {intervals[name] for name in long} == {"5m"}  # rules.longWindowInterval
    diagnostics = {"ai-engine.rules", "ai-inference-diagnostics.rules"}
    assert {intervals[name] for name in diagnostics} == {"1m"}  # rules.diagnosticsInterval
    assert {i for name, i in intervals.items() if name not in long} == {"1m"}
    allowances = [
        r
        for g in groups
        for r in g["rules"]
        if r.get("record") == "ai:model_startup_allowance_seconds"
    ]
    assert [(r["expr"], r["labels"]) for r in allowances] == [("vector(600)", {"model_name": "m"})]


def test_dashboards_are_sidecar_configmaps_in_the_folder() -> None:
    maps = dashboard_configmaps(RulesConfig(daily_budget_dollars=100), "monitoring")
    assert len(maps) == 6
    for config_map in maps:
        assert config_map["metadata"]["labels"][DASHBOARD_LABEL] == "1"
        assert config_map["metadata"]["annotations"] == {
            DASHBOARD_FOLDER_ANNOTATION: "AI Observability"
        }
        ((key, text),) = config_map["data"].items()
        assert json.loads(text)["uid"] == key.removesuffix(".json")
        assert len(text.encode()) < CONFIGMAP_LIMIT_BYTES
