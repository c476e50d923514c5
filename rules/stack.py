"""What the rules know of the stack they run in, besides their own thresholds (RulesConfig):
whether GPUs are monitored, the rule evaluation interval, each model's startup allowance, and
the cost exporter's inventory staleness limit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rules.durations import parse_duration

# inference.models[].startupTimeout's default: the allowance of a model the stack does not
# declare (a model server the team runs itself).
DEFAULT_STARTUP_SECONDS = 1800


@dataclass(frozen=True)
class StackFacts:
    """Facts of the deployment the rule groups are rendered for."""

    gpu_enabled: bool = True
    # Every group declares it as its own interval, so the integrals over recorded series
    # (spend, request counts) hold in whichever Prometheus loads the rules.
    evaluation_interval: str = "30s"
    startup_seconds: Mapping[str, float] = field(default_factory=dict)  # model_name -> seconds
    # model_name -> the prefix-cache hit ratio under which it alerts (prefix caching on only).
    prefix_cache_hit_ratio: Mapping[str, float] = field(default_factory=dict)
    # model_name -> {signal (rules.autoscaling.SIGNALS): target} of each autoscaled model.
    autoscaling_targets: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    # The Prometheus label of the exporter's first attribution label (teams' cost and budgets).
    attribution_label: str = "team"
    # The exporter's inventory_staleness_seconds (its /healthz limit); None without the exporter.
    exporter_staleness_seconds: float | None = 300.0

    @property
    def interval_seconds(self) -> float:
        """The evaluation interval in seconds."""
        return parse_duration(self.evaluation_interval)
