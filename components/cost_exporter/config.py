"""Config of the cost & quality exporter (ai-observability:exporter); prices go through the
exporter's own validation, so both always agree on what a valid price table is. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from components.config.schema import Items, PositiveInt, Section, doc, fail
from components.config.units import Duration, matching
from components.config.workload import Resources, resources
from exporter.config import ConfigError as ExporterConfigError
from exporter.config import parse_price_table

_IMAGE = r"[a-z0-9.-]+(:\d+)?(/[a-z0-9._-]+)*/?[a-z0-9._-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})"
Image = Annotated[str, matching(f"(?!.*:latest$)({_IMAGE})?", "an image pinned to a tag or digest")]


def _prices(raw: Any) -> dict[str, dict[str, float]]:
    try:
        return parse_price_table(raw, "")
    except ExporterConfigError as error:
        raise fail(error.reason, error.key) from None


PriceTable = Annotated[Mapping[str, Mapping[str, float]], BeforeValidator(_prices)]
Names = Items[Annotated[str, Field(min_length=1)]]


class CostExporterConfig(Section):
    """The exporter Deployment and the prices it applies."""

    enabled: bool = doc(True, "the cost & quality exporter")
    image: Image = doc("", "pinned tag or digest, never latest; required when enabled")
    gpu_prices: PriceTable = doc({}, "`{product: {on_demand, spot}}` USD per GPU-hour")
    instance_prices: PriceTable = doc({}, "`{instance type: {on_demand, spot}}` USD per node-hour")
    default_capacity_type: Literal["on_demand", "spot"] = doc("on_demand", "of unlabelled nodes")
    evaluators: Names = doc(("judge",), "evaluator names /v1/evaluations accepts", min_length=1)
    extra_models: Names = doc((), "model names accepted besides inference.models")
    evaluation_client_namespaces: Names = doc((), "namespaces that may reach it (and monitoring)")
    inventory_staleness_seconds: PositiveInt = doc(300, "/healthz is 503 past this inventory age")
    scrape_interval: Duration = doc("30s", "ServiceMonitor interval of the exporter")
    resources: Resources = doc(resources("50m", "128Mi", "256Mi"), "container resources")

    @model_validator(mode="after")
    def _pinned_image(self) -> CostExporterConfig:
        if self.enabled and not self.image:
            raise fail(
                "required: the exporter image to run; build it with `docker build -f "
                "exporter/Dockerfile -t <registry>/ai-observability-exporter:<version> .` "
                "(or set exporter.enabled: false)",
                "image",
            )
        return self
