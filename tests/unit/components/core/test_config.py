"""Namespaces and hardening config."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from components.config.errors import translate
from components.core.config import HardeningConfig, NamespacesConfig


def test_defaults_and_camel_case_keys() -> None:
    assert NamespacesConfig().model_dump(by_alias=True) == {
        "monitoring": "monitoring",
        "inference": "inference",
        "gpuOperator": "gpu-operator",
        "tracing": "tracing",
        "autoscaling": "keda",
    }
    assert HardeningConfig().network_policies is True


def test_each_concern_needs_its_own_namespace() -> None:
    with pytest.raises(ValidationError) as caught:
        NamespacesConfig.model_validate({"tracing": "monitoring"})
    error = translate(caught.value, NamespacesConfig, ("namespaces",))
    assert error.path == "ai-observability:namespaces.tracing"
    assert '"monitoring" is already used by namespaces.monitoring' in str(error)


def test_pod_security_levels_are_the_three_kubernetes_knows() -> None:
    with pytest.raises(ValidationError):
        HardeningConfig.model_validate({"inferencePodSecurity": "strict"})
    assert (
        HardeningConfig.model_validate({"inferencePodSecurity": "baseline"}).inference_pod_security
        == "baseline"
    )
