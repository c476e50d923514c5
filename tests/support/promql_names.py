"""Metric names referenced by a PromQL expression (a small tokenizer, enough for our queries)."""

from __future__ import annotations

import re

KEYWORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "bool", "offset", "inf", "nan", "atan2",
}  # fmt: skip


def metric_names(expr: str) -> set[str]:
    """Identifiers used as series selectors: not functions, keywords, labels or numbers."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # strings
    text = re.sub(r"\{[^}]*\}", "", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)  # ranges and subqueries
    text = re.sub(r"\boffset\s+-?[0-9a-z$_]+", "", text)  # offset 10m
    # Label lists of by/without/on/ignoring/group_left/group_right.
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", r"\1", text)
    names = set()
    for match in re.finditer(r"[A-Za-z_:][A-Za-z0-9_:]*", text):
        token = match.group(0)
        following = text[match.end() :].lstrip()
        if following.startswith("(") or token.lower() in KEYWORDS:
            continue  # a function call or a keyword
        if re.match(r"(by|without)\b", following):
            continue  # an aggregation written as `sum by (...) (...)`
        if re.fullmatch(r"\d*e\d*|[eE]", token):
            continue  # part of a number such as 1e6
        names.add(token)
    return names
