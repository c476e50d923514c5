"""alertmanager.yaml from the pure builder: routes, inhibition, receivers, checked by amtool."""

from __future__ import annotations

from pathlib import Path

import yaml

from components.monitoring.alertmanager import render_alertmanager_config
from components.monitoring.config import AlertmanagerConfig, ReceiverConfig
from tests.support.tools import amtool


def test_a_broken_config_is_rejected_by_amtool(tmp_path: Path) -> None:
    """Control: amtool really validates (a route to a receiver that does not exist fails)."""
    config = yaml.safe_load(render_alertmanager_config(AlertmanagerConfig(), {}))
    config["route"]["routes"][2]["receiver"] = "pager-that-does-not-exist"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(config))
    result = amtool("check-config", str(path))
    assert result.returncode != 0


def test_group_by_keeps_models_apart_and_critical_inhibits_warning_per_model() -> None:
    config = yaml.safe_load(render_alertmanager_config(AlertmanagerConfig(), {}))
    assert "model_name" in config["route"]["group_by"]
    critical = config["inhibit_rules"][0]
    assert critical["source_matchers"] == ['severity = "critical"']
    assert "warning" in critical["target_matchers"][0]
    assert {"alertname", "model_name"} <= set(critical["equal"])


def test_receiver_without_endpoint_is_a_blackhole() -> None:
    config = yaml.safe_load(render_alertmanager_config(AlertmanagerConfig(), {"paging": "ignored"}))
    paging = next(r for r in config["receivers"] if r["name"] == "paging")
    assert paging == {"name": "paging"}
    assert ReceiverConfig().needs_secret is False
