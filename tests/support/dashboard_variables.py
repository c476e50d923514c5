"""Does every variable a dashboard offers filter every panel whose series carry its label?"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from tests.support.promql_names import metric_names

# cluster is the external label every series gets through Thanos Query: every selector filters
# on it, and it cannot be read back from a single Prometheus.
EVERYWHERE = "cluster"
# Grafana's built-in intervals, as a panel over the last hour would get them.
BUILTIN_VALUES = {"$__rate_interval": "5m", "$__interval": "1m", "$__range": "1h"}


def substitute(expr: str, builtins: dict[str, str] | None = None) -> str:
    """A panel query as Grafana sends it with every variable at All (`.*`)."""
    for variable, value in (builtins or BUILTIN_VALUES).items():
        expr = expr.replace(variable, value)
    return re.sub(r"\$\{?(\w+)\}?", ".*", expr)


def legend_labels(legend: str) -> set[str]:
    """Labels a legend format names ({{model_name}} {{slo}})."""
    return set(re.findall(r"\{\{\s*(\w+)\s*\}\}", legend or ""))


def variable_labels(model: dict[str, Any]) -> dict[str, str]:
    """Query variable -> the label its values come from (label_values(series, label))."""
    found = {}
    for variable in model["templating"]["list"]:
        if variable["type"] == "query":
            match = re.fullmatch(r"label_values\(.*, (\w+)\)", variable["definition"])
            assert match, variable["definition"]
            found[variable["name"]] = match[1]
    return found


def selectors(expr: str) -> Iterator[tuple[str, str]]:
    """(series name, its matchers text) of every selector in a query."""
    for name in metric_names(expr):
        for match in re.finditer(rf"(?<![\w:]){re.escape(name)}(?![\w:])(\{{[^}}]*\}})?", expr):
            yield name, match[1] or ""


def unfiltered(model: dict[str, Any], labels_of: Callable[[str], set[str]]) -> list[str]:
    """Problems: a selector of a series with a variable's label that does not use it, a
    selector without the cluster filter, and variables that filter nothing."""
    variables = variable_labels(model)
    problems, used = [], set()
    for panel in model["panels"]:
        for target in panel.get("targets", []):
            for name, matchers in selectors(target["expr"]):
                where = f"{model['uid']} / {panel['title']}: {name}"
                for variable, label in variables.items():
                    wanted = f'{label}=~"${variable}'
                    if label == EVERYWHERE:
                        if wanted not in matchers:
                            problems.append(f"{where} does not filter on ${variable}")
                    elif label in labels_of(name):
                        if wanted in matchers:
                            used.add(variable)
                        else:
                            problems.append(f"{where} carries {label} but ignores ${variable}")
    for variable, label in variables.items():
        if label != EVERYWHERE and variable not in used:
            problems.append(f"{model['uid']}: ${variable} filters no panel")
    return problems
