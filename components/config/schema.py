"""How a config section is declared: the CONVENTIONS (stated in rules/config.py), `doc()` for a
field's default and documentation (the README's reference comes from it), and a nested section
given in part merged over its declared default (`resources: {limits: ...}` keeps the requests)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, Field, Strict, model_validator
from pydantic_core import PydanticUndefined

from rules.config import CONVENTIONS, unique  # noqa: F401 (re-exported: the sections use it)
from rules.config import config_error as fail  # noqa: F401 (re-exported)

T = TypeVar("T")
Items = Annotated[tuple[T, ...], Strict(False)]  # a list in the stack file, a tuple in code
PositiveInt = Annotated[int, Field(ge=1)]


class Section(BaseModel):
    """Base of every config section."""

    model_config = CONVENTIONS

    @model_validator(mode="before")
    @classmethod
    def _merge_over_defaults(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        merged = dict(data)
        for name, info in cls.model_fields.items():
            key, default, given = info.alias or name, info.default, data.get(info.alias or name)
            if (
                isinstance(default, Section)
                and default.model_fields_set
                and isinstance(given, Mapping)
            ):
                merged[key] = deep_merge(
                    default.model_dump(by_alias=True, exclude_unset=True), given
                )
        return merged


def doc(default: Any = PydanticUndefined, text: str = "", **extra: Any) -> Any:
    """A field's default and documentation (no default: required)."""
    return Field(default, description=text, **extra)


def required(text: str, hint: str = "", **extra: Any) -> Any:
    """A field without a default; hint explains what to set when it is missing."""
    return Field(description=text, json_schema_extra={"missing": hint}, **extra)


def secret(text: str, default: Any = None) -> Any:
    """A field that must be set with `pulumi config set --secret` and is never printed."""
    return Field(default, description=text, repr=False, json_schema_extra={"secret": True})


def deep_merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """base with extra merged in, maps recursively; neither input is changed."""
    merged = dict(base)
    for key, value in extra.items():
        both = isinstance(value, Mapping) and isinstance(merged.get(key), Mapping)
        merged[key] = deep_merge(merged[key], value) if both else value
    return merged


def describe(value: Any) -> str:
    """Show a value the way a user wrote it."""
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    kinds = ((str, f'"{value}"'), (Mapping, "a map"), (list | tuple, "a list"))
    return next((text for kind, text in kinds if isinstance(value, kind)), str(value))
