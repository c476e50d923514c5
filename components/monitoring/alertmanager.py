"""Alertmanager's configuration (alertmanager.yaml) as a pure function of the stack config.

The result holds receiver endpoints, so it only ever reaches the cluster inside a Kubernetes
Secret (see components/monitoring/component.py). Route tree, by role:

  alertname=Watchdog   -> heartbeat   (dead man's switch, repeated every heartbeatRepeatInterval)
  alertname=InfoInhibitor -> null     (kube-prometheus-stack's helper alert, never notified)
  severity=critical    -> paging
  severity=warning     -> ticket
  anything else        -> default
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from components.monitoring.config import AlertmanagerConfig, ReceiverConfig

NULL_RECEIVER = "null"
INHIBIT_EQUAL = ["alertname", "namespace", "model_name"]

_SLACK_TITLE = (
    '[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] '
    "{{ .CommonLabels.alertname }}{{ if .CommonLabels.model_name }} "
    "({{ .CommonLabels.model_name }}){{ end }}"
)
_SLACK_TEXT = (
    "{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\n"
    "{{ if .Annotations.runbook_url }}Runbook: {{ .Annotations.runbook_url }}\n{{ end }}{{ end }}"
)


def receiver(role: str, cfg: ReceiverConfig, secret: str | None) -> dict[str, Any]:
    """One receiver entry; `secret` is the endpoint (URL or integration key)."""
    entry: dict[str, Any] = {"name": role}
    send_resolved = role != "heartbeat"
    if cfg.type == "webhook":
        entry["webhook_configs"] = [{"url": secret, "send_resolved": send_resolved}]
    elif cfg.type == "slack":
        entry["slack_configs"] = [
            {
                "api_url": secret,
                "channel": cfg.channel,
                "send_resolved": send_resolved,
                "title": _SLACK_TITLE,
                "text": _SLACK_TEXT,
            }
        ]
    elif cfg.type == "pagerduty":
        entry["pagerduty_configs"] = [{"routing_key": secret, "send_resolved": send_resolved}]
    return entry


def route_tree(am: AlertmanagerConfig) -> dict[str, Any]:
    """The `route` block."""
    return {
        "receiver": "default",
        "group_by": list(am.group_by),
        "group_wait": am.group_wait,
        "group_interval": am.group_interval,
        "repeat_interval": am.repeat_interval,
        "routes": [
            {
                "receiver": "heartbeat",
                "matchers": ['alertname = "Watchdog"'],
                "group_wait": "0s",
                "group_interval": am.heartbeat_repeat_interval,
                "repeat_interval": am.heartbeat_repeat_interval,
            },
            {"receiver": NULL_RECEIVER, "matchers": ['alertname = "InfoInhibitor"']},
            {"receiver": "paging", "matchers": ['severity = "critical"']},
            {"receiver": "ticket", "matchers": ['severity = "warning"']},
        ],
    }


def inhibit_rules() -> list[dict[str, Any]]:
    """Critical silences warning (and warning silences info) for the same alert and model."""
    return [
        {
            "source_matchers": ['severity = "critical"'],
            "target_matchers": ['severity =~ "warning|info"'],
            "equal": INHIBIT_EQUAL,
        },
        {
            "source_matchers": ['severity = "warning"'],
            "target_matchers": ['severity = "info"'],
            "equal": INHIBIT_EQUAL,
        },
        {
            "source_matchers": ['alertname = "InfoInhibitor"'],
            "target_matchers": ['severity = "info"'],
            "equal": ["namespace"],
        },
    ]


def alertmanager_config(am: AlertmanagerConfig, secrets: Mapping[str, str]) -> dict[str, Any]:
    """The whole alertmanager.yaml as a dict."""
    receivers = [receiver(role, cfg, secrets.get(role)) for role, cfg in am.receivers]
    receivers.append({"name": NULL_RECEIVER})
    return {
        "global": {"resolve_timeout": "5m"},
        "route": route_tree(am),
        "inhibit_rules": inhibit_rules(),
        "receivers": receivers,
    }


def render_alertmanager_config(am: AlertmanagerConfig, secrets: Mapping[str, str]) -> str:
    """alertmanager.yaml as text."""
    return yaml.safe_dump(alertmanager_config(am, secrets), sort_keys=False, width=1000)
