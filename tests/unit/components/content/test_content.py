"""The rule groups as PrometheusRules and the dashboards as ConfigMaps, from the builders."""

from __future__ import annotations

import json

from components.content.dashboards import CONFIGMAP_LIMIT_BYTES, dashboard_configmaps
from components.content.rules import prometheus_rules
from components.kube.selection import selection_labels
from components.monitoring.values import DASHBOARD_FOLDER_ANNOTATION, DASHBOARD_LABEL
from rules.config import RulesConfig
from rules.groups import AREAS


def test_one_prometheus_rule_per_area_selected_by_our_prometheus() -> None:
    rules = prometheus_rules(RulesConfig(), gpu_enabled=True, namespace="monitoring")
    assert tuple(rules) == AREAS
    for area, rule in rules.items():
        assert rule["metadata"]["name"] == f"ai-observability-{area}"
        assert selection_labels().items() <= rule["metadata"]["labels"].items()
        assert rule["spec"]["groups"]


def test_a_missing_dcgm_exporter_alerts_only_where_gpus_are_deployed() -> None:
    def exporter_down(enabled: bool) -> str:
        groups = prometheus_rules(RulesConfig(), enabled, "m")["gpu"]["spec"]["groups"]
        rules = [r for g in groups for r in g["rules"] if r.get("alert") == "DCGMExporterDown"]
        return rules[0]["expr"]

    assert "absent(" in exporter_down(True) and "absent(" not in exporter_down(False)


def test_dashboards_are_sidecar_configmaps_in_the_folder() -> None:
    maps = dashboard_configmaps(RulesConfig(daily_budget_dollars=100), "monitoring")
    assert len(maps) == 5
    for config_map in maps:
        assert config_map["metadata"]["labels"][DASHBOARD_LABEL] == "1"
        assert config_map["metadata"]["annotations"] == {
            DASHBOARD_FOLDER_ANNOTATION: "AI Observability"
        }
        ((key, text),) = config_map["data"].items()
        assert json.loads(text)["uid"] == key.removesuffix(".json")
        assert len(text.encode()) < CONFIGMAP_LIMIT_BYTES
