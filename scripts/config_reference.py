"""The README's configuration reference, from the config declarations and the stack files
(scripts/readme.py puts it in README.md)."""

from __future__ import annotations

import json
import typing
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from components.config.errors import _inner
from components.config.stack import GlobalStackConfig, StackConfig
from components.config.workload import Resources
from scripts.stack_secrets import documented_secrets, needed_secrets
from scripts.stacks import stack_context, stack_names, stack_sections


def _section(annotation: Any) -> type[BaseModel] | None:
    inner = _inner(annotation)
    return inner if isinstance(inner, type) and issubclass(inner, BaseModel) else None


def _is_list(annotation: Any) -> bool:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return typing.get_origin(annotation) is tuple


def _show(value: Any) -> str:
    """A value as the stack file writes it, short."""
    if value is None or value == "" or value == {} or value == ():
        return ""
    if isinstance(value, Resources):
        value = value.model_dump(exclude_none=True)
    if isinstance(value, BaseModel):
        value = value.model_dump(by_alias=True, exclude_none=True)
    if isinstance(value, Mapping) and set(value) == {"requests", "limits"}:
        requests, limits = value["requests"], value["limits"]
        cpu = f", cpu `{limits['cpu']}`" if "cpu" in limits else ""
        memory = f"limit `{limits.get('memory')}`"
        return f"`{requests.get('cpu')}`/`{requests.get('memory')}`, {memory}{cpu}"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, str | int | float):
        return f"`{value}`"
    if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        return "`[" + ", ".join(value) + "]`"
    if isinstance(value, list | tuple):
        return f"{len(value)} entries"
    return "`" + json.dumps(value, separators=(", ", ": ")).replace('"', "") + "`"


def rows(
    model: type[BaseModel], prefix: str = "", defaults: Any = None
) -> Iterator[tuple[str, FieldInfo, Any]]:
    """(key path, field, default) of every documented leaf, nested sections flattened; the
    default of a nested key comes from its section's declared default."""
    for name, info in model.model_fields.items():
        key = f"{prefix}{info.alias or name}"
        if defaults is not None:
            default = getattr(defaults, name, None)
        elif info.is_required():
            default = "required"
        else:
            default = info.default_factory() if info.default_factory else info.default  # type: ignore[call-arg]
        section = _section(info.annotation)
        if section is None or section is Resources:
            yield key, info, default
        elif _is_list(info.annotation):
            yield key, info, default
            yield from rows(section, f"{key}[].")
        else:
            nested = default if isinstance(default, BaseModel) else None
            yield from rows(section, f"{key}.", nested)


def _stack_value(sections: Mapping[str, Any], key: str) -> Any:
    node: Any = sections
    for part in key.split("."):
        if part.endswith("[]") or not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node


def table() -> str:
    """The Markdown table: key, default, each stack's value, meaning."""
    stacks = stack_names()
    sections = {stack: stack_sections(stack) for stack in stacks}
    needed = {stack: {*needed_secrets(stack), *documented_secrets(stack)} for stack in stacks}
    head = ["key", "default", *stacks, "meaning"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    secret_sections = {k for k, f in StackConfig.model_fields.items() if f.repr is False}
    secret_keys = {StackConfig.model_fields[k].alias or k for k in secret_sections}
    # A global view's own section (the rest of its keys are the clusters' too).
    global_rows = [r for r in rows(GlobalStackConfig) if r[0].startswith("global.")]
    for key, info, default in [*rows(StackConfig), *global_rows]:
        secret = key.split(".")[0] in secret_keys
        if secret:
            values = ["needed" if key in needed[s] else "" for s in stacks]
        elif key == "kubernetes:context":
            values = [_show(stack_context(s)) for s in stacks]
        else:
            values = [_show(_stack_value(sections[s], key)) for s in stacks]
        meaning = (info.description or "") + ("; a secret (`--secret`)" if secret else "")
        shown = "required" if default == "required" else _show(default)
        cells = [f"`{key}`", shown, *values, meaning]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines)
