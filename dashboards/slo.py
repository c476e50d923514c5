"""SLOs: per SLO the current SLI, error budget remaining, burn rates per window, alert state."""

from __future__ import annotations

from typing import Any

from dashboards._panels import (
    GREEN,
    ORANGE,
    RED,
    dashboard,
    row,
    runbook_link,
    standard_variables,
    stat,
    table,
    thresholds,
    timeseries,
)
from rules.config import RulesConfig, SloConfig
from rules.slo import WINDOWS, error_ratio

UID = "ai-slos"


def slo_panels(cfg: RulesConfig, slo: SloConfig) -> list[dict[str, Any]]:
    """One row of panels for one SLO."""
    sel = f'slo="{slo.name}", model_name=~"$model", cluster=~"$cluster"'
    budget = slo.error_budget
    what = (
        f"share of requests with a time to first token of at most {slo.threshold_seconds:g}s"
        if slo.type == "latency"
        else "share of requests without a server error"
    )
    return [
        row(f"SLO {slo.name}: {slo.objective_percent:g}% ({slo.type})"),
        stat(
            "SLI, Last 5 Minutes",
            f"The {what}, per model.",
            [(f"1 - slo:sli_error:ratio_rate5m{{{sel}}}", "{{model_name}}")],
            "percentunit",
            decimals=3,
            thresholds=thresholds((None, RED), (slo.objective_percent / 100, GREEN)),
        ),
        stat(
            "Error Budget Remaining (30d)",
            f"1 - (error ratio over 30 days / budget {budget:.4g}): errors over requests in the "
            "30 days, so busy hours weigh more than quiet ones, the worse source counting; "
            "below 0 the SLO is missed.",
            [
                (
                    f"1 - {error_ratio(sel, '30d', by='cluster, model_name')} / {budget:.6g}",
                    "{{model_name}}",
                )
            ],
            "percentunit",
            decimals=1,
            thresholds=thresholds((None, RED), (0.25, ORANGE), (0.5, GREEN)),
        ),
        timeseries(
            "Burn Rate per Window",
            "Error ratio divided by the budget over each alerting window: 1 spends the budget in "
            "exactly 30 days; the fast alert fires at 14.4 (1h and 5m) or 6 (6h and 30m).",
            [
                (f"slo:sli_error:ratio_rate{w}{{{sel}}} / {budget:.6g}", f"{{{{model_name}}}} {w}")
                for w in WINDOWS
            ],
            "short",
            thresholds=thresholds((None, GREEN), (6, ORANGE), (14.4, RED)),
            links=runbook_link(cfg.runbook_base_url, "SLOErrorBudgetBurnFast"),
        ),
        table(
            "Alert State",
            "Burn-rate alerts of this SLO that are pending or firing.",
            [
                (
                    f'ALERTS{{alertname=~"SLOErrorBudgetBurn.*", {sel}}}',
                    "{{alertname}} {{alertstate}} {{model_name}}",
                )
            ],
            "none",
            w=24,
            h=5,
        ),
    ]


def build(cfg: RulesConfig) -> dict[str, Any]:
    """The dashboard's JSON model: a row per configured SLO."""
    panels = [p for slo in cfg.slos for p in slo_panels(cfg, slo)]
    return dashboard(
        UID,
        "SLOs",
        "Every SLO per model: SLI, error budget, burn rates and alerts.",
        panels,
        standard_variables(),
        tags=("slo",),
    )
