"""Every numeric config field, read from the declarations: a value just outside its declared
range is a config error naming its key; the bound itself is not an error of that key."""

from __future__ import annotations

import copy
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import annotated_types
import pytest
from pydantic import BaseModel

from components.config.errors import ConfigError
from components.config.stack import StackConfig, parse_stack_config, secret_keys
from tests.support.harness import PROJECT, stack_document

BOUNDS = (annotated_types.Ge, annotated_types.Gt, annotated_types.Le, annotated_types.Lt)
BASE_STACK = "staging"  # vLLM models, GPUs, a load generator: every section in use


@dataclass(frozen=True)
class NumericField:
    """A numeric field at a key path (list items as [0])."""

    path: tuple[str | int, ...]
    kind: type
    bounds: tuple[Any, ...]

    @property
    def key(self) -> str:
        """The key as errors name it: a.b[0].c."""
        text = ""
        for part in self.path:
            text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
        return text


def _models(annotation: Any) -> Iterator[tuple[type[BaseModel], bool]]:
    """Config models an annotation holds: (model, inside a list)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation, False
        return
    for arg in typing.get_args(annotation):
        if typing.get_origin(annotation) is tuple and isinstance(arg, type):
            if issubclass(arg, BaseModel):
                yield arg, True
        else:
            yield from _models(arg)


def _numbers(annotation: Any) -> list[type]:
    if typing.get_origin(annotation) is dict:  # a map's values: checked by their own parser
        return []
    args = typing.get_args(annotation) or (annotation,)
    return [a for a in args if a in (int, float)]


def numeric_fields(model: type[BaseModel], path: tuple[str | int, ...] = ()) -> list[NumericField]:
    """Every int or float field below a model, with the bounds it declares."""
    found = []
    for name, info in model.model_fields.items():
        here = (*path, info.alias or name)
        for sub, listed in _models(info.annotation):
            found += numeric_fields(sub, (*here, 0) if listed else here)
        kinds = _numbers(info.annotation)
        if kinds:
            bounds = tuple(m for m in info.metadata if isinstance(m, BOUNDS))
            found.append(NumericField(here, kinds[0], bounds))
    return found


FIELDS = numeric_fields(StackConfig)


def outside(field: NumericField, bound: Any) -> Any:
    """A value just outside one bound."""
    step = 1 if field.kind is int else 1e-3 * max(1.0, abs(_limit(bound)))
    if isinstance(bound, annotated_types.Ge):
        return bound.ge - step
    if isinstance(bound, annotated_types.Le):
        return bound.le + step
    return _limit(bound)  # gt / lt: the limit itself is outside


def _limit(bound: Any) -> Any:
    return next(getattr(bound, a) for a in ("ge", "gt", "le", "lt") if hasattr(bound, a))


def with_value(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    """The base stack's document with one value set; a list the file leaves out is copied
    from the parsed config (e.g. the default SLOs), a missing map starts empty."""
    raw, context = stack_document(BASE_STACK)
    parsed = parse_stack_config(raw, context, frozenset(secret_keys()))
    full = parsed.model_dump(by_alias=True, mode="json")
    raw = copy.deepcopy(raw)
    node: Any = raw
    for depth, part in enumerate(path[:-1]):
        if isinstance(node, dict) and part not in node:
            listed = isinstance(path[depth + 1], int)
            node[part] = copy.deepcopy(_at(full, path[: depth + 1])) if listed else {}
        node = node[part]
    node[path[-1]] = value
    return raw


def _at(document: Any, path: tuple[str | int, ...]) -> Any:
    for part in path:
        document = document[part]
    return document


def error_of(raw: dict[str, Any]) -> str | None:
    try:
        parse_stack_config(raw, "ctx", frozenset(secret_keys()))
    except ConfigError as error:
        return str(error)
    return None


def test_every_numeric_field_declares_a_range() -> None:
    assert len(FIELDS) >= 25
    assert [f.key for f in FIELDS if not f.bounds] == []
    assert "rules.slos[0].objective" in {f.key for f in FIELDS}  # inside a list


CASES = [(f, b) for f in FIELDS for b in f.bounds]


@pytest.mark.parametrize(
    "field, bound", CASES, ids=[f"{f.key}-{type(b).__name__.lower()}" for f, b in CASES]
)
def test_a_value_just_outside_the_range_names_its_key(field: NumericField, bound: Any) -> None:
    value = outside(field, bound)
    message = error_of(with_value(field.path, value))
    assert message is not None, f"{field.key} = {value} was accepted"
    assert message.startswith(f"{PROJECT}:{field.key}: "), message


@pytest.mark.parametrize(
    "field, bound",
    [(f, b) for f, b in CASES if isinstance(b, (annotated_types.Ge, annotated_types.Le))],
    ids=lambda v: v.key if isinstance(v, NumericField) else type(v).__name__.lower(),
)
def test_the_bound_itself_is_no_error_of_its_key(field: NumericField, bound: Any) -> None:
    message = error_of(with_value(field.path, field.kind(_limit(bound))))
    assert message is None or not message.startswith(f"{PROJECT}:{field.key}: "), message
