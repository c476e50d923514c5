"""The whole stack config: every section, the checks across sections, and the parser. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError, model_validator

from components.config.errors import PROJECT, ConfigError, translate
from components.config.schema import Section, doc, fail, required, secret
from components.config.units import DnsLabel, parse_duration
from components.core.config import HardeningConfig, NamespacesConfig
from components.cost_exporter.config import CostExporterConfig
from components.global_view.config import GlobalViewConfig
from components.gpu.config import GpuConfig
from components.inference.config import InferenceConfig
from components.monitoring.config import AlertmanagerConfig as Alertmanager
from components.monitoring.config import AlertmanagerSecrets, GrafanaConfig, PrometheusConfig
from components.thanos.config import ObjectStorageCredentials as Credentials
from components.thanos.config import ThanosConfig
from components.tracing.config import TracingConfig
from rules.config import RulesConfig

KUBE_CONTEXT = "kubernetes:context"
PER_STACK = "set it in Pulumi.<stack>.yaml"
NO_CURRENT = "name the kubeconfig context of this stack, never whatever context is current"


class MonitoredCluster(Section):
    """What every stack has: where it deploys, its labels, and its monitoring core."""

    kube_context: str = required("kubeconfig context to deploy to", NO_CURRENT, alias=KUBE_CONTEXT)
    environment: DnsLabel = required("the `environment` external label", PER_STACK)
    cluster: DnsLabel = required("the `cluster` external label of every series", PER_STACK)
    namespaces: NamespacesConfig = doc(NamespacesConfig(), "one namespace per concern")
    prometheus: PrometheusConfig = doc(PrometheusConfig(), "Prometheus")
    alertmanager: Alertmanager = doc(Alertmanager(), "Alertmanager routing")
    alertmanager_secrets: AlertmanagerSecrets = secret("receiver endpoints", AlertmanagerSecrets())
    grafana: GrafanaConfig = doc(GrafanaConfig(), "Grafana")


class StackConfig(MonitoredCluster):
    """Everything one stack (environment) deploys."""

    # Validated even when absent: the defaults ask for a bucket and an exporter image.
    thanos: ThanosConfig = doc({}, "Thanos", validate_default=True)
    thanos_object_storage_credentials: Credentials = secret("bucket keys", Credentials())
    gpu: GpuConfig = doc(GpuConfig(), "GPU Operator and DCGM exporter")
    inference: InferenceConfig = doc(InferenceConfig(), "model servers")
    tracing: TracingConfig = doc(TracingConfig(), "tracing pipeline")
    hugging_face_token: str | None = secret("Hugging Face token for gated weights")
    exporter: CostExporterConfig = doc({}, "cost & quality exporter", validate_default=True)
    rules: RulesConfig = doc(RulesConfig(), "rule thresholds and SLOs")
    hardening: HardeningConfig = doc(HardeningConfig(), "NetworkPolicies and Pod Security")

    @model_validator(mode="after")
    def _across_sections(self) -> StackConfig:
        self.alertmanager_secrets.check(self.alertmanager.receivers)
        given = "thanos_object_storage_credentials" in self.model_fields_set
        self.thanos_object_storage_credentials.check(self.thanos.object_storage, given)
        token = self.hugging_face_token
        if token is not None and not token.strip():
            raise fail("expected a non-empty token", "huggingFaceToken")
        if token is not None and all(m.is_simulator for m in self.inference.models):
            raise fail("set, but no model runs on vllm; remove it", "huggingFaceToken")
        if self.exporter.enabled and not self.inference.models and not self.exporter.extra_models:
            message = "the exporter needs a model name for /v1/evaluations: add inference.models"
            raise fail(f"{message} or list them here", "exporter.extraModels")
        for index, model in enumerate(self.inference.models):
            if model.detailed_traces and not self.tracing.enabled:
                message = "needs tracing.enabled: the phases are spans of each request's trace"
                raise fail(message, f"inference.models[{index}].detailedTraces")
        # rate() over fewer than four scrapes leaves gaps after one missed scrape.
        window, gpu, exporter = self.rules.rate_window, self.gpu, self.exporter
        intervals = {
            "inference": self.inference.scrape_interval,
            "gpu.dcgmExporter": gpu.enabled and gpu.dcgm_exporter.scrape_interval,
            "exporter": exporter.enabled and exporter.scrape_interval,
        }
        evaluation = self.prometheus.evaluation_interval
        slower = {
            "rules.diagnosticsInterval": self.rules.diagnostics_interval,
            "rules.longWindowInterval": self.rules.long_window_interval,
        }
        for key, interval in slower.items():
            if parse_duration(interval) < parse_duration(evaluation):
                message = (
                    f"{interval} is shorter than {PROJECT}:prometheus.evaluationInterval "
                    f"({evaluation})"
                )
                raise fail(f"{message}; these groups run at most as often as the rest", key)
        for key, interval in ((k, i) for k, i in intervals.items() if i):
            if parse_duration(window) < 4 * parse_duration(interval):
                message = f"{window} is shorter than 4x {PROJECT}:{key}.scrapeInterval ({interval})"
                raise fail(f"{message}; rate() needs 4 scrapes in its window", "rules.rateWindow")
        return self


class GlobalStackConfig(MonitoredCluster):
    """A global view (a stack with `global`): Thanos Query over every cluster's StoreAPI, and
    Prometheus, Alertmanager and Grafana of its own; nothing a cluster runs (no GPU Operator,
    models, exporter, tracing or AI rules: those keys are unknown here)."""

    rules: RulesConfig = doc(RulesConfig(), "runbookBaseUrl (the view's alert)")
    hardening: HardeningConfig = doc(HardeningConfig(), "NetworkPolicies and Pod Security")
    global_view: GlobalViewConfig = doc(text="the clusters of the view", alias="global")

    @model_validator(mode="after")
    def _across_sections(self) -> GlobalStackConfig:
        self.alertmanager_secrets.check(self.alertmanager.receivers)
        return self


def secret_keys() -> list[str]:
    """Every top-level key that must be stored encrypted."""
    fields = StackConfig.model_fields.items()
    return [f.alias or n for n, f in fields if (f.json_schema_extra or {}).get("secret")]


def parse_stack_config(
    raw: Mapping[str, Any], kube_context: str | None, secret_keys_set: frozenset[str] = frozenset()
) -> StackConfig | GlobalStackConfig:
    """Validate the raw project config (short key -> decoded value) into a StackConfig, or a
    GlobalStackConfig when it has a `global` section."""
    for key in (k for k in secret_keys() if k in raw and k not in secret_keys_set):
        how = f"--path {key}.<key>" if isinstance(raw[key], Mapping) else key
        how = f"`pulumi config set --secret {how} <value>`"
        raise ConfigError(f"{PROJECT}:{key}", f"must be stored encrypted: set it with {how}")
    document = {**raw, **({KUBE_CONTEXT: kube_context} if kube_context else {})}
    model: type[StackConfig] | type[GlobalStackConfig] = (
        GlobalStackConfig if "global" in raw else StackConfig
    )
    try:
        return model.model_validate(document)
    except ValidationError as error:
        raise translate(error, model) from None


def parse_section(raw: Mapping[str, Any], key: str) -> Any:
    """One top-level section alone (e.g. the rules, for `make mixin`), errors naming its keys."""
    name = next(n for n, f in StackConfig.model_fields.items() if (f.alias or n) == key)
    section = StackConfig.model_fields[name].annotation
    try:
        return section.model_validate(raw.get(key, {}))  # type: ignore[union-attr]
    except ValidationError as error:
        raise translate(error, StackConfig, (key,)) from None
