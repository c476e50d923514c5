"""The Alertmanager configuration the stacks deploy: valid for amtool and routed by severity."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.support.harness import STACKS
from tests.support.programs import deployed_alertmanager_config
from tests.support.tools import amtool


def route(config: Path, *labels: str) -> str:
    result = amtool("config", "routes", "test", f"--config.file={config}", *labels)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("stack", STACKS)
def test_amtool_accepts_the_deployed_alertmanager_config(stack: str, tmp_path: Path) -> None:
    result = amtool("check-config", str(deployed_alertmanager_config(stack, tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
    assert "5 receivers" in result.stdout  # paging, ticket, heartbeat, default, null


@pytest.mark.parametrize("stack", STACKS)
def test_routes_by_severity(stack: str, tmp_path: Path) -> None:
    config = deployed_alertmanager_config(stack, tmp_path)
    model = "model_name=llama-3-8b"
    assert (
        route(config, "alertname=VllmTimeToFirstTokenHigh", "severity=critical", model) == "paging"
    )
    assert (
        route(config, "alertname=VllmTimeToFirstTokenHigh", "severity=warning", model) == "ticket"
    )
    assert route(config, "alertname=Watchdog", "severity=none") == "heartbeat"
    assert route(config, "alertname=SomethingInformational", "severity=info") == "default"
    assert route(config, "alertname=NoSeverityLabel") == "default"
    assert route(config, "alertname=InfoInhibitor", "severity=none") == "null"


def test_prod_receivers_use_the_configured_integrations(tmp_path: Path) -> None:
    config = yaml.safe_load(deployed_alertmanager_config("prod", tmp_path).read_text())
    receivers = {r["name"]: r for r in config["receivers"]}
    assert receivers["paging"]["pagerduty_configs"][0]["routing_key"]
    assert receivers["ticket"]["slack_configs"][0]["channel"] == "#ai-alerts"
    assert receivers["heartbeat"]["webhook_configs"][0]["send_resolved"] is False
    assert receivers["default"]["slack_configs"][0]["channel"] == "#ai-alerts-low"
