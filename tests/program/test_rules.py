"""The rule groups in the stack: one PrometheusRule per area, selected by our Prometheus, and
the rules configuration's errors."""

from __future__ import annotations

from typing import Any

import pytest

from components.kube.selection import selection_labels
from rules.groups import AREAS
from tests.support.harness import STACKS, run_failing_program, run_program
from tests.support.programs import program_run


@pytest.mark.parametrize("stack", STACKS)
def test_one_prometheus_rule_per_area_selected_by_prometheus(stack: str) -> None:
    run = program_run(stack)
    rules = run.of_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
    assert sorted(r.inputs["metadata"]["name"] for r in rules) == sorted(
        f"ai-observability-{a}" for a in AREAS
    )
    component = run.one("ai-observability:rules:PrometheusRules")
    release = run.one("kubernetes:helm.sh/v3:Release", "monitoring-kube-prometheus-stack")
    assert release.urn in component.dependencies
    for rule in rules:
        assert rule.inputs["metadata"]["namespace"] == "monitoring"
        assert selection_labels().items() <= rule.inputs["metadata"]["labels"].items()
        assert rule.inputs["spec"]["groups"]


def test_dcgm_absence_alert_only_where_gpus_are_enabled() -> None:
    def down_expr(stack: str) -> str:
        gpu_rule = next(
            r
            for r in program_run(stack).of_type(
                "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
            )
            if r.inputs["metadata"]["name"] == "ai-observability-gpu"
        )
        alerts = [
            rule
            for g in gpu_rule.inputs["spec"]["groups"]
            for rule in g["rules"]
            if rule.get("alert") == "DCGMExporterDown"
        ]
        return alerts[0]["expr"]

    assert "absent(" not in down_expr("dev")
    assert "absent(" in down_expr("prod")


def test_stack_thresholds_reach_the_rules() -> None:
    run = run_program(
        "dev", overrides={"rules": {"ttftP99Seconds": 2.5, "dailyBudgetDollars": 500}}
    )
    exprs = {
        rule.get("alert"): rule["expr"]
        for r in run.of_type("kubernetes:monitoring.coreos.com/v1:PrometheusRule")
        for g in r.inputs["spec"]["groups"]
        for rule in g["rules"]
    }
    assert exprs["HighTimeToFirstToken"] == "ai:ttft_seconds:p99 > 2.5"
    assert exprs["CostBudgetExceeded"] == "sum(ai:daily_spend_dollars) > 500"


ERRORS: list[tuple[str, dict[str, Any], str]] = [
    (
        "slo-threshold-not-a-bucket",
        {
            "rules.slos": [
                {"name": "ttft-3s", "type": "latency", "objective": 99, "thresholdSeconds": 3}
            ]
        },
        "ai-observability:rules.slos[0].thresholdSeconds: 3 is not a bucket bound",
    ),
    (
        "slo-latency-without-threshold",
        {"rules.slos": [{"name": "x", "type": "latency", "objective": 99}]},
        "ai-observability:rules.slos[0].thresholdSeconds: required for a latency SLO",
    ),
    (
        "slo-objective-100",
        {"rules.slos": [{"name": "x", "type": "availability", "objective": 100}]},
        "ai-observability:rules.slos[0].objective: must be between 50 and 99.999",
    ),
    (
        "slo-duplicate",
        {
            "rules.slos": [
                {"name": "x", "type": "availability"},
                {"name": "x", "type": "availability"},
            ]
        },
        'ai-observability:rules.slos[1].name: "x" is already the name of slos[0]; each '
        "must be unique",
    ),
    (
        "slo-unknown-type",
        {"rules.slos": [{"name": "x", "type": "throughput"}]},
        "ai-observability:rules.slos[0].type: expected one of latency, availability",
    ),
    (
        "runbook-with-anchor",
        {"rules.runbookBaseUrl": "https://wiki.example.test/runbooks#top"},
        "ai-observability:rules.runbookBaseUrl: expected an http(s) URL",
    ),
    (
        "bad-rate-window",
        {"rules.rateWindow": "five minutes"},
        "ai-observability:rules.rateWindow: expected a positive duration like 5m",
    ),
    (
        "negative-budget",
        {"rules.dailyBudgetDollars": -1},
        "ai-observability:rules.dailyBudgetDollars: must be between 0",
    ),
]


@pytest.mark.parametrize(
    ("overrides", "prefix"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_rules_config_errors(overrides: dict[str, Any], prefix: str) -> None:
    message, registered = run_failing_program("dev", overrides=overrides)
    assert message.startswith(prefix), message
    assert registered == []


def test_a_latency_threshold_error_lists_the_valid_bounds() -> None:
    slo = {"name": "ttft-3s", "type": "latency", "objective": 99, "thresholdSeconds": 3}
    message, _ = run_failing_program("dev", overrides={"rules.slos": [slo]})
    assert "use one of 0.001, 0.005," in message and "1, 2.5, 5, 7.5, 10," in message
