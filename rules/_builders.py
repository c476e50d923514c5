"""Helpers every rule module uses: naming, alert labels and annotations, runbook links."""

from __future__ import annotations

import re
from typing import Any

from rules.durations import parse_duration

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


CADENCES = ("fast", "diagnostics", "long")
LONG_WINDOW_SECONDS = 86400  # rules over a day or more evaluate at rules.longWindowInterval
_RANGE = re.compile(r"\[(\d+(?:ms|[smhdwy]))(?::[^\]]*)?\]")


def group(name: str, rules: list[dict[str, Any]], cadence: str = "fast") -> dict[str, Any]:
    """A rule group; rule_groups gives a fast group the stack's evaluation interval, a
    diagnostics group (what no fast alert reads) rules.diagnosticsInterval, and a long one
    (day- and week-long windows, named *-long.rules) rules.longWindowInterval."""
    if cadence not in CADENCES:
        raise ValueError(f"group {name}: cadence {cadence!r} is not one of {CADENCES}")
    # Prometheus knows no cadence: rule_groups turns it into the interval, and a fast group
    # (what the global view deploys as it is) carries none.
    return {"name": name, "rules": rules} | ({} if cadence == "fast" else {"cadence": cadence})


def longest_range(expr: str) -> float:
    """The longest range selector or subquery range of an expression, in seconds (0: none)."""
    return max((parse_duration(r) for r in _RANGE.findall(expr)), default=0.0)


def recording_groups(prefix: str, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """<prefix>.rules and, when some rules read a day or more, <prefix>-long.rules with them:
    their values move little in one evaluation interval, and each evaluation reads the window."""
    long = [r for r in rules if longest_range(r["expr"]) >= LONG_WINDOW_SECONDS]
    fast = [r for r in rules if r not in long]
    return [group(f"{prefix}.rules", fast)] + (
        [group(f"{prefix}-long.rules", long, "long")] if long else []
    )


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
