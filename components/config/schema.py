"""The conventions every config section follows, and the few pieces they all use.

A section is a pydantic model: camelCase keys derived from the attribute names, no unknown keys,
no type coercion ("2" is not an integer), finite numbers, immutable. The docstring under each
attribute is its documentation (the README's configuration reference is generated from it). A
nested section given in part is merged over its declared default, so `resources: {limits:
{memory: 8Gi}}` keeps the default requests. Pure: no pulumi import.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

T = TypeVar("T")
Items = Annotated[tuple[T, ...], Strict(False)]
"""A list in the stack file, a tuple in code."""
PositiveInt = Annotated[int, Field(ge=1)]


class Section(BaseModel):
    """Base of every config section."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        extra="forbid",
        strict=True,
        frozen=True,
        allow_inf_nan=False,
        use_attribute_docstrings=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _merge_over_defaults(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        merged = dict(data)
        for name, info in cls.model_fields.items():
            key, default = info.alias or name, info.default
            given = data.get(key)
            if (
                isinstance(default, Section)
                and default.model_fields_set
                and isinstance(given, Mapping)
            ):
                merged[key] = deep_merge(
                    default.model_dump(by_alias=True, exclude_unset=True), given
                )
        return merged


def deep_merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """base with extra merged in, maps recursively; neither input is changed."""
    merged = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def fail(message: str, at: str = "") -> PydanticCustomError:
    """A config error for `raise`, located `at` a key below the value being validated."""
    return PydanticCustomError("config", "{message}", {"message": message, "at": at})


def required(hint: str = "") -> Any:
    """A field without a default whose absence is explained by hint."""
    return Field(json_schema_extra={"missing": hint})


def secret(default: Any = None) -> Any:
    """A field that must be set with `pulumi config set --secret` and is never printed."""
    return Field(default, repr=False, json_schema_extra={"secret": True})


def unique(names: list[str], key: str, what: str = "name") -> None:
    """Fail on the second use of a name in the list at key."""
    for index, name in enumerate(names):
        first = names.index(name)
        if first != index:
            raise fail(
                f'"{name}" is already the {what} of {key}[{first}]; each must be unique',
                f"{key}[{index}].{what}",
            )


def describe(value: Any) -> str:
    """Show a value the way a user wrote it."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, Mapping | list | tuple):
        return f"a {'map' if isinstance(value, Mapping) else 'list'}"
    return str(value)
