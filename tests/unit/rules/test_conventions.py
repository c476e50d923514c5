"""Conventions of the rule groups, enforced: the naming contract, alert labels and annotations,
runbook sections, promtool coverage, and only metric names the real exporters expose."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from components.gpu.counters import counter_names
from rules._builders import ALERT_NAME, RECORD_NAME
from rules.catalog import CATALOGS, EXPORTER_METRICS, series_names
from rules.config import RulesConfig
from rules.groups import rule_groups
from rules.stack import StackFacts
from tests.support.paths import ROOT
from tests.support.promql_names import metric_names

CONFIG = RulesConfig(daily_budget_dollars=1000)
FACTS = StackFacts(startup_seconds={"llama-3-8b": 1800})
CONTRACT = {
    "ai:ttft_seconds:p50", "ai:ttft_seconds:p90", "ai:ttft_seconds:p99",
    "ai:itl_seconds:p50", "ai:itl_seconds:p99",
    "ai:e2e_latency_seconds:p50", "ai:e2e_latency_seconds:p99",
    "ai:tokens_per_second", "ai:prompt_tokens_per_second", "ai:requests_per_second",
    "ai:error_ratio", "ai:kv_cache_usage_percent", "ai:pending_requests", "ai:active_sequences",
    "ai:gpu_utilization:avg", "ai:gpu_memory_used_bytes", "ai:gpu_memory_used:ratio",
    "ai:gpu_temperature_celsius", "ai:gpu_power_watts", "ai:gpu_cost_dollars_per_hour",
    "ai:model_cost_dollars_per_hour", "ai:cost_per_million_tokens_dollars",
    "ai:request_cost_dollars:avg", "ai:daily_spend_dollars", "ai:hallucination_rate:ratio_1h",
}  # fmt: skip
ALERTS = {
    "HighTimeToFirstToken", "GPUMemoryNearFull", "HighInferenceErrorRate", "KVCachePressure",
    "GPUThermalThrottle", "InferenceEngineStalled", "InferenceTargetDown", "DCGMExporterDown",
    "GPUXidError", "InferenceQueueBacklog", "CostBudgetExceeded", "HallucinationRateHigh",
    "ModelQualityDrift", "SLOErrorBudgetBurnFast", "SLOErrorBudgetBurnSlow",
    "InferenceModelUnavailable", "GPUUncorrectableMemoryError",
}  # fmt: skip


def all_rules() -> list[dict]:
    groups = rule_groups(CONFIG, FACTS).values()
    return [r for gs in groups for g in gs for r in g["rules"]]


def recorded() -> set[str]:
    return {r["record"] for r in all_rules() if "record" in r}


def test_the_contract_names_exist_and_every_name_follows_the_convention() -> None:
    names = recorded()
    assert names >= CONTRACT, sorted(CONTRACT - names)
    for name in names:
        assert RECORD_NAME.match(name), name


def test_the_expected_alerts_exist() -> None:
    assert {r["alert"] for r in all_rules() if "alert" in r} == ALERTS


@pytest.mark.parametrize("rule", [r for r in all_rules() if "alert" in r], ids=lambda r: r["alert"])
def test_every_alert_has_for_severity_and_annotations(rule: dict) -> None:
    assert ALERT_NAME.match(rule["alert"])
    assert re.fullmatch(r"\d+[smh]", rule["for"])
    assert rule["labels"]["severity"] in ("critical", "warning", "info")
    annotations = rule["annotations"]
    assert set(annotations) == {"summary", "description", "runbook_url"}
    assert annotations["summary"].endswith(".")
    assert (
        "{{" in annotations["description"]
        or rule["alert"] == "CostBudgetExceeded"
        or "$value" in annotations["description"]
    )


def runbook_sections() -> set[str]:
    text = (ROOT / "docs" / "runbooks.md").read_text()
    return {line[3:].strip().lower() for line in text.splitlines() if line.startswith("## ")}


@pytest.mark.parametrize("rule", [r for r in all_rules() if "alert" in r], ids=lambda r: r["alert"])
def test_runbook_url_points_at_an_existing_section(rule: dict) -> None:
    url = rule["annotations"]["runbook_url"]
    base, _, anchor = url.partition("#")
    assert base == CONFIG.runbook_base_url
    assert anchor == rule["alert"].lower()
    assert anchor in runbook_sections()


def test_runbook_base_url_is_configurable() -> None:
    custom = RulesConfig(runbook_base_url="https://wiki.example.test/runbooks")
    urls = {
        r["annotations"]["runbook_url"]
        for g in rule_groups(custom)["inference"]
        for r in g["rules"]
        if "alert" in r
    }
    assert urls and all(u.startswith("https://wiki.example.test/runbooks#") for u in urls)


def test_every_alert_has_a_firing_and_a_quiet_promtool_case() -> None:
    fires: set[str] = set()
    quiet: set[str] = set()
    for path in (Path(__file__).parent / "promtool").glob("*.test.yaml"):
        for test in yaml.safe_load(path.read_text())["tests"]:
            for case in test.get("alert_rule_test", []):
                (fires if case["exp_alerts"] else quiet).add(case["alertname"])
    assert fires >= ALERTS, sorted(ALERTS - fires)
    assert quiet >= ALERTS, sorted(ALERTS - quiet)


def test_only_names_the_exporters_expose() -> None:
    recorded = {r["record"] for r in all_rules() if "record" in r}
    known = recorded | counter_names() | set().union(*(series_names(c) for c in CATALOGS))
    used: set[str] = set()
    for rule in all_rules():
        used |= metric_names(rule["expr"])
    assert used - known == set()
    # The rules do use the real prefixes (a control on the parser).
    assert {
        "vllm:time_to_first_token_seconds_bucket",
        "vllm:generation_tokens_total",
        "ai_gpu_cost_dollars_total",
        "kube_pod_status_ready",
        "DCGM_FI_DEV_FB_USED",
    } <= used
    assert not any(n.startswith("vllm_") for n in used)  # underscores are the classic mistake


def test_exporter_metric_names_match_the_exporter() -> None:
    source = "\n".join(p.read_text() for p in (ROOT / "exporter").glob("*.py"))
    for name in EXPORTER_METRICS:
        base = re.sub(r"_total$", "", name)
        assert f'"{base}"' in source, name


def test_quantiles_aggregate_by_model_and_le() -> None:
    """Every quantile interpolates buckets summed by (model_name, le), directly or through a
    recorded bucket rate whose rule does the sum."""
    exprs = {r["record"]: r["expr"] for r in all_rules() if "record" in r}
    quantiles = [r for r in all_rules() if "histogram_quantile" in r["expr"]]
    assert quantiles
    for rule in quantiles:
        expr = rule["expr"]
        sources = re.findall(r"histogram_quantile\([\d.]+, (ai:[a-z0-9_]+_bucket:rate)\)", expr)
        for source in sources:
            assert "sum by (model_name, le) (rate(" in exprs[source], source
        assert sources or "sum by (model_name, le)" in expr, rule.get("record", rule.get("alert"))
