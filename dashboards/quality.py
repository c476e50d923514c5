"""Model Quality: evaluations, hallucination rate, score distribution, drift from the baseline."""

from __future__ import annotations

from typing import Any

from dashboards._panels import (
    GREEN,
    RED,
    bucket_heatmap,
    dashboard,
    row,
    runbook_link,
    standard_variables,
    thresholds,
    timeseries,
)
from rules.config import RulesConfig

UID = "ai-model-quality"
M = 'model_name=~"$model", cluster=~"$cluster"'


def build(cfg: RulesConfig) -> dict[str, Any]:
    """The dashboard's JSON model."""
    rb = cfg.runbook_base_url
    score_distribution = bucket_heatmap(
        "Score Distribution",
        "Judge scores in the selected models, in 0.1-wide buckets.",
        f"sum by (le) (increase(ai_quality_score_bucket{{{M}}}[$__rate_interval]))",
        "short",
    )
    panels = [
        row("Judged responses"),
        timeseries(
            "Evaluations per Model (1h)",
            "Responses judged in the last hour per model.",
            [(f"ai:evaluations:increase_1h{{{M}}}", "{{model_name}}")],
            "short",
        ),
        timeseries(
            "Hallucination Rate (1h)",
            f"Hallucinations / evaluations over the last hour; the alert needs at least {cfg.min_evaluations} evaluations.",
            [(f"ai:hallucination_rate:ratio_1h{{{M}}}", "{{model_name}}")],
            "percentunit",
            thresholds=thresholds((None, GREEN), (cfg.hallucination_rate, RED)),
            links=runbook_link(rb, "HallucinationRateHigh"),
        ),
        timeseries(
            "Judge Score vs 7-Day Baseline",
            "Mean judge score over the last hour and over the last 7 days.",
            [
                (f"ai:judge_score:avg_1h{{{M}}}", "{{model_name}} 1h"),
                (f"ai:judge_score:avg_7d{{{M}}}", "{{model_name}} 7d"),
            ],
            "percentunit",
            min=0,
            max=1,
        ),
        timeseries(
            "Drift from Baseline",
            f"1h mean minus 7-day mean; the alert fires below -{cfg.quality_drift:g}.",
            [(f"ai:judge_score:avg_1h{{{M}}} - ai:judge_score:avg_7d{{{M}}}", "{{model_name}}")],
            "short",
            thresholds=thresholds((None, RED), (-cfg.quality_drift, GREEN)),
            links=runbook_link(rb, "ModelQualityDrift"),
        ),
        score_distribution,
        timeseries(
            "Rejected Evaluation Posts",
            "Requests to /v1/evaluations the exporter refused, by reason.",
            [
                (
                    'sum by (reason) (rate(ai_exporter_evaluations_rejected_total{cluster=~"$cluster"}[$__rate_interval]))',
                    "{{reason}}",
                )
            ],
            "reqps",
        ),
    ]
    return dashboard(
        UID,
        "Model Quality",
        "LLM-judge results per model: volume, hallucinations, scores, drift.",
        panels,
        standard_variables(),
        tags=("quality",),
    )
