"""Config of the GPU Operator and its DCGM exporter (ai-observability:gpu). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from components.config.schema import Items, Section, doc, fail
from components.config.units import Duration, parse_duration
from components.config.workload import Resources, resources


def _scrape_interval(text: str) -> str:
    if not 1 <= parse_duration(text) <= 300:
        raise fail(f'must be between 1s and 5m, got "{text}"')
    return text


class Toleration(Section):
    """One Kubernetes toleration."""

    key: str | None = doc(None, "taint key (required unless operator is Exists)")
    operator: Literal["Exists", "Equal"] = doc("Equal", "`Exists` or `Equal`")
    value: str | None = doc(None, "taint value (Equal only)")
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = doc(None, "effect")
    toleration_seconds: Annotated[int, Field(ge=0)] | None = doc(None, "NoExecute only")

    @model_validator(mode="after")
    def _consistent(self) -> Toleration:
        if self.key is None and self.operator == "Equal":
            raise fail("required unless operator is Exists", "key")
        if self.value is not None and self.operator == "Exists":
            raise fail("must be empty when operator is Exists", "value")
        if self.toleration_seconds is not None and self.effect != "NoExecute":
            raise fail("only applies to effect NoExecute", "tolerationSeconds")
        return self

    def to_k8s(self) -> dict[str, Any]:
        """The toleration as Kubernetes takes it."""
        return self.model_dump(by_alias=True, exclude_none=True)


class DcgmExporterConfig(Section):
    """How the DCGM exporter collects and is scraped."""

    scrape_interval: Annotated[Duration, AfterValidator(_scrape_interval)] = doc(
        "15s", "scrape and collection interval (1s to 5m)"
    )
    resources: Resources = doc(resources("50m", "128Mi", "512Mi"), "container resources")

    @property
    def interval_ms(self) -> int:
        """The scrape interval in milliseconds (the exporter's own collection interval)."""
        return int(parse_duration(self.scrape_interval) * 1000)


class GpuConfig(Section):
    """NVIDIA GPU Operator and its DCGM exporter."""

    enabled: bool = doc(True, "the GPU Operator and the DCGM exporter")
    driver: bool = doc(True, "the operator installs the driver (false where nodes ship it)")
    toolkit: bool = doc(True, "the operator installs the container toolkit (likewise)")
    device_plugin: bool = doc(True, "the operator's device plugin")
    gpu_feature_discovery: bool = doc(True, "GPU feature discovery (nvidia.com/gpu.* labels)")
    node_feature_discovery: bool = doc(True, "node feature discovery (off if NFD already runs)")
    mig_strategy: Literal["none", "single", "mixed"] = doc("single", "how MIG is advertised")
    operator_node_selector: Mapping[str, str] = doc({}, "where the operator runs (plus linux)")
    tolerations: Items[Toleration] = doc((), "for GPU DaemonSets, NFD workers and vLLM pods")
    dcgm_exporter: DcgmExporterConfig = doc(DcgmExporterConfig(), "the DCGM exporter")
