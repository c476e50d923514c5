"""promtool cases generated at the edges of an alert: just past and just short of each threshold,
and just before and just after its `for:` window. Float thresholds are crossed by 1% either
way (a rendered 0.01 and a computed 1 - 0.99 differ in the last bit); integer ones exactly.

An Edge describes one alert branch by what a reviewer knows from the docs (the documented
`for:`, severity and labels, and which config field sets each threshold), never by reading the
rule under test: a rule that drifts from its documentation fails the generated cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rules.durations import parse_duration

STEP = "1m"  # the promtool test's sample and evaluation interval
RELATIVE = 0.01  # "just past" and "just short" of a threshold: 1% of it
SAMPLES = 420  # seven hours of samples at STEP, longer than every for: plus onset


@dataclass(frozen=True)
class Levels:
    """Values of one input series that make the alert fire and values that keep it quiet."""

    series: str
    fires: tuple[float, ...]
    quiet: tuple[float, ...]


def _nudge(threshold: float, direction: int, integer: bool) -> float:
    if integer:
        return threshold + direction
    return threshold + direction * RELATIVE * (abs(threshold) or 1.0)


def above(series: str, threshold: float, integer: bool = False, scale: float = 1.0) -> Levels:
    """`series * scale > threshold`: just past fires; just short (an integer: the threshold
    itself) stays quiet."""
    quiet = threshold if integer else _nudge(threshold, -1, integer)
    return Levels(series, (_nudge(threshold, 1, integer) / scale,), (quiet / scale,))


def at_least(series: str, threshold: float, integer: bool = False, scale: float = 1.0) -> Levels:
    """`series * scale >= threshold`: just past (an integer: the threshold itself) fires, just
    short stays quiet."""
    fires = threshold if integer else _nudge(threshold, 1, integer)
    return Levels(series, (fires / scale,), (_nudge(threshold, -1, integer) / scale,))


def below(series: str, threshold: float, integer: bool = False) -> Levels:
    """`series < threshold`: just under fires; just over (an integer: the threshold itself)
    stays quiet."""
    quiet = threshold if integer else _nudge(threshold, 1, integer)
    return Levels(series, (_nudge(threshold, -1, integer),), (quiet,))


@dataclass(frozen=True)
class Edge:
    """One alert branch: inputs that make it fire, its thresholds, and when it fires."""

    alert: str
    for_: str  # the documented for: window
    severity: str
    labels: dict[str, str]  # the firing alert's labels, besides alertname and severity
    levels: tuple[Levels, ...] = ()
    held: dict[str, str] = field(default_factory=dict)  # other inputs: series -> promtool values
    onset: str = "0m"  # when the inputs first meet the condition (rate windows, steps);
    # promtool: "_x5" is five missing samples, "0x4" five samples of 0.
    name: str = ""  # which branch, when an alert has several

    @property
    def id(self) -> str:
        """A test id: the alert and its branch."""
        return f"{self.alert}-{self.name}" if self.name else self.alert


def _minutes(duration: str) -> int:
    return int(parse_duration(duration) // 60)


def _constant(value: float) -> str:
    return f"{value!r}x{SAMPLES}"


def _inputs(edge: Edge, override: tuple[str, float] | None = None) -> list[dict[str, str]]:
    inputs = [{"series": s, "values": v} for s, v in edge.held.items()]
    for levels in edge.levels:
        value = override[1] if override and override[0] == levels.series else levels.fires[0]
        inputs.append({"series": levels.series, "values": _constant(value)})
    return inputs


def _case(edge: Edge, minute: int, fires: bool) -> dict[str, Any]:
    labels = {**edge.labels, "severity": edge.severity}
    return {
        "eval_time": f"{minute}m",
        "alertname": edge.alert,
        "exp_alerts": [{"exp_labels": labels}] if fires else [],
    }


def cases(edge: Edge) -> list[dict[str, Any]]:
    """promtool tests: the for: window at the firing inputs, then each value of each level."""
    due = _minutes(edge.onset) + _minutes(edge.for_)
    window = [_case(edge, due, True)]
    if _minutes(edge.for_) > 0:
        window.insert(0, _case(edge, due - 1, False))
    tests = [{"interval": STEP, "input_series": _inputs(edge), "alert_rule_test": window}]
    for levels in edge.levels:
        for value, fires in [(v, True) for v in levels.fires] + [(v, False) for v in levels.quiet]:
            tests.append(
                {
                    "name": f"{edge.id}: {levels.series} at {value!r}",
                    "interval": STEP,
                    "input_series": _inputs(edge, (levels.series, value)),
                    "alert_rule_test": [_case(edge, due, fires)],
                }
            )
    return tests


def rule_file(groups: dict[str, list[dict[str, Any]]], alert: str) -> dict[str, Any]:
    """A rule file holding only the rules of one alert (without annotations): the cases feed
    the series the alert reads directly."""
    rules = [
        {k: v for k, v in rule.items() if k != "annotations"}
        for area in groups.values()
        for group in area
        for rule in group["rules"]
        if rule.get("alert") == alert
    ]
    if not rules:
        raise LookupError(f"no rule raises {alert}")
    return {"groups": [{"name": alert, "interval": STEP, "rules": rules}]}


def promtool_file(rule_path: str, edge: Edge) -> dict[str, Any]:
    """A promtool unit-test file for one edge."""
    return {
        "rule_files": [rule_path],
        "evaluation_interval": STEP,
        "tests": cases(edge),
    }
