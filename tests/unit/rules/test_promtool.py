"""promtool on the rendered rule files: check rules, and the unit tests in tests/unit/rules/promtool/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from rules.config import RulesConfig
from rules.groups import AREAS, render_rule_file, rule_groups
from rules.stack import StackFacts
from tests.support.tools import promtool

PROMTOOL_TESTS = Path(__file__).parent / "promtool"
# The config the unit tests are written for: the defaults, plus a 1,000 USD daily budget and
# a 250 USD daily budget for team search.
# Every group, the long-window ones too, at the test files' interval: promtool evaluates all
# groups at each step.
TEST_CONFIG = RulesConfig.model_validate(
    {
        "dailyBudgetDollars": 1000,
        "budgets": [{"team": "search", "dailyDollars": 250}],
        "longWindowInterval": "1m",
    }
)
# The stack they are written for: GPUs, rules every minute (the test files' evaluation_interval),
# llama-3-8b and qwen3-8b declared with 30- and 10-minute startup allowances (others: default),
# llama-3-8b with prefix caching alerting under a 0.3 hit ratio; llama-3-8b autoscaled on 4
# waiting requests per replica and 80% KV cache, qwen3-8b on 8 running requests per replica.
TEST_FACTS = StackFacts(
    evaluation_interval="1m",
    startup_seconds={"llama-3-8b": 1800, "qwen3-8b": 600},
    prefix_cache_hit_ratio={"llama-3-8b": 0.3},
    autoscaling_targets={
        "llama-3-8b": {"pending_requests_per_replica": 4, "kv_cache_percent": 80},
        "qwen3-8b": {"running_requests_per_replica": 8},
    },
)


def render(directory: Path, cfg: RulesConfig = TEST_CONFIG) -> None:
    """rules/<area>.yaml as deployed, and rules-bare/<area>.yaml without annotations."""
    for sub in ("rules", "rules-bare"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    for area, groups in rule_groups(cfg, TEST_FACTS).items():
        text = render_rule_file(groups)
        (directory / "rules" / f"{area}.yaml").write_text(text)
        bare = yaml.safe_load(text)
        for group in bare["groups"]:
            for rule in group["rules"]:
                rule.pop("annotations", None)
        (directory / "rules-bare" / f"{area}.yaml").write_text(yaml.safe_dump(bare))


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    render(tmp_path)
    for test_file in PROMTOOL_TESTS.glob("*.test.yaml"):
        shutil.copy(test_file, tmp_path / test_file.name)
    return tmp_path


@pytest.mark.parametrize("gpu_enabled", [True, False])
def test_check_rules_on_every_rendered_group(tmp_path: Path, gpu_enabled: bool) -> None:
    facts = StackFacts(gpu_enabled=gpu_enabled, startup_seconds={"llama-3-8b": 1800})
    for area, groups in rule_groups(RulesConfig(), facts).items():
        path = tmp_path / f"{area}.yaml"
        path.write_text(render_rule_file(groups))
        result = promtool("check", "rules", str(path))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "SUCCESS" in result.stdout


def test_the_test_files_evaluate_at_the_interval_the_groups_declare(rendered: Path) -> None:
    """Integrals over recorded series (spend, request counts) assume the group interval."""
    intervals = {g["interval"] for gs in rule_groups(TEST_CONFIG, TEST_FACTS).values() for g in gs}
    assert intervals == {TEST_FACTS.evaluation_interval}
    for path in rendered.glob("*.test.yaml"):
        assert yaml.safe_load(path.read_text())["evaluation_interval"] in intervals, path.name


def test_every_test_file_orders_all_its_groups(rendered: Path) -> None:
    """Without group_eval_order promtool evaluates groups in random order."""
    for path in rendered.glob("*.test.yaml"):
        test = yaml.safe_load(path.read_text())
        names = [
            g["name"]
            for f in test["rule_files"]
            for g in yaml.safe_load((rendered / f).read_text())["groups"]
        ]
        assert sorted(test["group_eval_order"]) == sorted(names), path.name


def test_promtool_unit_tests_pass(rendered: Path) -> None:
    files = sorted(str(p) for p in rendered.glob("*.test.yaml"))
    assert len(files) == len(AREAS) + 1  # one per area and the annotations file
    result = promtool("test", "rules", *files)
    assert result.returncode == 0, result.stdout + result.stderr


def replace_rule(rendered: Path, area: str, name: str, expr: str) -> None:
    """Give one rule of the rendered files another expression (both variants)."""
    for sub in ("rules", "rules-bare"):
        path = rendered / sub / f"{area}.yaml"
        document = yaml.safe_load(path.read_text())
        rules = [
            r
            for g in document["groups"]
            for r in g["rules"]
            if name in (r.get("alert"), r.get("record"))
        ]
        assert rules, f"{name} not in {path}"
        for rule in rules:
            rule["expr"] = expr
        path.write_text(yaml.safe_dump(document))


# Rules as this project (or the published rule files it replaced) used to write them. Each
# promtool test file must fail on them: the tests catch what the issue found.
EARLIER_RULES = {
    "xid-changes": (
        "gpu",
        "GPUXidError",
        "(changes(DCGM_FI_DEV_XID_ERRORS[10m]) > 0 and DCGM_FI_DEV_XID_ERRORS > 0)"
        " or increase(DCGM_EXP_XID_ERRORS_TOTAL[10m]) > 0",
    ),
    "xid-forever": ("gpu", "GPUXidError", "DCGM_FI_DEV_XID_ERRORS > 0"),
    "target-down-pages-starting-replicas": (
        "availability",
        "InferenceTargetDown",
        'up{model_name!=""} == 0',
    ),
    "spend-as-mean-times-24": (
        "cost",
        "ai:model_spend_dollars:1d",
        "avg_over_time(ai:model_cost_dollars_per_hour[1d]) * 24",
    ),
    "loading-pods-cost-nobody": (
        "cost",
        "ai:model_cost_dollars_per_hour",
        "sum by (model_name) (sum by (namespace, pod) (ai_pod_gpu_hourly_cost_dollars)"
        " * on (namespace, pod) group_left (model_name)"
        " group by (namespace, pod, model_name) (vllm:num_requests_running))",
    ),
    "stalled-on-generated-tokens-only": (
        "inference",
        "InferenceEngineStalled",
        "(sum by (model_name, namespace, pod) (vllm:num_requests_running)"
        " + sum by (model_name, namespace, pod) (vllm:num_requests_waiting)) > 0"
        " and sum by (model_name, namespace, pod) (rate(vllm:generation_tokens_total[5m])) == 0",
    ),
    "error-ratio-without-traffic-guard": (
        "inference",
        "HighInferenceErrorRate",
        "ai:error_ratio > 0.05",
    ),
    "fast-burn-without-traffic-guard": (
        "slo",
        "SLOErrorBudgetBurnFast",
        'slo:sli_error:ratio_rate1h{slo="availability"} > 0.144'
        ' and slo:sli_error:ratio_rate5m{slo="availability"} > 0.144',
    ),
    "thermal-fixed-85": (
        "gpu",
        "GPUThermalThrottle",
        "ai:gpu_temperature_celsius > 85"
        " or floor(max without (instance, job, endpoint, service)"
        " (DCGM_FI_DEV_CLOCKS_EVENT_REASONS) / 32) % 4 > 0",
    ),
    "quantile-per-pod": (
        "inference",
        "ai:ttft_seconds_bucket:rate",
        "sum by (model_name, pod, le) (rate(vllm:time_to_first_token_seconds_bucket[5m]))",
    ),
    "at-max-without-the-signal": (
        "autoscaling",
        "ModelAtMaxReplicas",
        "ai:model_autoscaler_replicas:current >= on (namespace, model_name)"
        " ai:model_autoscaler_replicas:max",
    ),
    "autoscaler-errors-while-loading": (
        "autoscaling",
        "AutoscalerErrors",
        'label_replace(sum by (namespace, scaledObject) (increase(keda_scaled_object_errors_total[5m])) > 0, "model_name", "$1", "scaledObject", "(.+)")',
    ),
    "allocation-ratio-multiplies-the-gpus-in": (
        "chargeback",
        "ai:gpu_allocation:ratio",
        "sum by (gpu_product) (max by (node) (ai_node_gpus_allocated) * on (node)"
        " group_left (gpu_product) max by (node, gpu_product) (ai_node_gpus))"
        " / sum by (gpu_product) (ai_node_gpus)",
    ),
    "team-spend-as-mean-times-24": (
        "chargeback",
        "ai:team_spend_dollars:1d",
        "avg_over_time(ai:team_cost_dollars_per_hour[1d]) * 24",
    ),
    "cost-units": (
        "cost",
        "ai:cost_per_million_tokens_dollars",
        "ai:model_cost_dollars_per_hour / (ai:tokens_per_second > 0) * 1e6",
    ),
}


@pytest.mark.parametrize("earlier", sorted(EARLIER_RULES))
def test_the_unit_tests_fail_on_the_rules_they_replace(rendered: Path, earlier: str) -> None:
    """Control: with one rule as it used to be written, its area's promtool tests fail."""
    area, name, expr = EARLIER_RULES[earlier]
    replace_rule(rendered, area, name, expr)
    result = promtool("test", "rules", str(rendered / f"{area}.test.yaml"))
    assert result.returncode != 0, result.stdout
    assert "FAILED" in result.stdout + result.stderr
