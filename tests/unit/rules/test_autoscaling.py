"""The autoscaling rules as KEDA reads them: every trigger query of the promtool fixture's
autoscaled models is tested there, and every query reads a series the rules record."""

from __future__ import annotations

from pathlib import Path

import yaml

from rules.autoscaling import SIGNALS, trigger_query
from rules.groups import rule_groups
from tests.support.promql_names import metric_names
from tests.unit.rules.test_promtool import TEST_CONFIG, TEST_FACTS

FIXTURE = Path(__file__).parent / "promtool" / "autoscaling.test.yaml"


def expressions_under_test() -> set[str]:
    tests = yaml.safe_load(FIXTURE.read_text())["tests"]
    return {case["expr"] for test in tests for case in test.get("promql_expr_test", [])}


def recorded() -> set[str]:
    groups = rule_groups(TEST_CONFIG, TEST_FACTS).values()
    return {r["record"] for gs in groups for g in gs for r in g["rules"] if "record" in r}


def test_every_trigger_query_of_every_signal_is_tested_on_the_fleet_fixture() -> None:
    models = {"llama-3-8b", "qwen3-8b"}
    assert set(TEST_FACTS.autoscaling_targets) == models
    queries = {trigger_query(signal, model) for signal in SIGNALS for model in models}
    assert queries <= expressions_under_test(), sorted(queries - expressions_under_test())


def test_trigger_queries_read_one_recorded_series_of_one_model() -> None:
    for signal in SIGNALS:
        query = trigger_query(signal, "llama-3-8b")
        assert metric_names(query) == {SIGNALS[signal].series}
        assert SIGNALS[signal].series in recorded()
        assert 'model_name="llama-3-8b"' in query and query.startswith("sum(")


def test_targets_are_recorded_for_autoscaled_models_only() -> None:
    targets = [
        r
        for gs in rule_groups(TEST_CONFIG, TEST_FACTS).values()
        for g in gs
        for r in g["rules"]
        if r.get("record") == "ai:autoscaling_target:value"
    ]
    found = {(r["labels"]["model_name"], r["labels"]["signal"], r["expr"]) for r in targets}
    assert found == {
        ("llama-3-8b", "pending_requests_per_replica", "vector(4)"),
        ("llama-3-8b", "kv_cache_percent", "vector(80)"),
        ("qwen3-8b", "running_requests_per_replica", "vector(8)"),
    }
