"""Parsing the stack files into the typed config: defaults, per-stack values, immutability."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from components.config.errors import ConfigError
from components.config.stack import StackConfig, parse_stack_config, secret_keys
from components.monitoring.config import PrometheusConfig, Receivers
from tests.support.harness import STACKS, receiver_secrets, stack_document

MINIMAL = {
    "environment": "qa",
    "cluster": "qa",
    "thanos": {"longTermStorage": False},
    "exporter": {"enabled": False},
}


def parse(stack: str) -> StackConfig:
    """A stack file with its documented secrets, decoded as the loader does."""
    raw, context = stack_document(stack)
    return parse_stack_config(raw, context, frozenset(secret_keys()))


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_file_parses(stack: str) -> None:
    cfg = parse(stack)
    assert cfg.environment == stack
    assert cfg.namespaces.monitoring == "monitoring"


def test_minimal_config_gets_the_defaults() -> None:
    cfg = parse_stack_config(MINIMAL, "qa-context")
    assert cfg.prometheus == PrometheusConfig()
    assert cfg.prometheus.retention == "15d"
    assert cfg.prometheus.resources.to_k8s() == {
        "requests": {"cpu": "500m", "memory": "2Gi"},
        "limits": {"memory": "4Gi"},
    }
    assert cfg.alertmanager.group_by == ("alertname", "namespace", "model_name")
    assert cfg.alertmanager.receivers == Receivers()
    assert cfg.alertmanager_secrets.endpoints() == {}


def test_a_partial_section_keeps_the_declared_defaults_of_the_rest() -> None:
    cfg = parse_stack_config(
        {
            **MINIMAL,
            "prometheus": {"resources": {"limits": {"cpu": "2"}}, "storage": {"enabled": True}},
        },
        "qa-context",
    )
    assert cfg.prometheus.resources.to_k8s() == {
        "requests": {"cpu": "500m", "memory": "2Gi"},
        "limits": {"memory": "4Gi", "cpu": "2"},
    }
    assert (cfg.prometheus.storage.enabled, cfg.prometheus.storage.size) == (True, "50Gi")


def test_config_objects_are_frozen() -> None:
    cfg = parse("dev")
    with pytest.raises(ValidationError):
        cfg.prometheus.replicas = 3  # type: ignore[misc]


def test_secrets_are_kept_out_of_repr() -> None:
    cfg = parse("prod")
    assert cfg.alertmanager_secrets.paging == receiver_secrets("prod")["paging"]
    assert receiver_secrets("prod")["paging"] not in repr(cfg)
    assert cfg.hugging_face_token and cfg.hugging_face_token not in repr(cfg)


def test_the_secret_keys_are_declared_once() -> None:
    assert secret_keys() == [
        "alertmanagerSecrets",
        "thanosObjectStorageCredentials",
        "huggingFaceToken",
    ]


def test_prod_is_the_production_shape() -> None:
    cfg = parse("prod")
    assert cfg.prometheus.replicas == 2
    assert cfg.prometheus.storage.enabled and cfg.prometheus.storage.size == "500Gi"
    assert {role: r.type for role, r in cfg.alertmanager.receivers} == {
        "paging": "pagerduty",
        "ticket": "slack",
        "heartbeat": "webhook",
        "default": "slack",
    }


def test_error_names_the_path_inside_lists() -> None:
    with pytest.raises(ConfigError) as error:
        parse_stack_config({**MINIMAL, "alertmanager": {"groupBy": ["alertname", 3]}}, "ctx")
    assert str(error.value) == "ai-observability:alertmanager.groupBy[1]: expected a string, got 3"


def test_long_term_storage_is_on_by_default_and_needs_a_bucket() -> None:
    with pytest.raises(ConfigError) as error:
        parse_stack_config({"environment": "qa", "cluster": "qa"}, "qa-context")
    assert str(error.value).startswith("ai-observability:thanos.objectStorage: required")


def test_a_secret_stored_in_plain_text_is_refused_without_echoing_it() -> None:
    with pytest.raises(ConfigError) as error:
        parse_stack_config({**MINIMAL, "huggingFaceToken": "hf_plain"}, "ctx")
    assert str(error.value).startswith(
        "ai-observability:huggingFaceToken: must be stored encrypted"
    )
    assert "hf_plain" not in str(error.value)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"rules": {"rateWindow": "1m"}, "inference": {"scrapeInterval": "30s"}},
            "ai-observability:rules.rateWindow: 1m is shorter than 4x "
            "ai-observability:inference.scrapeInterval (30s)",
        ),
        (
            {"rules": {"rateWindow": "1m"}, "gpu": {"dcgmExporter": {"scrapeInterval": "20s"}}},
            "ai-observability:rules.rateWindow: 1m is shorter than 4x "
            "ai-observability:gpu.dcgmExporter.scrapeInterval (20s)",
        ),
        (
            {
                "rules": {"rateWindow": "2m"},
                "exporter": {"image": "registry.example/exporter:1.0", "scrapeInterval": "1m"},
                "inference": {"models": [{"name": "m", "backend": "simulator"}]},
            },
            "ai-observability:rules.rateWindow: 2m is shorter than 4x "
            "ai-observability:exporter.scrapeInterval (1m)",
        ),
    ],
    ids=["vllm", "dcgm", "exporter"],
)
def test_the_rate_window_must_hold_four_scrapes_of_every_feeding_target(
    given: dict, message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        parse_stack_config({**MINIMAL, **given}, "qa-context")
    assert str(error.value).startswith(message)


def test_four_scrapes_exactly_are_enough_and_disabled_targets_do_not_count() -> None:
    window = {"rules": {"rateWindow": "1m"}, "inference": {"scrapeInterval": "15s"}}
    gpu_off = {"gpu": {"enabled": False, "dcgmExporter": {"scrapeInterval": "1m"}}}
    cfg = parse_stack_config({**MINIMAL, **window, **gpu_off}, "qa-context")
    assert cfg.rules.rate_window == "1m"


@pytest.mark.parametrize("key", ["diagnosticsInterval", "longWindowInterval"])
def test_slower_rule_groups_cannot_run_more_often_than_the_evaluation_interval(key: str) -> None:
    given = {"rules": {key: "30s"}, "prometheus": {"evaluationInterval": "1m"}}
    with pytest.raises(ConfigError) as error:
        parse_stack_config({**MINIMAL, **given}, "qa-context")
    assert str(error.value).startswith(
        f"ai-observability:rules.{key}: 30s is shorter than "
        "ai-observability:prometheus.evaluationInterval (1m)"
    )
    same = {"rules": {key: "1m"}, "prometheus": {"evaluationInterval": "1m"}}
    assert parse_stack_config({**MINIMAL, **same}, "qa-context").rules.model_dump()
