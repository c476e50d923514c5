"""Conventions of the rule groups, enforced: the naming contract, alert labels and annotations,
runbook sections, promtool coverage, and only metric names the real exporters expose."""

from __future__ import annotations

import re
from pathlib import Path

import promql_parser
import pytest
import yaml

from components.gpu.counters import counter_names
from rules._builders import RECORD_NAME
from rules.catalog import CATALOGS, EXPORTER_METRICS, series_names
from rules.config import RulesConfig
from rules.groups import rule_groups
from rules.stack import StackFacts
from tests.support.paths import ROOT
from tests.support.promql_names import metric_names
from tests.support.promql_tree import (
    bucket_paths_losing_le,
    quantile_count,
    quantiles_losing_le,
    selector_names,
)

CONFIG = RulesConfig.model_validate(
    {"dailyBudgetDollars": 1000, "budgets": [{"team": "search", "dailyDollars": 250}]}
)
FACTS = StackFacts(
    startup_seconds={"llama-3-8b": 1800},
    prefix_cache_hit_ratio={"llama-3-8b": 0.3},
    autoscaling_targets={"llama-3-8b": {"pending_requests_per_replica": 4}},
)
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
    # Engine internals (issue 19).
    "ai:prefix_cache_hit_ratio", "ai:external_prefix_cache_hit_ratio", "ai:preemptions_per_second",
    "ai:queue_time_seconds:p50", "ai:queue_time_seconds:p99", "ai:prefill_time_seconds:p50",
    "ai:prefill_time_seconds:p99", "ai:decode_time_seconds:p50", "ai:decode_time_seconds:p99",
    "ai:request_phase_seconds:avg", "ai:prompt_length_tokens:p50", "ai:prompt_length_tokens:p99",
    "ai:generation_length_tokens:p50", "ai:generation_length_tokens:p99", "ai:batch_tokens:avg",
    "ai:spec_decode_acceptance_ratio", "ai:requests_waiting_by_reason",
    # Autoscaling (issue 20): the dashboards and the alerts read them.
    "ai:model_autoscaler_replicas:min", "ai:model_autoscaler_replicas:max",
    "ai:model_autoscaler_replicas:current", "ai:model_autoscaler_replicas:desired",
    "ai:autoscaling_target:value", "ai:autoscaling_signal:value", "ai:autoscaling_signal:ratio",
    # Chargeback (issue 22).
    "ai:namespace_cost_dollars_per_hour", "ai:team_cost_dollars_per_hour",
    "ai:idle_gpu_cost_dollars_per_hour", "ai:gpu_allocation:ratio",
    "ai:cost_per_million_prompt_tokens_dollars", "ai:cost_per_million_generation_tokens_dollars",
}  # fmt: skip
ALERTS = {
    "HighTimeToFirstToken", "GPUMemoryNearFull", "HighInferenceErrorRate", "KVCachePressure",
    "GPUThermalThrottle", "InferenceEngineStalled", "InferenceTargetDown", "DCGMExporterDown",
    "GPUXidError", "InferenceQueueBacklog", "CostBudgetExceeded", "HallucinationRateHigh",
    "ModelQualityDrift", "SLOErrorBudgetBurnFast", "SLOErrorBudgetBurnSlow",
    "InferenceModelUnavailable", "GPUUncorrectableMemoryError", "CostExporterInventoryStale",
    "HighPreemptionRate", "QueueTimeDominates", "SpeculativeDecodingIneffective",
    "PrefixCacheHitRateLow", "ModelAtMaxReplicas", "AutoscalerErrors", "TeamBudgetExceeded",
    "IdleGpuSpendHigh",
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


@pytest.mark.parametrize("name", sorted(ALERTS))
def test_every_alert_has_for_severity_and_annotations(name: str) -> None:
    rules = [r for r in all_rules() if r.get("alert") == name]
    assert rules
    for rule in rules:
        assert re.fullmatch(r"\d+[smh]", rule["for"])
        assert rule["labels"]["severity"] in ("critical", "warning", "info")
        annotations = rule["annotations"]
        assert set(annotations) == {"summary", "description", "runbook_url"}
        assert annotations["summary"].endswith(".")
        # The description says how bad it is (a template of the value or the labels), except
        # the budget alert, which names the budget itself.
        assert "{{" in annotations["description"] or name == "CostBudgetExceeded"


def runbook_sections() -> set[str]:
    text = (ROOT / "docs" / "runbooks.md").read_text()
    return {line[3:].strip().lower() for line in text.splitlines() if line.startswith("## ")}


@pytest.mark.parametrize("name", sorted(ALERTS))
def test_runbook_url_points_at_an_existing_section(name: str) -> None:
    for rule in [r for r in all_rules() if r.get("alert") == name]:
        base, _, anchor = rule["annotations"]["runbook_url"].partition("#")
        assert base == CONFIG.runbook_base_url
        assert anchor == name.lower()
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


def known_names() -> set[str]:
    """Recorded names and every name the exporters' catalogs and the DCGM counters hold."""
    recorded = {r["record"] for r in all_rules() if "record" in r}
    return recorded | counter_names() | set().union(*(series_names(c) for c in CATALOGS))


def unknown_names(exprs: list[str]) -> set[str]:
    """Names the expressions select (parsed, __name__ matchers included) that nothing emits."""
    return set().union(*(selector_names(e) for e in exprs)) - known_names()


def test_only_names_the_exporters_expose() -> None:
    exprs = [rule["expr"] for rule in all_rules()]
    assert unknown_names(exprs) == set()
    used = set().union(*(selector_names(e) for e in exprs))
    # The rules do use the real prefixes (a control on the parser).
    assert {
        "vllm:time_to_first_token_seconds_bucket",
        "vllm:generation_tokens_total",
        "ai_gpu_cost_dollars_total",
        "kube_pod_status_ready",
        "DCGM_FI_DEV_FB_USED",
        "ai:http_requests_per_second",  # from a __name__ matcher
    } <= used
    # The tokenizer the dashboards' checks use agrees with the parser on the rules.
    assert set().union(*(metric_names(e) for e in exprs)) <= used


def test_names_no_exporter_emits_are_caught() -> None:
    """Controls: vLLM's names with underscores (the classic mistake), in a plain selector and
    behind a __name__ matcher, and a misspelt DCGM field."""
    assert unknown_names(
        [
            "histogram_quantile(0.99, sum by (le) (rate(vllm_time_to_first_token_seconds_bucket[5m])))",
            '{__name__=~"vllm:num_requests_running|vllm_num_requests_waiting"}',
            "DCGM_FI_DEV_FB_USE",
        ]
    ) == {
        "vllm_time_to_first_token_seconds_bucket",
        "vllm_num_requests_waiting",
        "DCGM_FI_DEV_FB_USE",
    }


def test_exporter_metric_names_match_the_exporter() -> None:
    source = "\n".join(p.read_text() for p in (ROOT / "exporter").glob("*.py"))
    for name in EXPORTER_METRICS:
        # prometheus_client registers a counter without _total; exposition.py writes the
        # exposed name.
        base = re.sub(r"_total$", "", name)
        assert f'"{base}"' in source or f'"{name}"' in source, name


def recorded_bucket_rates() -> set[str]:
    """Recorded series whose every bucket path keeps le (what a quantile may read directly)."""
    return {
        r["record"]
        for r in all_rules()
        if "record" in r
        and r["record"].endswith("_bucket:rate")
        and not list(bucket_paths_losing_le(promql_parser.parse(r["expr"]), lambda _: False))
    }


def test_every_quantile_keeps_le_down_to_its_buckets() -> None:
    """Parsed, not matched: every histogram_quantile reads buckets summed by (..., le),
    directly or through a recorded bucket rate whose own rule does the sum."""
    trusted = recorded_bucket_rates()
    quantiles = [r for r in all_rules() if quantile_count(r["expr"])]
    assert len(quantiles) >= 7  # TTFT p50/p90/p99, ITL p50/p99, e2e p50/p99
    for rule in quantiles:
        assert quantiles_losing_le(rule["expr"], trusted.__contains__) == [], rule


def test_a_quantile_that_loses_le_is_caught() -> None:
    """Controls on the parser-based check."""
    trusted = recorded_bucket_rates()
    assert trusted  # the recorded TTFT bucket rate, at least
    good = "histogram_quantile(0.99, sum by (model_name, le) (rate(x_bucket[5m])))"
    assert quantiles_losing_le(good, trusted.__contains__) == []
    for bad in (
        "histogram_quantile(0.99, sum by (model_name) (rate(x_bucket[5m])))",
        "histogram_quantile(0.99, rate(x_bucket[5m]))",
        "histogram_quantile(0.99, sum without (le) (rate(x_bucket[5m])))",
        "histogram_quantile(0.99, sum by (le) (max by (pod) (rate(x_bucket[5m]))))",
        "histogram_quantile(0.99, sum by (model_name) (" + sorted(trusted)[0] + "))",
    ):
        assert quantiles_losing_le(bad, trusted.__contains__), bad
    assert (
        quantiles_losing_le(
            "histogram_quantile(0.5, " + sorted(trusted)[0] + ")", trusted.__contains__
        )
        == []
    )
