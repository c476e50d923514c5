"""All rule groups by area, and the rule file format."""

from __future__ import annotations

from typing import Any

import yaml

from rules import autoscaling, availability, chargeback, cost, engine, gpu, inference, quality, slo
from rules.config import RulesConfig
from rules.stack import StackFacts

AREAS = (
    "inference",
    "engine",
    "availability",
    "autoscaling",
    "gpu",
    "cost",
    "chargeback",
    "quality",
    "slo",
)
MODULES = {
    "inference": inference,
    "engine": engine,
    "availability": availability,
    "autoscaling": autoscaling,
    "gpu": gpu,
    "cost": cost,
    "chargeback": chargeback,
    "quality": quality,
    "slo": slo,
}


def rule_groups(
    cfg: RulesConfig, facts: StackFacts | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Area -> its rule groups (one PrometheusRule per area). Every group declares its interval:
    the stack's evaluation interval, rules.diagnosticsInterval for what no fast alert reads (the
    engine internals, the inter-token and end-to-end latency quantiles: most of the bucket
    histograms read per pod), or rules.longWindowInterval
    for the groups over day- and week-long windows, whose values move little between
    evaluations. The integrals over
    recorded series (spend, request counts) multiply by the interval of the group that records
    what they sum, so they hold in whichever Prometheus loads the rules."""
    facts = facts or StackFacts()
    intervals = {
        "fast": facts.evaluation_interval,
        "diagnostics": cfg.diagnostics_interval,
        "long": cfg.long_window_interval,
    }
    return {
        area: [
            {
                "name": g["name"],
                "interval": intervals[g.get("cadence", "fast")],
                "rules": g["rules"],
            }
            for g in MODULES[area].groups(cfg, facts)
        ]
        for area in AREAS
    }


class _RuleFileDumper(yaml.SafeDumper):
    """Writes multi-line expressions as literal blocks, as a person would."""


def _str_representer(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_RuleFileDumper.add_representer(str, _str_representer)


def render_rule_file(groups: list[dict[str, Any]]) -> str:
    """A Prometheus rule file (what promtool and `rule_files` read)."""
    return yaml.dump({"groups": groups}, Dumper=_RuleFileDumper, sort_keys=False, width=1000)
