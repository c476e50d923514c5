"""Read the stack's configuration from Pulumi and validate it before any resource exists."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from components.config.errors import PROJECT, ConfigError
from components.config.stack import GlobalStackConfig, StackConfig, parse_stack_config

# Keys whose values are strings even when they look like numbers.
STRING_KEYS = ("environment", "cluster", "huggingFaceToken")


def raw_project_config() -> tuple[dict[str, Any], frozenset[str]]:
    """The project's config as short key -> decoded value, and which keys are secret."""
    prefix = f"{PROJECT}:"
    values = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    # The CLI passes secret keys in PULUMI_CONFIG_SECRET_KEYS; mocks through set_all_config.
    secret_from_env = set(runtime_config.get_config_secret_keys_env())
    raw: dict[str, Any] = {}
    secret: set[str] = set()
    for full_key, text in values.items():
        if not full_key.startswith(prefix):
            continue
        short = full_key[len(prefix) :]
        raw[short] = _decode(text) if short not in STRING_KEYS else text
        if full_key in secret_from_env or runtime_config.is_config_secret(full_key):
            secret.add(short)
    return raw, frozenset(secret)


def _decode(text: Any) -> Any:
    """Config values arrive as strings; maps, lists, numbers and booleans as JSON."""
    with contextlib.suppress(ValueError, TypeError):
        return json.loads(text)
    return text  # a plain string such as `dev`


def load_stack_config() -> StackConfig | GlobalStackConfig:
    """Validate the whole configuration; raise pulumi.RunError naming the key on any mistake."""
    raw, secret_keys = raw_project_config()
    try:
        return parse_stack_config(raw, pulumi.Config("kubernetes").get("context"), secret_keys)
    except ConfigError as error:
        raise pulumi.RunError(str(error)) from None
