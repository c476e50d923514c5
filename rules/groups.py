"""All rule groups by area, and the rule file format."""

from __future__ import annotations

from typing import Any

import yaml

from components.rules_config import RulesConfig
from rules import cost, gpu, inference, quality, slo

AREAS = ("inference", "gpu", "cost", "quality", "slo")


def rule_groups(cfg: RulesConfig, gpu_enabled: bool = True) -> dict[str, list[dict[str, Any]]]:
    """Area -> its rule groups (one PrometheusRule per area)."""
    return {
        "inference": inference.groups(cfg),
        "gpu": gpu.groups(cfg, gpu_enabled),
        "cost": cost.groups(cfg),
        "quality": quality.groups(cfg),
        "slo": slo.groups(cfg),
    }


def render_rule_file(groups: list[dict[str, Any]]) -> str:
    """A Prometheus rule file (what promtool and `rule_files` read)."""
    return yaml.safe_dump({"groups": groups}, sort_keys=False, width=1000)
