"""Read the stack's configuration from Pulumi and validate it before any resource exists."""

from __future__ import annotations

import json
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from components.config import StackConfig, parse_stack_config
from components.config_fields import PROJECT, ConfigError


def _all_config() -> dict[str, Any]:
    """Every config value the engine passed in, keyed by full name (project:key)."""
    merged = dict(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    return merged


def _decode(full_key: str, text: Any) -> Any:
    """Config values arrive as strings; maps, lists, numbers and booleans as JSON."""
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text  # a plain string such as `dev`


def raw_project_config() -> tuple[dict[str, Any], frozenset[str]]:
    """The project's config as short key -> decoded value, and which keys are secret."""
    prefix = f"{PROJECT}:"
    # The CLI passes secret keys in PULUMI_CONFIG_SECRET_KEYS; mocks and providers through
    # set_all_config. Either marks a key as secret.
    secret_from_env = set(runtime_config.get_config_secret_keys_env())
    raw: dict[str, Any] = {}
    secret: set[str] = set()
    for full_key, text in _all_config().items():
        if not full_key.startswith(prefix):
            continue
        short = full_key[len(prefix) :]
        raw[short] = _decode(full_key, text)
        if full_key in secret_from_env or runtime_config.is_config_secret(full_key):
            secret.add(short)
    # String-typed keys must stay strings even when they look like numbers.
    for key in ("environment", "cluster", "huggingFaceToken"):
        if key in raw and not isinstance(raw[key], str):
            raw[key] = json.dumps(raw[key])
    return raw, frozenset(secret)


def load_stack_config() -> StackConfig:
    """Validate the whole configuration; raise pulumi.RunError naming the key on any mistake."""
    raw, secret_keys = raw_project_config()
    kube_context = pulumi.Config("kubernetes").get("context")
    try:
        return parse_stack_config(raw, kube_context, secret_keys)
    except ConfigError as error:
        raise pulumi.RunError(str(error)) from None
