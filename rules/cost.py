"""Cost rules: GPU price x GPUs per node, per model through the serving pods, per token and
per request (amortised: cost per second divided by rate per second, so batching is right)."""

from __future__ import annotations

from typing import Any

from rules._builders import alert, group, record, recording_groups
from rules.catalog import TARGET_LABELS
from rules.config import RulesConfig
from rules.stack import StackFacts

SECONDS_PER_HOUR = 3600


def recording_rules(facts: StackFacts) -> list[dict[str, Any]]:
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
        # The GPU cost of the pods serving each model: the exporter prices pods, and
        # ai:pod_model:info says which model a pod serves (a pod still loading its weights
        # included: it holds its GPUs already).
        record(
            "ai:model_cost_dollars_per_hour",
            """
            sum by (model_name) (
              sum by (namespace, pod) (ai_pod_gpu_hourly_cost_dollars)
              * on (namespace, pod) group_left (model_name)
              ai:pod_model:info
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
        # The integral of the hourly cost over the day: each sample stands for one evaluation
        # interval of this group, so a model that ran two hours costs two hours (a mean times
        # 24 would bill it for the whole day).
        record(
            "ai:model_spend_dollars:1d",
            f"""
            sum_over_time(ai:model_cost_dollars_per_hour[1d])
            * {facts.interval_seconds:g} / {SECONDS_PER_HOUR}
            """,
        ),
    ]


def alerts(cfg: RulesConfig, facts: StackFacts) -> list[dict[str, Any]]:
    """The daily budget (only when one is configured) and a stale exporter inventory."""
    result = []
    if cfg.daily_budget_dollars > 0:
        result.append(
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
        )
    if facts.exporter_staleness_seconds is not None:
        # The same limit as the exporter's /healthz, per source (nodes, pods, or a file): 0
        # before the first sync, so an exporter that never synced fires too.
        result.append(
            alert(
                "CostExporterInventoryStale",
                f"""
                time() - ai_exporter_inventory_last_success_timestamp_seconds
                > {facts.exporter_staleness_seconds:g}
                """,
                "5m",
                "warning",
                "The cost exporter's GPU inventory is stale.",
                "The exporter last synced its {{ $labels.source }} inventory "
                "{{ $value | humanizeDuration }} ago: node and pod costs may be out of date.",
                cfg.runbook_base_url,
            )
        )
    return result


def groups(cfg: RulesConfig, facts: StackFacts) -> list[dict[str, Any]]:
    """The cost recording and alert groups."""
    result = recording_groups("ai-cost", recording_rules(facts))
    cost_alerts = alerts(cfg, facts)
    if cost_alerts:
        result.append(group("ai-cost.alerts", cost_alerts))
    return result
