"""Model quality rules from the exporter's LLM-judge counters."""

from __future__ import annotations

from typing import Any

from rules._builders import alert, group, record, recording_groups
from rules.config import RulesConfig
from rules.stack import StackFacts


def recording_rules(cfg: RulesConfig) -> list[dict[str, Any]]:
    """Hallucination rate, evaluation counts and mean judge scores per model."""
    return [
        record(
            "ai:evaluations:increase_1h",
            "sum by (model_name) (increase(ai_quality_evaluations_total[1h]))",
        ),
        record(
            "ai:hallucination_rate:ratio_1h",
            """
            sum by (model_name) (increase(ai_quality_hallucinations_total[1h]))
            /
            (sum by (model_name) (increase(ai_quality_evaluations_total[1h])) > 0)
            """,
        ),
        record(
            "ai:judge_score:avg_1h",
            """
            sum by (model_name) (rate(ai_quality_score_sum[1h]))
            /
            (sum by (model_name) (rate(ai_quality_score_count[1h])) > 0)
            """,
        ),
        record(
            "ai:judge_score:avg_7d",
            """
            sum by (model_name) (rate(ai_quality_score_sum[7d]))
            /
            (sum by (model_name) (rate(ai_quality_score_count[7d])) > 0)
            """,
        ),
    ]


def alerts(cfg: RulesConfig) -> list[dict[str, Any]]:
    """Hallucination rate and drift, only on enough evaluations (judges score a sample)."""
    rb = cfg.runbook_base_url
    enough = f"ai:evaluations:increase_1h >= {cfg.min_evaluations}"
    return [
        alert(
            "HallucinationRateHigh",
            f"ai:hallucination_rate:ratio_1h > {cfg.hallucination_rate:g}\nand\n{enough}",
            "10m",
            "warning",
            "A model hallucinates more than allowed.",
            "{{ $value | humanizePercentage }} of the judged responses of "
            "{{ $labels.model_name }} in the last hour were hallucinations "
            f"(threshold {cfg.hallucination_rate:.0%}, at least {cfg.min_evaluations} "
            "evaluations).",
            rb,
        ),
        alert(
            "ModelQualityDrift",
            f"""
            ai:judge_score:avg_1h < ai:judge_score:avg_7d - {cfg.quality_drift:g}
            and
            {enough}
            """,
            "30m",
            "warning",
            "Judge scores of a model dropped below their weekly baseline.",
            "The mean judge score of {{ $labels.model_name }} over the last hour is "
            "{{ $value | humanize }}, more than "
            f"{cfg.quality_drift:g} below its 7-day mean.",
            rb,
        ),
    ]


def groups(cfg: RulesConfig, facts: StackFacts) -> list[dict[str, Any]]:
    """The quality recording and alert groups."""
    return [
        *recording_groups("ai-quality", recording_rules(cfg)),
        group("ai-quality.alerts", alerts(cfg)),
    ]
