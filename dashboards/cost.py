"""Cost & Efficiency: spend per hour and per day per model, unit costs, idle GPUs, capacity types."""

from __future__ import annotations

from typing import Any

from dashboards._panels import (
    GREEN,
    RED,
    YELLOW,
    dashboard,
    row,
    runbook_link,
    standard_variables,
    stat,
    table,
    thresholds,
    timeseries,
)
from rules.config import RulesConfig

UID = "ai-cost-efficiency"
M = 'model_name=~"$model", cluster=~"$cluster"'
C = 'cluster=~"$cluster"'


def hosted_api_panel(cfg: RulesConfig) -> list[dict[str, Any]]:
    """What the same tokens would cost on a hosted API (with its prices in the config)."""
    prompt, generation = cfg.hosted_prompt_dollars, cfg.hosted_generation_dollars
    if prompt == 0 and generation == 0:
        return []
    hosted = (
        f"(ai:prompt_tokens_per_second{{{M}}} * {prompt:g}"
        f" + on (model_name) ai:tokens_per_second{{{M}}} * {generation:g}) * 3600 / 1e6"
    )
    return [
        timeseries(
            "Self-Hosted vs Hosted API",
            f"GPU cost per hour of each model against its tokens at a hosted API's prices "
            f"({prompt:g} USD per 1M prompt, {generation:g} per 1M generated tokens).",
            [
                (f"ai:model_cost_dollars_per_hour{{{M}}}", "{{model_name}} self-hosted"),
                (hosted, "{{model_name}} hosted API"),
            ],
            "currencyUSD",
            w=24,
        )
    ]


def chargeback_panels(cfg: RulesConfig) -> list[dict[str, Any]]:
    """Who spends what: teams, namespaces, idle GPUs, allocation, prompt vs generated tokens."""
    return [
        row("Chargeback"),
        table(
            "Spend by Team",
            "GPU cost per hour now and over the last 24 hours per team (the pods' or their "
            "namespaces' team label; unassigned without one).",
            [
                (f"sum by (team) (ai:team_cost_dollars_per_hour{{{C}}})", "{{team}} per hour"),
                (f"sum by (team) (ai:team_spend_dollars:1d{{{C}}})", "{{team}} 24h"),
            ],
            "currencyUSD",
            links=runbook_link(cfg.runbook_base_url, "TeamBudgetExceeded"),
        ),
        timeseries(
            "Spend per Hour by Team",
            "GPU cost per hour of each team's pods (their share of shared GPUs).",
            [(f"sum by (team) (ai:team_cost_dollars_per_hour{{{C}}})", "{{team}}")],
            "currencyUSD",
        ),
        table(
            "Spend by Namespace",
            "GPU cost per hour of each namespace's pods.",
            [(f"ai:namespace_cost_dollars_per_hour{{{C}}}", "{{namespace}}")],
            "currencyUSD",
        ),
        timeseries(
            "Spend per Hour by Namespace",
            "GPU cost per hour of each namespace's pods.",
            [(f"ai:namespace_cost_dollars_per_hour{{{C}}}", "{{namespace}}")],
            "currencyUSD",
        ),
        timeseries(
            "Idle GPU Cost by GPU Type",
            "Price x GPUs no pod holds (a time-sliced or MIG share counts as its share), per "
            "GPU product of the node pools.",
            [
                (
                    f"sum by (gpu_product) (ai:idle_gpu_cost_dollars_per_hour{{{C}}})",
                    "{{gpu_product}}",
                )
            ],
            "currencyUSD",
            links=runbook_link(cfg.runbook_base_url, "IdleGpuSpendHigh"),
        ),
        timeseries(
            "GPU Allocation",
            "GPU-equivalents the pods hold / physical GPUs, per GPU product.",
            [(f"ai:gpu_allocation:ratio{{{C}}}", "{{gpu_product}}")],
            "percentunit",
        ),
        timeseries(
            "Cost per 1M Prompt vs Generated Tokens",
            "A model's cost split by the shares of request time in prefill and decode (an "
            "attribution, not measured GPU cycles), per 1M tokens of each kind (USD).",
            [
                (f"ai:cost_per_million_prompt_tokens_dollars{{{M}}}", "{{model_name}} prompt"),
                (
                    f"ai:cost_per_million_generation_tokens_dollars{{{M}}}",
                    "{{model_name}} generated",
                ),
            ],
            "currencyUSD",
            w=24,
        ),
        *hosted_api_panel(cfg),
    ]


def build(cfg: RulesConfig) -> dict[str, Any]:
    """The dashboard's JSON model."""
    budget = cfg.daily_budget_dollars
    spend_thresholds = (
        thresholds((None, GREEN), (0.8 * budget, YELLOW), (budget, RED))
        if budget > 0
        else thresholds((None, GREEN))
    )
    panels = [
        row("Spend"),
        stat(
            "GPU Spend, Last 24h",
            "What every priced GPU cost over the last day, from the exporter's accrued counter.",
            [(f"sum(ai:daily_spend_dollars{{{C}}})", "24h")],
            "currencyUSD",
            thresholds=spend_thresholds,
            links=runbook_link(cfg.runbook_base_url, "CostBudgetExceeded"),
        ),
        stat(
            "GPU Spend Rate",
            "Cost per hour of every priced GPU now.",
            [(f"sum(ai:gpu_cost_dollars_per_hour{{{C}}})", "per hour")],
            "currencyUSD",
        ),
        stat(
            "Idle GPU Cost",
            "Cost per hour of GPUs no pod requests: node GPU cost minus the GPU cost of pods.",
            [
                (
                    f"sum(ai:gpu_cost_dollars_per_hour{{{C}}}) - (sum(ai_pod_gpu_hourly_cost_dollars{{{C}}}) or vector(0))",
                    "idle per hour",
                )
            ],
            "currencyUSD",
            thresholds=thresholds((None, GREEN), (0.01, YELLOW)),
        ),
        stat(
            "Unpriced GPUs",
            "GPUs with no price for their product and capacity type: their cost is unknown, not zero.",
            [(f"sum(ai_exporter_unpriced_gpus{{{C}}}) or vector(0)", "GPUs")],
            "short",
            thresholds=thresholds((None, GREEN), (1, RED)),
        ),
        timeseries(
            "Spend per Hour by Model",
            "GPU cost per hour of the pods serving each model.",
            [(f"ai:model_cost_dollars_per_hour{{{M}}}", "{{model_name}}")],
            "currencyUSD",
        ),
        timeseries(
            "Spend per Day by Model",
            "GPU cost of each model over the preceding 24 hours.",
            [(f"ai:model_spend_dollars:1d{{{M}}}", "{{model_name}}")],
            "currencyUSD",
        ),
        row("Unit costs"),
        timeseries(
            "Cost per 1M Tokens",
            "Model GPU cost per second / generated tokens per second x 1e6 (USD). Idle models "
            "have no value rather than an infinite one.",
            [(f"ai:cost_per_million_tokens_dollars{{{M}}}", "{{model_name}}")],
            "currencyUSD",
        ),
        timeseries(
            "Cost per Request",
            "Model GPU cost per second / requests per second: the amortised cost of a request "
            "under batching (USD).",
            [(f"ai:request_cost_dollars:avg{{{M}}}", "{{model_name}}")],
            "currencyUSD",
        ),
        *chargeback_panels(cfg),
        row("Capacity"),
        timeseries(
            "Spot vs On-Demand",
            "GPU cost per hour by capacity type.",
            [
                (
                    f"sum by (capacity_type) (ai:gpu_cost_dollars_per_hour{{{C}}})",
                    "{{capacity_type}}",
                )
            ],
            "currencyUSD",
        ),
        timeseries(
            "GPU Price by Node",
            "Price of one GPU-hour on each node (product table or instance price / GPUs).",
            [
                (
                    f"max by (node, gpu_product, capacity_type) (ai_node_gpu_hourly_cost_dollars{{{C}}})",
                    "{{node}} {{gpu_product}} {{capacity_type}}",
                )
            ],
            "currencyUSD",
        ),
    ]
    return dashboard(
        UID,
        "Cost & Efficiency",
        "GPU spend per model, per token and per request; idle and unpriced GPUs.",
        panels,
        standard_variables(),
        tags=("cost",),
    )
