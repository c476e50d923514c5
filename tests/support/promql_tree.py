"""PromQL read with a real parser (promql-parser, a port of Prometheus' own grammar): which
quantiles lose `le` on the way to their buckets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import promql_parser

Node = Any


def children(node: Node) -> list[Node]:
    """The sub-expressions of a node, in order."""
    if isinstance(node, promql_parser.AggregateExpr):
        return [node.expr] + ([node.param] if node.param is not None else [])
    if isinstance(node, promql_parser.BinaryExpr):
        return [node.lhs, node.rhs]
    if isinstance(node, promql_parser.Call):
        return list(node.args)
    if isinstance(node, promql_parser.MatrixSelector):
        return [node.vector_selector]
    if isinstance(
        node, (promql_parser.UnaryExpr, promql_parser.ParenExpr, promql_parser.SubqueryExpr)
    ):
        return [node.expr]
    return []


def walk(node: Node) -> Iterator[Node]:
    """Every node of a tree, the root first."""
    yield node
    for child in children(node):
        yield from walk(child)


def keeps_le(node: promql_parser.AggregateExpr) -> bool:
    """Whether an aggregation keeps the `le` label (by (..., le), or without (...) but le)."""
    labels = list(node.modifier.labels) if node.modifier else []
    if node.modifier and node.modifier.type == promql_parser.AggModifierType.Without:
        return "le" not in labels
    return "le" in labels


def bucket_paths_losing_le(
    node: Node, trusted: Callable[[str], bool], aggregated: bool = False
) -> Iterator[str]:
    """Series under a quantile's bucket argument reached without an aggregation that keeps `le`
    (the outermost aggregation on the way decides): a raw bucket series with no aggregation at
    all is reported unless `trusted(name)` (a recorded bucket rate summed by le)."""
    if isinstance(node, promql_parser.AggregateExpr):
        if not keeps_le(node):
            yield f"{node.op} {node.modifier or ''} drops le"
            return
        aggregated = True
    if isinstance(node, promql_parser.VectorSelector):
        if not aggregated and not trusted(node.name or ""):
            yield f"{node.name} is not aggregated by le"
        return
    for child in children(node):
        yield from bucket_paths_losing_le(child, trusted, aggregated)


def quantiles_losing_le(expr: str, trusted: Callable[[str], bool]) -> list[str]:
    """Problems of every histogram_quantile in a query (an empty list: all keep le)."""
    problems = []
    for node in walk(promql_parser.parse(expr)):
        if isinstance(node, promql_parser.Call) and node.func.name == "histogram_quantile":
            problems += list(bucket_paths_losing_le(node.args[1], trusted))
    return problems


def quantile_count(expr: str) -> int:
    """How many histogram_quantile calls a query makes."""
    return sum(
        1
        for node in walk(promql_parser.parse(expr))
        if isinstance(node, promql_parser.Call) and node.func.name == "histogram_quantile"
    )


def selector_names(expr: str) -> set[str]:
    """Every series name a query selects: `name{...}`, `{__name__="name"}`, and each
    alternative of a plain `{__name__=~"a|b"}`."""
    names = set()
    for node in walk(promql_parser.parse(expr)):
        if not isinstance(node, promql_parser.VectorSelector):
            continue
        if node.name:
            names.add(node.name)
        for matcher in node.matchers.matchers:
            if matcher.name == "__name__" and matcher.op == promql_parser.MatchOp.Equal:
                names.add(matcher.value)
            elif matcher.name == "__name__" and matcher.op == promql_parser.MatchOp.Re:
                names |= set(matcher.value.split("|"))
    return names
