"""Config errors that name the full key path, translated from pydantic's.

`ai-observability:inference.models[1].gpus: must be a positive integer, got -2`: the path uses
the keys as written in the stack file, the message says what was expected and what was found,
and an unknown key comes with the allowed ones and the nearest match. Pure: no pulumi import.
"""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from components.config.schema import describe

PROJECT = "ai-observability"
_EXPECTED = {
    "int_type": "an integer",
    "float_type": "a number",
    "bool_type": "true or false",
    "string_type": "a string",
    "tuple_type": "a list",
    "list_type": "a list",
    "model_type": "a map of settings",
    "dict_type": "a map",
    "finite_number": "a finite number",
}


class ConfigError(ValueError):
    """A config value is wrong; the message starts with the full key path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def key_path(loc: tuple[str | int, ...]) -> str:
    """ai-observability:a.b[1].c for loc ("a", "b", 1, "c"); other namespaces stay as they are."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text if ":" in str(loc[0]) else f"{PROJECT}:{text}"


def _inner(annotation: Any) -> Any:
    """The section or item type behind Optional, tuple[...] and Annotated."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType, tuple, list, dict):
            args = [a for a in typing.get_args(annotation) if a not in (type(None), Ellipsis)]
            annotation = args[-1]
        else:
            return annotation


def field_at(
    root: type[BaseModel], loc: tuple[str | int, ...]
) -> tuple[type[BaseModel] | None, FieldInfo | None]:
    """The section that holds the last key of loc, and that key's field (None when unknown)."""
    model: Any = root
    holder, info = None, None
    for part in loc:
        if isinstance(part, int) or not (isinstance(model, type) and issubclass(model, BaseModel)):
            continue
        holder = model
        info = next((f for n, f in model.model_fields.items() if part in (f.alias, n)), None)
        if info is None:
            return holder, None
        model = _inner(info.annotation)
    return holder, info


def unknown_key_message(key: str, allowed: list[str]) -> str:
    """Explain an unknown key, suggesting the nearest allowed one."""
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f'; did you mean "{close[0]}"?' if close else ""
    return f"unknown key (allowed: {', '.join(sorted(allowed))}){hint}"


def _bounds(info: FieldInfo | None) -> str:
    """The allowed range of a numeric field, in words."""
    low = high = None
    low_open = high_open = False
    for item in info.metadata if info else ():
        if isinstance(item, annotated_types.Ge):
            low = item.ge
        elif isinstance(item, annotated_types.Gt):
            low, low_open = item.gt, True
        elif isinstance(item, annotated_types.Le):
            high = item.le
        elif isinstance(item, annotated_types.Lt):
            high, high_open = item.lt, True
    if low == 1 and high is None and not low_open:
        return "a positive integer" if info and info.annotation is int else "at least 1"
    if high is None:
        return f"{'above' if low_open else 'at least'} {low:g}"
    if low is None:
        return f"{'below' if high_open else 'at most'} {high:g}"
    if not low_open and not high_open:
        return f"between {low:g} and {high:g}"
    above = "above" if low_open else "at least"
    return f"{above} {low:g} and {'below' if high_open else 'at most'} {high:g}"


def _message(error: Any, root: type[BaseModel]) -> tuple[str, str]:
    """The key path and message of one pydantic error."""
    loc, kind, value = tuple(error["loc"]), error["type"], error.get("input")
    path = key_path(loc) if loc else PROJECT
    if kind == "config":
        at = error["ctx"]["at"]
        if not loc:
            return f"{PROJECT}:{at}", error["msg"]
        return path + ("." if at and not at.startswith("[") else "") + at, error["msg"]
    holder, info = field_at(root, loc)
    if kind == "extra_forbidden":
        allowed = [f.alias or n for n, f in holder.model_fields.items()] if holder else []
        key = str(loc[-1])
        message = unknown_key_message(key.split(".")[0].split("[")[0], allowed)
        if len(loc) == 1 and ("." in key or "[" in key):
            message += "; to set a nested value use `pulumi config set --path`"
        return path, message
    if kind == "missing":
        hint = (info.json_schema_extra or {}).get("missing") if info else ""
        return path, f"required{'; ' + str(hint) if hint else ''}"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(error["ctx"]["expected"]))
        return path, f"expected one of {', '.join(choices)}, got {describe(value)}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        return path, f"must be {_bounds(info)}, got {describe(value)}"
    if kind in ("too_short", "string_too_short"):
        return path, "must not be empty"
    if kind in _EXPECTED:
        return path, f"expected {_EXPECTED[kind]}, got {describe(value)}"
    return path, f"{error['msg']}, got {describe(value)}"


def translate(
    error: ValidationError, root: type[BaseModel], prefix: tuple[str, ...] = ()
) -> ConfigError:
    """The first problem of a pydantic ValidationError, as a ConfigError naming the key;
    prefix: where the validated section sits below root."""
    first = dict(error.errors()[0])
    first["loc"] = (*prefix, *first["loc"])
    return ConfigError(*_message(first, root))
