"""Per-model engine settings (issue 19): the vLLM flags they become, none at their defaults,
their config errors, and the prefix-cache thresholds the rules receive."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from components.config.errors import ConfigError
from components.config.stack import parse_stack_config
from components.content.rules import stack_facts
from components.cost_exporter.config import CostExporterConfig
from components.gpu.config import GpuConfig
from components.inference.config import InferenceConfig, ModelConfig
from components.inference.manifests import Serving, engine_args, vllm_args
from components.monitoring.config import PrometheusConfig

BASE = {"name": "llama", "backend": "vllm", "huggingFaceId": "meta-llama/Llama-3.1-8B-Instruct"}
TRACED = Serving("inference", "15s", "http://c.tracing.svc.cluster.local:4317")


def model(**settings: object) -> ModelConfig:
    return ModelConfig.model_validate({**BASE, **settings})


def test_defaults_add_no_flag_so_deployments_do_not_change() -> None:
    assert engine_args(model(), TRACED) == []
    assert vllm_args(model(), TRACED) == vllm_args(ModelConfig.model_validate(BASE), TRACED)


def test_each_setting_becomes_its_vllm_flag() -> None:
    configured = model(
        prefixCache={"enabled": False},
        speculative={
            "method": "draft_model",
            "model": "Qwen/Qwen3-0.6B",
            "numSpeculativeTokens": 4,
        },
        detailedTraces=True,
        loraAdapters=[{"name": "sql", "source": "org/sql-lora"}, {"name": "fr", "source": "/a/fr"}],
    )
    args = engine_args(configured, TRACED)
    assert args[0] == "--no-enable-prefix-caching"
    spec = next(a for a in args if a.startswith("--speculative-config="))
    assert json.loads(spec.split("=", 1)[1]) == {  # vLLM's own snake_case keys
        "method": "draft_model",
        "model": "Qwen/Qwen3-0.6B",
        "num_speculative_tokens": 4,
    }
    assert "--collect-detailed-traces=all" in args
    assert args[-4:] == ["--enable-lora", "--lora-modules", "sql=org/sql-lora", "fr=/a/fr"]
    # Without a traces endpoint there is nothing to collect detailed traces for.
    assert "--collect-detailed-traces=all" not in engine_args(configured, Serving("i", "15s"))


@pytest.mark.parametrize(
    "settings, message",
    [
        ({"prefixCache": {"enabled": False, "minHitRatio": 0.2}}, "prefixCache.enabled is false"),
        ({"prefixCache": {"minHitRatio": 1.5}}, "less than or equal to 1"),
        (
            {"prefixCache": {"enabled": False}, "extraArgs": ["--enable-prefix-caching"]},
            "extraArgs has --enable-prefix-caching",
        ),
        ({"extraArgs": ["--speculative-config={}"]}, "is set from this config"),
        ({"extraArgs": ["--lora-modules"]}, "is set from this config"),
        ({"speculative": {"method": "ngram"}}, "Field required"),
        ({"speculative": {"method": "n gram", "numSpeculativeTokens": 2}}, "vLLM method"),
        ({"speculative": {"method": "ngram", "numSpeculativeTokens": 0}}, "greater than or equal"),
        (
            {"loraAdapters": [{"name": "a", "source": "x"}, {"name": "a", "source": "y"}]},
            "already the name",
        ),
        ({"loraAdapters": [{"name": "Bad_Name", "source": "x"}]}, "DNS-1035"),
    ],
)
def test_bad_settings_are_config_errors(settings: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        model(**settings)


def test_the_simulator_takes_no_engine_setting() -> None:
    with pytest.raises(ValidationError, match="does not take loraAdapters"):
        ModelConfig.model_validate(
            {"name": "sim", "backend": "simulator", "loraAdapters": [{"name": "a", "source": "x"}]}
        )


def test_detailed_traces_need_tracing_and_the_error_names_the_key() -> None:
    raw = {
        "environment": "qa",
        "cluster": "qa",
        "inference": {"models": [{**BASE, "detailedTraces": True}]},
        "thanos": {"longTermStorage": False},
        "exporter": {"enabled": False},
    }
    with pytest.raises(ConfigError) as error:
        parse_stack_config(raw, "kind-x")
    assert "inference.models[0].detailedTraces" in str(error.value)
    assert "tracing.enabled" in str(error.value)


def test_only_models_with_a_threshold_get_the_prefix_cache_alert() -> None:
    inference = InferenceConfig.model_validate(
        {
            "models": [
                {**BASE, "name": "chat", "prefixCache": {"minHitRatio": 0.25}},
                {**BASE, "name": "batch"},
                {**BASE, "name": "off", "prefixCache": {"enabled": False}},
            ]
        }
    )
    facts = stack_facts(
        GpuConfig(), inference, PrometheusConfig(), CostExporterConfig(enabled=False)
    )
    assert facts.prefix_cache_hit_ratio == {"chat": 0.25}
