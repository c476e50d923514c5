"""Cost rules: GPU price x GPUs per node, per model through the serving pods, per token and
per request (amortised: cost per second divided by rate per second, so batching is right)."""

from __future__ import annotations

from typing import Any

from rules._builders import alert, group, record
from rules.catalog import TARGET_LABELS
from rules.config import RulesConfig

SECONDS_PER_HOUR = 3600


def recording_rules(cfg: RulesConfig) -> list[dict[str, Any]]:
    """ai:*cost* and spend series."""
    return [
        record(
            "ai:gpu_cost_dollars_per_hour",
            """
            sum by (node, gpu_product, instance_type, capacity_type) (
              ai_node_gpu_hourly_cost_dollars
              * on (node) group_left ()
              max by (node) (ai_node_gpus)
            )
            """,
        ),
        # The GPU cost of the pods serving each model: the exporter prices pods, vLLM's series
        # (any of them carries the pod's target labels and model_name) say which model a pod
        # serves.
        record(
            "ai:model_cost_dollars_per_hour",
            """
            sum by (model_name) (
              sum by (namespace, pod) (ai_pod_gpu_hourly_cost_dollars)
              * on (namespace, pod) group_left (model_name)
              group by (namespace, pod, model_name) (vllm:num_requests_running)
            )
            """,
        ),
        # $/h -> $/s, divided by tokens/s, times 1e6.
        record(
            "ai:cost_per_million_tokens_dollars",
            f"""
            ai:model_cost_dollars_per_hour / {SECONDS_PER_HOUR}
            / (ai:tokens_per_second > 0)
            * 1e6
            """,
        ),
        record(
            "ai:request_cost_dollars:avg",
            f"""
            ai:model_cost_dollars_per_hour / {SECONDS_PER_HOUR}
            / (ai:requests_per_second > 0)
            """,
        ),
        # From the exporter's accrued-cost counter: survives restarts and scrape gaps.
        record(
            "ai:daily_spend_dollars",
            f"""
            sum without ({TARGET_LABELS}, namespace, pod, container) (
              increase(ai_gpu_cost_dollars_total[1d])
            )
            """,
        ),
        record(
            "ai:model_spend_dollars:1d",
            "avg_over_time(ai:model_cost_dollars_per_hour[1d]) * 24",
        ),
    ]


def alerts(cfg: RulesConfig) -> list[dict[str, Any]]:
    """The daily budget (only when one is configured)."""
    if cfg.daily_budget_dollars <= 0:
        return []
    return [
        alert(
            "CostBudgetExceeded",
            f"sum(ai:daily_spend_dollars) > {cfg.daily_budget_dollars:g}",
            "15m",
            "warning",
            "GPU spend is above the daily budget.",
            "GPUs cost {{ $value | humanize }} USD over the last 24 hours "
            f"(budget {cfg.daily_budget_dollars:g} USD).",
            cfg.runbook_base_url,
        )
    ]


def groups(cfg: RulesConfig) -> list[dict[str, Any]]:
    """The cost recording and alert groups."""
    result = [group("ai-cost.rules", recording_rules(cfg))]
    budget = alerts(cfg)
    if budget:
        result.append(group("ai-cost.alerts", budget))
    return result
