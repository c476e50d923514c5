"""The conventions of a config section: camelCase keys, no coercion, frozen, defaults merged."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from components.config.schema import CONVENTIONS, deep_merge, describe, unique
from components.config.workload import Resources, Storage, resources
from components.monitoring.config import PrometheusConfig
from rules.config import RulesConfig


def test_every_section_follows_the_same_conventions_as_the_rules_config() -> None:
    assert PrometheusConfig.model_config == CONVENTIONS
    assert RulesConfig.model_config == CONVENTIONS
    assert CONVENTIONS["extra"] == "forbid" and CONVENTIONS["strict"] and CONVENTIONS["frozen"]


def test_keys_are_camel_case_and_attributes_snake_case() -> None:
    cfg = PrometheusConfig.model_validate({"retentionSize": "40GiB", "scrapeControlPlane": True})
    assert (cfg.retention_size, cfg.scrape_control_plane) == ("40GiB", True)
    with pytest.raises(ValidationError):
        PrometheusConfig.model_validate({"replicas": "2"})  # no coercion


def test_a_nested_section_given_in_part_keeps_its_declared_default() -> None:
    cfg = PrometheusConfig.model_validate({"resources": {"limits": {"memory": "8Gi"}}})
    assert cfg.resources == resources("500m", "2Gi", "8Gi")
    storage = PrometheusConfig.model_validate({"storage": {"enabled": True}}).storage
    assert storage == Storage(enabled=True, size="50Gi")


def test_limits_must_cover_requests() -> None:
    with pytest.raises(ValidationError, match=r"limit 1Gi is below the request 2Gi"):
        Resources.model_validate(
            {"requests": {"cpu": "1", "memory": "2Gi"}, "limits": {"memory": "1Gi"}}
        )
    with pytest.raises(ValidationError, match=r"limit 500m is below the request 1"):
        Resources.model_validate(
            {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"memory": "1Gi", "cpu": "500m"}}
        )
    assert resources("1", "1Gi", "2Gi").to_k8s() == {
        "requests": {"cpu": "1", "memory": "1Gi"},
        "limits": {"memory": "2Gi"},
    }


def test_deep_merge_keeps_both_sides_and_changes_neither() -> None:
    base, extra = {"a": {"b": 1, "c": 2}}, {"a": {"c": 3}, "d": 4}
    assert deep_merge(base, extra) == {"a": {"b": 1, "c": 3}, "d": 4}
    assert base == {"a": {"b": 1, "c": 2}}


def test_unique_names_the_first_use() -> None:
    unique(["a", "b"], "models")
    with pytest.raises(Exception, match=r'"a" is already the name of models\[0\]'):
        unique(["a", "b", "a"], "models")


def test_describe_shows_values_as_written() -> None:
    assert [describe(v) for v in ("x", True, None, {}, [], 3)] == [
        '"x"',
        "true",
        "null",
        "a map",
        "a list",
        "3",
    ]
