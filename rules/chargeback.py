"""Who spends what: GPU cost per namespace and per team, the cost of GPUs nobody requested,
allocation per GPU product, and a model's cost split between prompt and generated tokens.

From the exporter (exporter/exposition.py): ai_pod_gpu_hourly_cost_dollars (a pod's share of
its node's GPUs times their price), ai_pod_cost_attribution_info{namespace, pod, <team label>},
ai_node_gpus (physical), ai_node_gpus_allocated (GPU-equivalents the pods hold).

The prompt/generation split is an attribution, not a measurement of GPU cycles: a model's cost
is divided by the shares of request time its requests spent in prefill and in decode (vLLM's
vllm:request_prefill_time_seconds and vllm:request_decode_time_seconds sums, as rules/engine.py
records them in ai:request_phase_seconds:rate), though a batch
interleaves the prefill of some requests with the decode of others.
"""

from __future__ import annotations

from typing import Any

from rules._builders import alert, group, record, recording_groups
from rules.config import RulesConfig
from rules.cost import SECONDS_PER_HOUR
from rules.stack import StackFacts


def _phase_rate(phase: str) -> str:
    """Seconds per second a model's requests spend in a phase (rules/engine.py records it from
    vLLM's phase histogram sums)."""
    return f'sum by (model_name) (ai:request_phase_seconds:rate{{phase="{phase}"}})'


def recording_rules(cfg: RulesConfig, facts: StackFacts) -> list[dict[str, Any]]:
    """Namespace and team cost, idle cost, allocation, prompt/generation cost per model."""
    label = facts.attribution_label
    prefill, decode = _phase_rate("prefill"), _phase_rate("decode")
    rules = [
        record(
            "ai:namespace_cost_dollars_per_hour",
            "sum by (namespace) (ai_pod_gpu_hourly_cost_dollars)",
        ),
        # Whatever the attribution label is called, the series name it `team`.
        record(
            "ai:team_cost_dollars_per_hour",
            f"""
            sum by (team) (
              label_replace(
                ai_pod_gpu_hourly_cost_dollars
                * on (namespace, pod) group_left ({label})
                max by (namespace, pod, {label}) (ai_pod_cost_attribution_info),
                "team", "$1", "{label}", "(.*)"
              )
            )
            """,
        ),
        # Price x (physical GPUs - GPU-equivalents the pods hold), never below 0.
        record(
            "ai:idle_gpu_cost_dollars_per_hour",
            """
            sum by (node, gpu_product) (
              ai_node_gpu_hourly_cost_dollars
              * on (node) group_left ()
              clamp_min(
                max by (node) (ai_node_gpus) - on (node) max by (node) (ai_node_gpus_allocated),
                0
              )
            )
            """,
        ),
        record(
            "ai:gpu_allocation:ratio",
            """
            sum by (gpu_product) (
              max by (node) (ai_node_gpus_allocated)
              * on (node) group_left (gpu_product)
              group by (node, gpu_product) (ai_node_gpus)
            )
            / (sum by (gpu_product) (ai_node_gpus) > 0)
            """,
        ),
        record("ai:prefill_share:ratio", f"{prefill} / (({prefill} + {decode}) > 0)"),
        record("ai:decode_share:ratio", f"{decode} / (({prefill} + {decode}) > 0)"),
        # $/h x share -> $/s, over tokens/s, times 1e6.
        record(
            "ai:cost_per_million_prompt_tokens_dollars",
            f"""
            ai:model_cost_dollars_per_hour * on (model_name) ai:prefill_share:ratio
            / {SECONDS_PER_HOUR} / (ai:prompt_tokens_per_second > 0) * 1e6
            """,
        ),
        record(
            "ai:cost_per_million_generation_tokens_dollars",
            f"""
            ai:model_cost_dollars_per_hour * on (model_name) ai:decode_share:ratio
            / {SECONDS_PER_HOUR} / (ai:tokens_per_second > 0) * 1e6
            """,
        ),
        # The integral of each team's hourly cost over the day (as ai:model_spend_dollars:1d).
        record(
            "ai:team_spend_dollars:1d",
            f"""
            sum_over_time(ai:team_cost_dollars_per_hour[1d])
            * {facts.interval_seconds:g} / {SECONDS_PER_HOUR}
            """,
        ),
    ]
    rules += [
        record("ai:team_budget_dollars:1d", f"vector({b.daily_dollars:g})", {"team": b.team})
        for b in cfg.budgets
    ]
    return rules


def alerts(cfg: RulesConfig, facts: StackFacts) -> list[dict[str, Any]]:
    """A team over its daily budget (only with budgets), and GPUs idle at a high share."""
    rb = cfg.runbook_base_url
    result = []
    if cfg.budgets:
        result.append(
            alert(
                "TeamBudgetExceeded",
                "ai:team_spend_dollars:1d > on (team) ai:team_budget_dollars:1d",
                "15m",
                "warning",
                "A team's GPU spend is above its daily budget.",
                "Team {{ $labels.team }} spent {{ $value | humanize }} USD on GPUs over the last "
                "24 hours, above its budget (rules.budgets).",
                rb,
            )
        )
    share = cfg.idle_spend_share
    result.append(
        alert(
            "IdleGpuSpendHigh",
            f"""
            sum(ai:idle_gpu_cost_dollars_per_hour) / (sum(ai:gpu_cost_dollars_per_hour) > 0)
            > {share:g}
            """,
            cfg.idle_spend_for,
            "warning",
            "Much of the GPU spend pays for GPUs nobody requested.",
            "{{ $value | humanizePercentage }} of the GPU cost per hour is idle GPUs "
            f"(threshold {share:.0%}, for {cfg.idle_spend_for}): scale the GPU node pools down "
            "or place more work on them.",
            rb,
        )
    )
    return result


def groups(cfg: RulesConfig, facts: StackFacts) -> list[dict[str, Any]]:
    """ai-chargeback.rules and ai-chargeback.alerts."""
    return [
        *recording_groups("ai-chargeback", recording_rules(cfg, facts)),
        group("ai-chargeback.alerts", alerts(cfg, facts)),
    ]
