"""Rewrite a dashboard query so it reads raw series only: every recorded series it selects is
replaced by the recording rule's expression (recursively), with the same result.

Used to time each panel with and without the recording rules. Label matchers on a recorded
series become set operations on the rule's result (`and on (label) vector`), so the rewritten
query selects the same series; a range over a recorded series becomes a subquery stepped at
the rule evaluation interval. Only what the project's dashboards use is supported, and anything
else raises ValueError rather than timing a different query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RECORDED = re.compile(
    r"(?<![A-Za-z0-9_:\"])(?P<name>(?:ai|slo):[A-Za-z0-9_:]+)"
    r"(?:\{(?P<matchers>[^}]*)\})?(?:\[(?P<range>[^\]]+)\])?"
)
NAME_REGEX = re.compile(r'\{__name__=~"(?P<names>(?:ai|slo):[^"]*)"\}')
MATCHER = re.compile(
    r'\s*(?P<label>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<op>=~|!~|!=|=)\s*"(?P<value>[^"]*)"'
)
# Regex matchers that select every series, as a dashboard variable set to All leaves them.
MATCH_ALL = {".*", ".*|", "|.*"}
MARK = "bench_matched"  # a temporary label marking the series a regex matcher selects


@dataclass(frozen=True)
class Recording:
    """One recording rule: the recorded name, its static labels, and its expression."""

    record: str
    labels: dict[str, str]
    expr: str


def parse_matchers(text: str) -> list[tuple[str, str, str]]:
    """`a="x", b=~"y"` -> [(label, operator, value)]."""
    matchers, rest = [], text.strip()
    while rest:
        found = MATCHER.match(rest)
        if not found:
            raise ValueError(f"cannot parse label matchers {text!r}")
        matchers.append((found["label"], found["op"], found["value"]))
        rest = rest[found.end() :].lstrip().removeprefix(",").strip()
    return matchers


def _pick(
    recordings: list[Recording], name: str, matchers: list[tuple[str, str, str]]
) -> list[Recording]:
    """The rules recording `name` whose static labels the selector's matchers agree with (a
    matcher on a label the rule does not set is applied to its result instead)."""
    candidates = [r for r in recordings if r.record == name]
    for label, op, value in matchers:
        candidates = [
            r for r in candidates if label not in r.labels or _agrees(r.labels[label], op, value)
        ]
    if not candidates:
        raise ValueError(f"no recording rule matches {name}{{{matchers}}}")
    return candidates


def _agrees(actual: str, op: str, value: str) -> bool:
    """Whether a static label value passes a matcher (regexes anchored, as PromQL's are)."""
    matched = re.fullmatch(value, actual) is not None if op in ("=~", "!~") else actual == value
    return matched if op in ("=", "=~") else not matched


def _filtered(expr: str, rule: Recording, matchers: list[tuple[str, str, str]]) -> str:
    """The rule's expression with its static labels, narrowed by the selector's matchers.

    `=` and `!=` become `and`/`unless on (label)` against a one-sample vector carrying the
    value. A regex first marks the matching series with label_replace (whose regex is anchored
    like a matcher's), then keeps or drops the marked ones and removes the mark.
    """
    result = f"({expr})"
    for label, value in rule.labels.items():
        result = f'label_replace({result}, "{label}", "{value}", "", "")'
    for label, op, value in matchers:
        if op == "=~" and value in MATCH_ALL:
            continue
        if label in rule.labels:
            continue  # already chose the rule (_pick)
        keep = "and" if op in ("=", "=~") else "unless"
        if op in ("=", "!="):
            one = f'label_replace(vector(1), "{label}", "{value}", "", "")'
            result = f"({result} {keep} on ({label}) {one})"
            continue
        marked = f'label_replace({result}, "{MARK}", "1", "{label}", "{value}")'
        one = f'label_replace(vector(1), "{MARK}", "1", "", "")'
        result = f'label_replace(({marked} {keep} on ({MARK}) {one}), "{MARK}", "", "", "")'
    return result


def inline_recordings(expr: str, recordings: list[Recording], step: str, depth: int = 0) -> str:
    """expr with every recorded series replaced by raw-series PromQL of the same result."""
    if depth > 5:
        raise ValueError(f"recording rules nest deeper than 5 levels in {expr!r}")

    def by_name_regex(found: re.Match[str]) -> str:
        parts = [
            f'label_replace({_filtered(rule.expr, rule, [])}, "__name__", "{name}", "", "")'
            for name in found["names"].split("|")
            for rule in _pick(recordings, name, [])
        ]
        return "(" + " or ".join(parts) + ")"

    def by_selector(found: re.Match[str]) -> str:
        matchers = parse_matchers(found["matchers"] or "")
        # Rules recording one name apart by their static labels (an SLO's sources) are
        # distinct series, so their union is what the selector returns.
        rules = _pick(recordings, found["name"], matchers)
        raw = " or ".join(_filtered(rule.expr, rule, matchers) for rule in rules)
        raw = f"({raw})" if len(rules) > 1 else raw
        return f"{raw}[{found['range']}:{step}]" if found["range"] else raw

    rewritten = RECORDED.sub(by_selector, NAME_REGEX.sub(by_name_regex, expr))
    if rewritten == expr:
        return expr
    return inline_recordings(rewritten, recordings, step, depth + 1)


def recordings_from_groups(groups: list[dict[str, object]]) -> list[Recording]:
    """Every recording rule of rendered rule groups."""
    return [
        Recording(rule["record"], dict(rule.get("labels", {})), " ".join(rule["expr"].split()))
        for group in groups
        for rule in group["rules"]  # type: ignore[union-attr]
        if "record" in rule
    ]
