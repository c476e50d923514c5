"""The Alertmanager configuration the stacks deploy: valid for amtool and routed by severity."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import program_run, require_tool
from harness import STACKS, unwrap_secret

from components.alertmanager_config import render_alertmanager_config
from components.config import AlertmanagerConfig, ReceiverConfig


def deployed_config(stack: str, tmp_path: Path) -> Path:
    """alertmanager.yaml exactly as the stack's Secret carries it, written to a file."""
    secret = program_run(stack).one("kubernetes:core/v1:Secret", "monitoring-alertmanager-config")
    text = unwrap_secret(secret.inputs["stringData"])["alertmanager.yaml"]
    path = tmp_path / f"alertmanager-{stack}.yaml"
    path.write_text(text)
    return path


def amtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require_tool("amtool"), *args], capture_output=True, text=True, timeout=60, check=False
    )


def route(config: Path, *labels: str) -> str:
    result = amtool("config", "routes", "test", f"--config.file={config}", *labels)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.mark.parametrize("stack", STACKS)
def test_amtool_accepts_the_deployed_config(stack: str, tmp_path: Path) -> None:
    result = amtool("check-config", str(deployed_config(stack, tmp_path)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout
    assert "5 receivers" in result.stdout  # paging, ticket, heartbeat, default, null


@pytest.mark.parametrize("stack", STACKS)
def test_routes_by_severity(stack: str, tmp_path: Path) -> None:
    config = deployed_config(stack, tmp_path)
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


def test_a_broken_config_is_rejected_by_amtool(tmp_path: Path) -> None:
    """Control: amtool really validates (a route to a receiver that does not exist fails)."""
    config = yaml.safe_load(render_alertmanager_config(AlertmanagerConfig(), {}))
    config["route"]["routes"][2]["receiver"] = "pager-that-does-not-exist"
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(config))
    result = amtool("check-config", str(path))
    assert result.returncode != 0


def test_prod_receivers_use_the_configured_integrations(tmp_path: Path) -> None:
    config = yaml.safe_load(deployed_config("prod", tmp_path).read_text())
    receivers = {r["name"]: r for r in config["receivers"]}
    assert receivers["paging"]["pagerduty_configs"][0]["routing_key"]
    assert receivers["ticket"]["slack_configs"][0]["channel"] == "#ai-alerts"
    assert receivers["heartbeat"]["webhook_configs"][0]["send_resolved"] is False
    assert receivers["default"]["slack_configs"][0]["channel"] == "#ai-alerts-low"


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
