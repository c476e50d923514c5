"""Config of the GPU Operator and its DCGM exporter (ai-observability:gpu). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from components.config.schema import Items, Section, fail
from components.config.units import Duration, parse_duration
from components.config.workload import Resources, resources


def _scrape_interval(text: str) -> str:
    if not 1 <= parse_duration(text) <= 300:
        raise fail(f'must be between 1s and 5m, got "{text}"')
    return text


class Toleration(Section):
    """One Kubernetes toleration."""

    key: str | None = None
    """Taint key (required unless operator is Exists)."""
    operator: Literal["Exists", "Equal"] = "Equal"
    """`Exists` or `Equal`."""
    value: str | None = None
    """Taint value (Equal only)."""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    """Taint effect (all effects when unset)."""
    toleration_seconds: Annotated[int, Field(ge=0)] | None = None
    """NoExecute only: how long the pod stays after the taint appears."""

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

    scrape_interval: Annotated[Duration, AfterValidator(_scrape_interval)] = "15s"
    """Scrape and collection interval (1s to 5m)."""
    resources: Resources = resources("50m", "128Mi", "512Mi")
    """The exporter's container resources."""

    @property
    def interval_ms(self) -> int:
        """The scrape interval in milliseconds (the exporter's own collection interval)."""
        return int(parse_duration(self.scrape_interval) * 1000)


class GpuConfig(Section):
    """NVIDIA GPU Operator and its DCGM exporter."""

    enabled: bool = True
    """The GPU Operator and the DCGM exporter."""
    driver: bool = True
    """Let the operator install the NVIDIA driver (false where the nodes ship it)."""
    toolkit: bool = True
    """Let the operator install the container toolkit (false where the nodes ship it)."""
    device_plugin: bool = True
    """The operator's device plugin."""
    gpu_feature_discovery: bool = True
    """GPU feature discovery (node labels such as nvidia.com/gpu.product)."""
    node_feature_discovery: bool = True
    """Node feature discovery (off if the cluster already runs NFD)."""
    mig_strategy: Literal["none", "single", "mixed"] = "single"
    """How MIG devices are advertised."""
    operator_node_selector: Mapping[str, str] = {}
    """Where the operator Deployment runs (added to kubernetes.io/os: linux)."""
    tolerations: Items[Toleration] = ()
    """Extra tolerations for the GPU DaemonSets, NFD workers and vLLM pods."""
    dcgm_exporter: DcgmExporterConfig = DcgmExporterConfig()
    """The DCGM exporter."""
