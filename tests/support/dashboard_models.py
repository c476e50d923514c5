"""The dashboards the unit tests judge: the test config, the uids, and the models built when a
test runs (never at import: mutation runs change the code after the modules load)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from dashboards.all import all_dashboards
from rules.config import RulesConfig
from tests.support.tools import promtool

# The defaults, plus a budget so that the spend panels mark it.
CONFIG = RulesConfig(daily_budget_dollars=1000)
UIDS = (
    "ai-cost-efficiency",
    "ai-gpu-fleet",
    "ai-inference-overview",
    "ai-model-quality",
    "ai-slos",
    "ai-engine-internals",
)


def dashboards() -> dict[str, dict[str, Any]]:
    """uid -> the dashboard's JSON model under CONFIG."""
    return all_dashboards(CONFIG)


def panels(model: dict[str, Any]) -> list[dict[str, Any]]:
    """The panels of a dashboard that show data (no rows)."""
    return [p for p in model["panels"] if p["type"] != "row"]


def promtool_test_passes(directory: Path, name: str, test: dict[str, Any]) -> str:
    """promtool's output for a unit-test file written to directory; empty when it passed."""
    path = directory / f"{name}.test.yaml"
    path.write_text(yaml.safe_dump(test))
    result = promtool("test", "rules", str(path))
    return "" if result.returncode == 0 else result.stdout + result.stderr
