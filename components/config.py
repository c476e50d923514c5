"""The typed configuration of one stack: frozen dataclasses, their defaults, and the parser.

Pure: no pulumi import. `parse_stack_config` takes the raw project config (already JSON-decoded)
and raises ConfigError naming the full key path on the first problem; `config_loader` reads the
raw values from Pulumi and turns that error into pulumi.RunError.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from components.config_fields import (
    ConfigError,
    check_dns_label,
    describe,
    key_path,
    parse_byte_size,
    parse_quantity,
    read_bool,
    read_byte_size,
    read_choice,
    read_duration,
    read_int,
    read_object,
    read_str,
    read_str_list,
    top_key,
    unknown_key_message,
)
from components.config_resources import Resources, Storage, parse_resources, parse_storage
from components.cost_exporter_config import CostExporterConfig, parse_cost_exporter
from components.gpu_config import GpuConfig, parse_gpu
from components.hardening_config import HardeningConfig, parse_hardening
from components.inference_config import (
    InferenceConfig,
    parse_huggingface_token,
    parse_inference,
)
from components.rules_config import RulesConfig, parse_rules
from components.thanos_config import (
    ThanosConfig,
    parse_object_storage_credentials,
    parse_thanos,
)
from components.tracing_config import TracingConfig, parse_tracing

# --- namespaces ----------------------------------------------------------------------------


@dataclass(frozen=True)
class NamespacesConfig:
    """One namespace per concern; names are configurable."""

    monitoring: str = "monitoring"
    inference: str = "inference"
    gpu_operator: str = "gpu-operator"
    tracing: str = "tracing"

    def created_by_foundation(self) -> dict[str, str]:
        """Concern -> name of the namespaces the foundation creates (the others come with
        the component that fills them)."""
        return {"monitoring": self.monitoring, "inference": self.inference}


_NAMESPACE_KEYS = {
    "monitoring": "monitoring",
    "inference": "inference",
    "gpuOperator": "gpu_operator",
    "tracing": "tracing",
}


def parse_namespaces(raw: Any) -> NamespacesConfig:
    """ai-observability:namespaces."""
    path = top_key("namespaces")
    obj = read_object(raw, path, _NAMESPACE_KEYS)
    default = NamespacesConfig()
    values: dict[str, str] = {}
    seen: dict[str, str] = {}
    for key, attr in _NAMESPACE_KEYS.items():
        name = check_dns_label(obj.get(key, getattr(default, attr)), key_path(path, key))
        if name in seen:
            raise ConfigError(
                key_path(path, key),
                f'"{name}" is already used by {key_path(path, seen[name])}; '
                "each concern needs its own namespace",
            )
        seen[name] = key
        values[attr] = name
    return NamespacesConfig(**values)


# --- Prometheus ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PrometheusConfig:
    """Prometheus inside kube-prometheus-stack."""

    replicas: int = 1
    retention: str = "15d"
    retention_size: str = ""
    scrape_interval: str = "30s"
    evaluation_interval: str = "30s"
    storage: Storage = Storage(enabled=False, size="50Gi")
    resources: Resources = Resources("500m", "2Gi", "4Gi")
    node_exporter: bool = True
    scrape_control_plane: bool = False


def parse_prometheus(raw: Any) -> PrometheusConfig:
    """ai-observability:prometheus."""
    path = top_key("prometheus")
    keys = [
        "replicas",
        "retention",
        "retentionSize",
        "scrapeInterval",
        "evaluationInterval",
        "storage",
        "resources",
        "nodeExporter",
        "scrapeControlPlane",
    ]
    obj = read_object(raw, path, keys)
    d = PrometheusConfig()
    cfg = PrometheusConfig(
        replicas=read_int(obj, "replicas", path, d.replicas),
        retention=read_duration(obj, "retention", path, d.retention),
        retention_size=read_byte_size(obj, "retentionSize", path, d.retention_size),
        scrape_interval=read_duration(obj, "scrapeInterval", path, d.scrape_interval, "30s"),
        evaluation_interval=read_duration(
            obj, "evaluationInterval", path, d.evaluation_interval, "30s"
        ),
        storage=parse_storage(obj.get("storage"), key_path(path, "storage"), d.storage),
        resources=parse_resources(obj.get("resources"), key_path(path, "resources"), d.resources),
        node_exporter=read_bool(obj, "nodeExporter", path, d.node_exporter),
        scrape_control_plane=read_bool(obj, "scrapeControlPlane", path, d.scrape_control_plane),
    )
    too_big = (
        cfg.retention_size
        and cfg.storage.enabled
        and parse_byte_size(cfg.retention_size) >= parse_quantity(cfg.storage.size)
    )
    if too_big:
        raise ConfigError(
            key_path(path, "retentionSize"),
            f"{cfg.retention_size} does not fit in the volume "
            f"({key_path(path, 'storage.size')} = {cfg.storage.size}); keep it at about "
            "80% of the volume so the WAL and compaction have room",
        )
    return cfg


# --- Grafana -------------------------------------------------------------------------------


@dataclass(frozen=True)
class GrafanaConfig:
    """Grafana inside kube-prometheus-stack."""

    admin_user: str = "admin"
    persistence: Storage = Storage(enabled=False, size="10Gi")
    resources: Resources = Resources("100m", "256Mi", "512Mi")
    dashboard_folder_annotation: str = "grafana_folder"


def parse_grafana(raw: Any) -> GrafanaConfig:
    """ai-observability:grafana."""
    path = top_key("grafana")
    obj = read_object(raw, path, ["adminUser", "persistence", "resources"])
    d = GrafanaConfig()
    admin_user = read_str(obj, "adminUser", path, d.admin_user)
    if not re.match(r"^[A-Za-z0-9_.@-]{1,64}$", admin_user):
        raise ConfigError(
            key_path(path, "adminUser"),
            f"expected a login name (letters, digits, _ . @ -), got {describe(admin_user)}",
        )
    persistence_path = key_path(path, "persistence")
    persistence_obj = read_object(obj.get("persistence"), persistence_path, ["enabled", "size"])
    return GrafanaConfig(
        admin_user=admin_user,
        persistence=parse_storage(persistence_obj, persistence_path, d.persistence),
        resources=parse_resources(obj.get("resources"), key_path(path, "resources"), d.resources),
    )


# --- Alertmanager --------------------------------------------------------------------------

RECEIVER_ROLES = ("paging", "ticket", "heartbeat", "default")
RECEIVER_TYPES = ("none", "webhook", "slack", "pagerduty")


@dataclass(frozen=True)
class ReceiverConfig:
    """Where one class of alerts goes. The endpoint itself is a secret (alertmanagerSecrets)."""

    type: str = "none"
    slack_channel: str | None = None

    @property
    def needs_secret(self) -> bool:
        """Whether this receiver needs an endpoint secret."""
        return self.type != "none"


@dataclass(frozen=True)
class AlertmanagerConfig:
    """Alertmanager routing and its pod."""

    replicas: int = 1
    group_by: tuple[str, ...] = ("alertname", "namespace", "model_name")
    group_wait: str = "30s"
    group_interval: str = "5m"
    repeat_interval: str = "4h"
    heartbeat_repeat_interval: str = "1m"
    receivers: Mapping[str, ReceiverConfig] = field(
        default_factory=lambda: {role: ReceiverConfig() for role in RECEIVER_ROLES}
    )
    resources: Resources = Resources("50m", "64Mi", "256Mi")


def parse_receiver(raw: Any, path: str) -> ReceiverConfig:
    """One entry of ai-observability:alertmanager.receivers."""
    obj = read_object(raw, path, ["type", "channel"])
    kind = read_choice(obj, "type", path, "none", RECEIVER_TYPES)
    channel = None
    if kind == "slack":
        if "channel" not in obj:
            raise ConfigError(
                key_path(path, "channel"), "required for a slack receiver, e.g. #ai-alerts"
            )
        channel = read_str(obj, "channel", path, "")
        if not re.match(r"^[#@]?[a-z0-9][a-z0-9._-]{0,79}$", channel):
            raise ConfigError(
                key_path(path, "channel"),
                f"expected a Slack channel like #ai-alerts, got {describe(channel)}",
            )
    elif "channel" in obj:
        raise ConfigError(
            key_path(path, "channel"), f"only a slack receiver has a channel, not {kind}"
        )
    return ReceiverConfig(type=kind, slack_channel=channel)


def parse_alertmanager(raw: Any) -> AlertmanagerConfig:
    """ai-observability:alertmanager."""
    path = top_key("alertmanager")
    keys = [
        "replicas",
        "groupBy",
        "groupWait",
        "groupInterval",
        "repeatInterval",
        "heartbeatRepeatInterval",
        "receivers",
        "resources",
    ]
    obj = read_object(raw, path, keys)
    d = AlertmanagerConfig()
    group_by = read_str_list(obj, "groupBy", path, d.group_by)
    if "..." not in group_by:
        for label in ("alertname", "model_name"):
            if label not in group_by:
                raise ConfigError(
                    key_path(path, "groupBy"),
                    f'must contain "{label}" so that alerts of different '
                    f"{'models' if label == 'model_name' else 'kinds'} are not grouped together",
                )
    receivers_path = key_path(path, "receivers")
    receivers_obj = read_object(obj.get("receivers"), receivers_path, RECEIVER_ROLES)
    receivers = {
        role: parse_receiver(receivers_obj.get(role), key_path(receivers_path, role))
        for role in RECEIVER_ROLES
    }
    return AlertmanagerConfig(
        replicas=read_int(obj, "replicas", path, d.replicas),
        group_by=group_by,
        group_wait=read_duration(obj, "groupWait", path, d.group_wait, "30s"),
        group_interval=read_duration(obj, "groupInterval", path, d.group_interval, "5m"),
        repeat_interval=read_duration(obj, "repeatInterval", path, d.repeat_interval, "4h"),
        heartbeat_repeat_interval=read_duration(
            obj, "heartbeatRepeatInterval", path, d.heartbeat_repeat_interval, "1m"
        ),
        receivers=receivers,
        resources=parse_resources(obj.get("resources"), key_path(path, "resources"), d.resources),
    )


def parse_receiver_secrets(
    raw: Any, is_secret: bool, alertmanager: AlertmanagerConfig
) -> dict[str, str]:
    """ai-observability:alertmanagerSecrets: one endpoint secret per receiver that needs one."""
    path = top_key("alertmanagerSecrets")
    if raw is not None and not is_secret:
        raise ConfigError(
            path,
            "holds receiver endpoints and must be stored encrypted: set each entry with "
            "`pulumi config set --secret --path alertmanagerSecrets.<receiver> <value>`",
        )
    obj = read_object(raw, path, RECEIVER_ROLES)
    secrets: dict[str, str] = {}
    for role in RECEIVER_ROLES:
        receiver = alertmanager.receivers[role]
        secret_path = key_path(path, role)
        if not receiver.needs_secret:
            if role in obj:
                raise ConfigError(
                    secret_path,
                    f"set, but {top_key('alertmanager')}.receivers.{role}.type is none; "
                    "remove it or choose a receiver type",
                )
            continue
        if role not in obj:
            raise ConfigError(
                secret_path,
                f"required by the {receiver.type} receiver "
                f"{top_key('alertmanager')}.receivers.{role}; set it with "
                f"`pulumi config set --secret --path alertmanagerSecrets.{role} <value>`",
            )
        value = obj[role]
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(secret_path, "expected a non-empty string")
        if receiver.type in ("webhook", "slack") and not re.match(r"^https?://\S+$", value):
            # Do not echo the value: it is a secret.
            raise ConfigError(secret_path, f"the {receiver.type} receiver needs an http(s) URL")
        if receiver.type == "pagerduty" and not re.match(r"^[A-Za-z0-9]{32}$", value):
            raise ConfigError(secret_path, "expected a 32-character PagerDuty integration key")
        secrets[role] = value
    return secrets


# --- the whole stack -----------------------------------------------------------------------


@dataclass(frozen=True)
class MonitoringConfig:
    """The monitoring core: kube-prometheus-stack with Prometheus, Alertmanager and Grafana."""

    prometheus: PrometheusConfig = PrometheusConfig()
    alertmanager: AlertmanagerConfig = field(default_factory=AlertmanagerConfig)
    grafana: GrafanaConfig = GrafanaConfig()


@dataclass(frozen=True)
class StackConfig:
    """Everything one stack (environment) deploys."""

    environment: str
    cluster: str
    kube_context: str
    namespaces: NamespacesConfig
    monitoring: MonitoringConfig
    thanos: ThanosConfig = field(default_factory=ThanosConfig)
    gpu: GpuConfig = field(default_factory=GpuConfig)
    inference: InferenceConfig = InferenceConfig()
    tracing: TracingConfig = field(default_factory=TracingConfig)
    exporter: CostExporterConfig = field(default_factory=CostExporterConfig)
    rules: RulesConfig = RulesConfig()
    hardening: HardeningConfig = field(default_factory=HardeningConfig)
    # Plain values of secret config: never printed, only ever passed on as pulumi secrets.
    receiver_secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    object_storage_credentials: Mapping[str, str] = field(default_factory=dict, repr=False)
    huggingface_token: str | None = field(default=None, repr=False)


TOP_LEVEL_KEYS = (
    "environment",
    "cluster",
    "namespaces",
    "prometheus",
    "alertmanager",
    "alertmanagerSecrets",
    "grafana",
    "thanos",
    "thanosObjectStorageCredentials",
    "gpu",
    "inference",
    "tracing",
    "huggingFaceToken",
    "exporter",
    "rules",
    "hardening",
)


def parse_stack_config(
    raw: Mapping[str, Any], kube_context: str | None, secret_keys: frozenset[str] = frozenset()
) -> StackConfig:
    """Validate the raw project config (short key -> decoded value) into a StackConfig."""
    for key in raw:
        if key not in TOP_LEVEL_KEYS:
            message = unknown_key_message(key.split(".")[0].split("[")[0], list(TOP_LEVEL_KEYS))
            if "." in key or "[" in key:
                message += "; to set a nested value use `pulumi config set --path`"
            raise ConfigError(top_key(key), message)
    for key in ("environment", "cluster"):
        if key not in raw:
            raise ConfigError(top_key(key), "required; set it in Pulumi.<stack>.yaml")
    environment = check_dns_label(raw["environment"], top_key("environment"))
    cluster = check_dns_label(raw["cluster"], top_key("cluster"))
    if not kube_context:
        raise ConfigError(
            "kubernetes:context",
            "required: name the kubeconfig context this stack deploys to, so that a stack never "
            "deploys to whatever context happens to be current",
        )
    alertmanager = parse_alertmanager(raw.get("alertmanager"))
    thanos = parse_thanos(raw.get("thanos"))
    inference = parse_inference(raw.get("inference"))
    exporter = parse_cost_exporter(raw.get("exporter"))
    if exporter.enabled and not inference.models and not exporter.extra_models:
        raise ConfigError(
            f"{top_key('exporter')}.extraModels",
            "the exporter needs at least one model name for /v1/evaluations: add models to "
            f"{top_key('inference')}.models or list them here",
        )
    return StackConfig(
        environment=environment,
        cluster=cluster,
        kube_context=kube_context,
        namespaces=parse_namespaces(raw.get("namespaces")),
        monitoring=MonitoringConfig(
            prometheus=parse_prometheus(raw.get("prometheus")),
            alertmanager=alertmanager,
            grafana=parse_grafana(raw.get("grafana")),
        ),
        thanos=thanos,
        gpu=parse_gpu(raw.get("gpu")),
        inference=inference,
        tracing=parse_tracing(raw.get("tracing")),
        exporter=exporter,
        rules=parse_rules(raw.get("rules")),
        hardening=parse_hardening(raw.get("hardening")),
        receiver_secrets=parse_receiver_secrets(
            raw.get("alertmanagerSecrets"), "alertmanagerSecrets" in secret_keys, alertmanager
        ),
        object_storage_credentials=parse_object_storage_credentials(
            raw.get("thanosObjectStorageCredentials"),
            "thanosObjectStorageCredentials" in secret_keys,
            thanos,
        ),
        huggingface_token=parse_huggingface_token(
            raw.get("huggingFaceToken"), "huggingFaceToken" in secret_keys, inference
        ),
    )
