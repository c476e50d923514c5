"""The whole stack config: every section, checks across sections, and the parser.

`parse_stack_config` takes the project's config as the CLI passes it (short key -> decoded
value), the kubeconfig context and the keys stored as secrets, and returns a StackConfig or
raises ConfigError naming the first wrong key. Pure: no pulumi import.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field, ValidationError, model_validator

from components.config.errors import PROJECT, ConfigError, translate
from components.config.schema import Section, fail, required, secret
from components.config.units import DnsLabel
from components.core.config import HardeningConfig, NamespacesConfig
from components.cost_exporter.config import CostExporterConfig
from components.gpu.config import GpuConfig
from components.inference.config import InferenceConfig
from components.monitoring.config import (
    AlertmanagerConfig,
    AlertmanagerSecrets,
    GrafanaConfig,
    PrometheusConfig,
)
from components.thanos.config import ObjectStorageCredentials, ThanosConfig
from components.tracing.config import TracingConfig
from rules.config import RulesConfig

KUBE_CONTEXT = "kubernetes:context"


class StackConfig(Section):
    """Everything one stack (environment) deploys."""

    kube_context: str = Field(
        min_length=1,
        alias=KUBE_CONTEXT,
        json_schema_extra={
            "missing": "name the kubeconfig context this stack deploys to, so that a stack "
            "never deploys to whatever context happens to be current"
        },
    )
    """Kubeconfig context the stack deploys to (never the current one)."""
    environment: DnsLabel = required("set it in Pulumi.<stack>.yaml")
    """Environment name; the `environment` external label."""
    cluster: DnsLabel = required("set it in Pulumi.<stack>.yaml")
    """Cluster name; the `cluster` external label on every series and alert."""
    namespaces: NamespacesConfig = NamespacesConfig()
    """One namespace per concern."""
    prometheus: PrometheusConfig = PrometheusConfig()
    """Prometheus (kube-prometheus-stack)."""
    alertmanager: AlertmanagerConfig = AlertmanagerConfig()
    """Alertmanager routing."""
    alertmanager_secrets: AlertmanagerSecrets = secret(AlertmanagerSecrets())
    """Receiver endpoints."""
    grafana: GrafanaConfig = GrafanaConfig()
    """Grafana."""
    # Validated even when absent: the defaults ask for a bucket and an exporter image.
    thanos: ThanosConfig = Field(default={}, validate_default=True)
    """Thanos."""
    thanos_object_storage_credentials: ObjectStorageCredentials = secret(ObjectStorageCredentials())
    """Bucket credentials (auth: keys)."""
    gpu: GpuConfig = GpuConfig()
    """GPU Operator and DCGM exporter."""
    inference: InferenceConfig = InferenceConfig()
    """Model servers."""
    tracing: TracingConfig = TracingConfig()
    """Tracing pipeline."""
    hugging_face_token: str | None = secret()
    """Hugging Face token for gated weights."""
    exporter: CostExporterConfig = Field(default={}, validate_default=True)
    """Cost & quality exporter."""
    rules: RulesConfig = RulesConfig()
    """Rule thresholds and SLOs."""
    hardening: HardeningConfig = HardeningConfig()
    """NetworkPolicies and Pod Security."""

    @model_validator(mode="after")
    def _across_sections(self) -> StackConfig:
        self.alertmanager_secrets.check(self.alertmanager.receivers)
        given = "thanos_object_storage_credentials" in self.model_fields_set
        self.thanos_object_storage_credentials.check(self.thanos.object_storage, given)
        if self.hugging_face_token is not None:
            if not self.hugging_face_token.strip():
                raise fail("expected a non-empty token", "huggingFaceToken")
            if all(m.is_simulator for m in self.inference.models):
                raise fail("set, but no model runs on vllm; remove it", "huggingFaceToken")
        if self.exporter.enabled and not self.inference.models and not self.exporter.extra_models:
            raise fail(
                "the exporter needs at least one model name for /v1/evaluations: add models to "
                "inference.models or list them here",
                "exporter.extraModels",
            )
        return self


def secret_keys() -> list[str]:
    """Every top-level key that must be stored encrypted."""
    return [
        info.alias or name
        for name, info in StackConfig.model_fields.items()
        if (info.json_schema_extra or {}).get("secret")
    ]


def parse_stack_config(
    raw: Mapping[str, Any], kube_context: str | None, secret_keys_set: frozenset[str] = frozenset()
) -> StackConfig:
    """Validate the raw project config (short key -> decoded value) into a StackConfig."""
    for key in secret_keys():
        if key in raw and key not in secret_keys_set:
            how = f"--path {key}.<key>" if isinstance(raw[key], Mapping) else key
            raise ConfigError(
                f"{PROJECT}:{key}",
                f"must be stored encrypted: set it with `pulumi config set --secret {how} <value>`",
            )
    document = dict(raw)
    if kube_context is not None:
        document[KUBE_CONTEXT] = kube_context
    try:
        return StackConfig.model_validate(document)
    except ValidationError as error:
        raise translate(error, StackConfig) from None


def parse_section(raw: Mapping[str, Any], key: str) -> Any:
    """One top-level section alone (e.g. the rules, for `make mixin`), errors naming its keys."""
    name = next(n for n, f in StackConfig.model_fields.items() if (f.alias or n) == key)
    section = StackConfig.model_fields[name].annotation
    try:
        return section.model_validate(raw.get(key, {}))  # type: ignore[union-attr]
    except ValidationError as error:
        raise translate(error, StackConfig, (key,)) from None
