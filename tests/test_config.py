"""Parsing the stack files into the typed config: defaults, per-stack values, immutability."""

from __future__ import annotations

import dataclasses
import json

import pytest
from harness import RECEIVER_SECRETS, STACKS, stack_config, stack_secrets

from components.config import (
    AlertmanagerConfig,
    PrometheusConfig,
    StackConfig,
    parse_stack_config,
)
from components.config_fields import ConfigError


def parse(stack: str) -> StackConfig:
    raw: dict[str, object] = {}
    context = None
    for key, text in stack_config(stack).items():
        if key == "kubernetes:context":
            context = text
        elif key.startswith("ai-observability:"):
            short = key.split(":", 1)[1]
            raw[short] = text if short in ("environment", "cluster") else json.loads(text)
    for path, value in stack_secrets(stack).items():
        top, _, key = path.partition(".")
        if key:
            raw.setdefault(top, {})[key] = value  # type: ignore[union-attr]
        else:
            raw[top] = value
    secret_keys = {"alertmanagerSecrets", "thanosObjectStorageCredentials", "huggingFaceToken"}
    return parse_stack_config(raw, context, frozenset(secret_keys))


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_file_parses(stack: str) -> None:
    cfg = parse(stack)
    assert cfg.environment == stack
    assert cfg.namespaces.monitoring == "monitoring"


def test_minimal_config_gets_the_defaults() -> None:
    minimal = {
        "environment": "qa",
        "cluster": "qa",
        "thanos": {"longTermStorage": False},
        "exporter": {"enabled": False},
    }
    cfg = parse_stack_config(minimal, "qa-context")
    assert cfg.monitoring.prometheus == PrometheusConfig()
    assert cfg.monitoring.prometheus.retention == "15d"
    assert cfg.monitoring.alertmanager.group_by == ("alertname", "namespace", "model_name")
    assert cfg.monitoring.alertmanager.receivers == AlertmanagerConfig().receivers
    assert cfg.receiver_secrets == {}


def test_config_objects_are_frozen() -> None:
    cfg = parse("dev")
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.monitoring.prometheus.replicas = 3  # type: ignore[misc]


def test_secrets_are_kept_out_of_repr() -> None:
    cfg = parse("prod")
    assert cfg.receiver_secrets["paging"] == RECEIVER_SECRETS["prod"]["paging"]
    assert RECEIVER_SECRETS["prod"]["paging"] not in repr(cfg)


def test_prod_is_the_production_shape() -> None:
    prom = parse("prod").monitoring.prometheus
    assert prom.replicas == 2
    assert prom.storage.enabled and prom.storage.size == "500Gi"
    am = parse("prod").monitoring.alertmanager
    assert {role: r.type for role, r in am.receivers.items()} == {
        "paging": "pagerduty",
        "ticket": "slack",
        "heartbeat": "webhook",
        "default": "slack",
    }


def test_error_names_the_path_inside_lists() -> None:
    with pytest.raises(ConfigError) as error:
        parse_stack_config(
            {"environment": "qa", "cluster": "qa", "alertmanager": {"groupBy": ["alertname", 3]}},
            "ctx",
        )
    assert str(error.value).startswith("ai-observability:alertmanager.groupBy[1]: expected")


def test_long_term_storage_is_on_by_default_and_needs_a_bucket() -> None:
    with pytest.raises(ConfigError) as error:
        parse_stack_config({"environment": "qa", "cluster": "qa"}, "qa-context")
    assert str(error.value).startswith("ai-observability:thanos.objectStorage: required")
