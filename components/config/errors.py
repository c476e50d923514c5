"""pydantic's errors as config errors that name the key path as the stack file writes it, say
what was expected and found, and suggest the nearest allowed key. Pure."""

from __future__ import annotations

import difflib
import re
import types
import typing
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

from components.config.schema import describe

PROJECT = "ai-observability"
_EXPECTED = {"int_type": "an integer", "float_type": "a number", "bool_type": "true or false"}
_EXPECTED |= {"string_type": "a string", "tuple_type": "a list", "finite_number": "a finite number"}
_EXPECTED |= {"model_type": "a map of settings", "dict_type": "a map"}
_BOUNDS = {"Ge": "at least", "Gt": "above", "Le": "at most", "Lt": "below"}


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
    """The section or item type behind Annotated, Optional and tuple[...]."""
    while typing.get_origin(annotation) in (typing.Annotated, typing.Union, types.UnionType, tuple):
        args = [a for a in typing.get_args(annotation) if a not in (type(None), Ellipsis)]
        annotation = args[0] if typing.get_origin(annotation) is typing.Annotated else args[-1]
    return annotation


def field_at(root: type[BaseModel], loc: tuple[str | int, ...]) -> tuple[Any, FieldInfo | None]:
    """The section holding the last key of loc, and that key's field (None when unknown)."""
    model: Any = root
    holder, info = None, None
    for part in (p for p in loc if isinstance(p, str)):
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            break
        holder = model
        info = next((f for n, f in model.model_fields.items() if part in (f.alias, n)), None)
        model = _inner(info.annotation) if info else None
    return holder, info


def unknown_key_message(key: str, allowed: list[str]) -> str:
    """Explain an unknown key, suggesting the nearest allowed one."""
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f'; did you mean "{close[0]}"?' if close else ""
    return f"unknown key (allowed: {', '.join(sorted(allowed))}){hint}"


def _bounds(info: FieldInfo | None, value: Any) -> str:
    """The allowed range of a numeric field, in words."""
    metadata = info.metadata if info else []
    limits = {n: getattr(m, n.lower()) for m in metadata if (n := type(m).__name__) in _BOUNDS}
    if limits == {"Ge": 1} and isinstance(value, int):
        return "a positive integer"
    if limits.keys() == {"Ge", "Le"}:
        return f"between {limits['Ge']:g} and {limits['Le']:g}"
    return " and ".join(f"{_BOUNDS[k]} {v:g}" for k, v in limits.items())


def _message(error: Any, root: type[BaseModel]) -> tuple[str, str]:
    """The key path and message of one pydantic error."""
    loc, kind, value = tuple(error["loc"]), error["type"], error.get("input")
    path = key_path(loc) if loc else PROJECT
    if kind == "config":
        where = error["ctx"]["at"]
        if not loc:
            return f"{PROJECT}:{where}", error["msg"]
        return path + ("." if where and not where.startswith("[") else "") + where, error["msg"]
    holder, info = field_at(root, loc)
    if kind == "extra_forbidden":
        allowed = [f.alias or n for n, f in holder.model_fields.items()] if holder else []
        key = str(loc[-1])
        message = unknown_key_message(re.split(r"[.\[]", key)[0], allowed)
        if len(loc) == 1 and re.search(r"[.\[]", key):
            message += "; to set a nested value use `pulumi config set --path`"
        return path, message
    if kind == "missing":
        hint = (info.json_schema_extra or {}).get("missing") if info else ""
        return path, f"required{'; ' + str(hint) if hint else ''}"
    if kind == "literal_error":
        choices = re.findall(r"'([^']*)'", str(error["ctx"]["expected"]))
        return path, f"expected one of {', '.join(choices)}, got {describe(value)}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        # A bound inside Optional[Annotated[...]] is not on the field: pydantic's context has it.
        bound = _bounds(info, value) or " and ".join(
            f"{_BOUNDS[k.capitalize()]} {v:g}" for k, v in error.get("ctx", {}).items()
        )
        return path, f"must be {bound}, got {describe(value)}"
    if kind in ("too_short", "string_too_short"):
        return path, "must not be empty"
    return path, f"expected {_EXPECTED.get(kind, error['msg'])}, got {describe(value)}"


def translate(
    error: ValidationError, root: type[BaseModel], prefix: tuple[str, ...] = ()
) -> ConfigError:
    """The first problem of a ValidationError as a ConfigError naming the key; prefix: where the
    validated section sits below root."""
    first = dict(error.errors()[0])
    first["loc"] = (*prefix, *first["loc"])
    return ConfigError(*_message(first, root))
