"""Helpers every rule module uses: naming, alert labels and annotations, runbook links."""

from __future__ import annotations

import re
from typing import Any

# ai:<metric>[:<operation>] for the project's series, slo:<metric>:<operation> for SLOs.
RECORD_NAME = re.compile(r"^(ai|slo):[a-z0-9_]+(:[a-z0-9_]+)?$")
ALERT_NAME = re.compile(r"^[A-Z][A-Za-z0-9]+$")
SEVERITIES = ("critical", "warning", "info")


def record(name: str, expr: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """A recording rule; the name must follow the naming contract."""
    if not RECORD_NAME.match(name):
        raise ValueError(f"recording rule name {name!r} does not follow ai:<metric>:<operation>")
    rule: dict[str, Any] = {"record": name, "expr": _tidy(expr)}
    if labels:
        rule["labels"] = dict(labels)
    return rule


def runbook_url(base: str, alert_name: str) -> str:
    """The runbook section of an alert: <base>#<alertname in lower case>."""
    return f"{base}#{alert_name.lower()}"


def alert(
    name: str,
    expr: str,
    for_: str,
    severity: str,
    summary: str,
    description: str,
    runbook_base: str,
    labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """An alerting rule with severity, summary, description and runbook_url."""
    if not ALERT_NAME.match(name):
        raise ValueError(f"alert name {name!r} is not CamelCase")
    if severity not in SEVERITIES:
        raise ValueError(f"alert {name}: severity {severity!r} is not one of {SEVERITIES}")
    return {
        "alert": name,
        "expr": _tidy(expr),
        "for": for_,
        "labels": {"severity": severity, **(labels or {})},
        "annotations": {
            "summary": summary,
            "description": description,
            "runbook_url": runbook_url(runbook_base, name),
        },
    }


def group(name: str, rules: list[dict[str, Any]]) -> dict[str, Any]:
    """A rule group (rule_groups gives every group the stack's evaluation interval)."""
    return {"name": name, "rules": rules}


def _tidy(expr: str) -> str:
    """One expression per line block, without the indentation of the Python source."""
    lines = [line.rstrip() for line in expr.strip("\n").splitlines()]
    indent = min((len(line) - len(line.lstrip()) for line in lines if line.strip()), default=0)
    return "\n".join(line[indent:] for line in lines).strip()


def appeared(metric: str, identity: str, window: str, where: str = "") -> str:
    """Series of `metric` (that pass `where`, e.g. " > 0") which did not exist `window` ago,
    matched on `identity`: for series whose first sample is the event, which changes() and
    increase() cannot see."""
    return f"{metric}{where} unless on ({identity}) {metric} offset {window}"


def labelled(expr: str, label: str, value: str) -> str:
    """expr with one more label, to tell the branches of an alert apart."""
    return f'label_replace({expr}, "{label}", "{value}", "", "")'
