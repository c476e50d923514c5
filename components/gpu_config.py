"""Typed configuration of the GPU component (ai-observability:gpu). Pure: no pulumi import."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from components.config_fields import (
    ConfigError,
    describe,
    key_path,
    parse_duration,
    read_bool,
    read_choice,
    read_duration,
    read_int,
    read_object,
    read_str,
    read_string_map,
    top_key,
)
from components.config_resources import Resources, parse_resources

MIG_STRATEGIES = ("none", "single", "mixed")
TOLERATION_OPERATORS = ("Exists", "Equal")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")


@dataclass(frozen=True)
class DcgmExporterConfig:
    """How the DCGM exporter is scraped."""

    scrape_interval: str = "15s"
    resources: Resources = Resources("50m", "128Mi", "512Mi")

    @property
    def interval_ms(self) -> int:
        """The scrape interval in milliseconds (the exporter's own collection interval)."""
        return int(parse_duration(self.scrape_interval) * 1000)


@dataclass(frozen=True)
class GpuConfig:
    """NVIDIA GPU Operator and its DCGM exporter."""

    enabled: bool = True
    driver: bool = True
    toolkit: bool = True
    device_plugin: bool = True
    gpu_feature_discovery: bool = True
    node_feature_discovery: bool = True
    mig_strategy: str = "single"
    operator_node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: tuple[Mapping[str, Any], ...] = ()
    dcgm_exporter: DcgmExporterConfig = DcgmExporterConfig()


def parse_toleration(raw: Any, path: str) -> dict[str, Any]:
    """One Kubernetes toleration."""
    obj = read_object(raw, path, ["key", "operator", "value", "effect", "tolerationSeconds"])
    operator = read_choice(obj, "operator", path, "Equal", TOLERATION_OPERATORS)
    toleration: dict[str, Any] = {"operator": operator}
    if "key" in obj:
        toleration["key"] = read_str(obj, "key", path, "")
    elif operator == "Equal":
        raise ConfigError(key_path(path, "key"), "required unless operator is Exists")
    if "value" in obj:
        if operator == "Exists":
            raise ConfigError(key_path(path, "value"), "must be empty when operator is Exists")
        toleration["value"] = read_str(obj, "value", path, "")
    if "effect" in obj:
        toleration["effect"] = read_choice(obj, "effect", path, "", TAINT_EFFECTS)
    if "tolerationSeconds" in obj:
        if toleration.get("effect") != "NoExecute":
            raise ConfigError(
                key_path(path, "tolerationSeconds"), "only applies to effect NoExecute"
            )
        toleration["tolerationSeconds"] = read_int(obj, "tolerationSeconds", path, 0, minimum=0)
    return toleration


def parse_gpu(raw: Any) -> GpuConfig:
    """ai-observability:gpu."""
    path = top_key("gpu")
    keys = [
        "enabled",
        "driver",
        "toolkit",
        "devicePlugin",
        "gpuFeatureDiscovery",
        "nodeFeatureDiscovery",
        "migStrategy",
        "operatorNodeSelector",
        "tolerations",
        "dcgmExporter",
    ]
    obj = read_object(raw, path, keys)
    d = GpuConfig()
    tolerations_raw = obj.get("tolerations", [])
    tolerations_path = key_path(path, "tolerations")
    if not isinstance(tolerations_raw, list):
        raise ConfigError(tolerations_path, f"expected a list, got {describe(tolerations_raw)}")
    exporter_path = key_path(path, "dcgmExporter")
    exporter = read_object(obj.get("dcgmExporter"), exporter_path, ["scrapeInterval", "resources"])
    de = DcgmExporterConfig()
    scrape_interval = read_duration(
        exporter, "scrapeInterval", exporter_path, de.scrape_interval, "15s"
    )
    if not 1 <= parse_duration(scrape_interval) <= 300:
        raise ConfigError(
            key_path(exporter_path, "scrapeInterval"),
            f"must be between 1s and 5m, got {describe(scrape_interval)}",
        )
    cfg = GpuConfig(
        enabled=read_bool(obj, "enabled", path, d.enabled),
        driver=read_bool(obj, "driver", path, d.driver),
        toolkit=read_bool(obj, "toolkit", path, d.toolkit),
        device_plugin=read_bool(obj, "devicePlugin", path, d.device_plugin),
        gpu_feature_discovery=read_bool(obj, "gpuFeatureDiscovery", path, d.gpu_feature_discovery),
        node_feature_discovery=read_bool(
            obj, "nodeFeatureDiscovery", path, d.node_feature_discovery
        ),
        mig_strategy=read_choice(obj, "migStrategy", path, d.mig_strategy, MIG_STRATEGIES),
        operator_node_selector=read_string_map(
            obj.get("operatorNodeSelector"), key_path(path, "operatorNodeSelector")
        ),
        tolerations=tuple(
            parse_toleration(item, key_path(tolerations_path, index))
            for index, item in enumerate(tolerations_raw)
        ),
        dcgm_exporter=DcgmExporterConfig(
            scrape_interval=scrape_interval,
            resources=parse_resources(
                exporter.get("resources"), key_path(exporter_path, "resources"), de.resources
            ),
        ),
    )
    return cfg
