"""Every dashboard by uid, and their Grafana folder."""

from __future__ import annotations

import json
from typing import Any

from dashboards import cost, engine, gpu_fleet, inference, quality, slo
from rules.config import RulesConfig

FOLDER = "AI Observability"
MODULES = (inference, engine, gpu_fleet, cost, slo, quality)


def all_dashboards(cfg: RulesConfig) -> dict[str, dict[str, Any]]:
    """uid -> dashboard JSON model."""
    return {module.UID: module.build(cfg) for module in MODULES}


def to_json(model: dict[str, Any]) -> str:
    """Stable JSON text (sorted keys), as deployed and written by `make dashboards`."""
    return json.dumps(model, indent=2, sort_keys=True) + "\n"
