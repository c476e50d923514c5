"""Config of the bundled cost & quality exporter (ai-observability:exporter). Pure.

Prices go through the exporter's own validation, so the stack and the exporter can never
disagree about what a valid price table is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from components.config.schema import Items, PositiveInt, Section, fail
from components.config.workload import Resources, resources
from exporter.config import ConfigError as ExporterConfigError
from exporter.config import parse_price_table

_IMAGE = re.compile(
    r"^[a-z0-9.-]+(:\d+)?(/[a-z0-9._-]+)*/?[a-z0-9._-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$"
)


def _prices(raw: Any) -> dict[str, dict[str, float]]:
    try:
        return parse_price_table(raw, "")
    except ExporterConfigError as error:
        raise fail(error.reason, error.key.lstrip(".")) from None


PriceTable = Annotated[Mapping[str, Mapping[str, float]], BeforeValidator(_prices)]
Name = Annotated[str, Field(min_length=1)]


class CostExporterConfig(Section):
    """The exporter Deployment and the prices it applies."""

    enabled: bool = True
    """The cost & quality exporter."""
    image: str = ""
    """The exporter image, pinned to a tag or digest (never latest); required when enabled."""
    gpu_prices: PriceTable = Field(default_factory=dict)
    """`{product: {on_demand, spot}}` USD per GPU-hour (over the exporter's default table)."""
    instance_prices: PriceTable = Field(default_factory=dict)
    """`{instance type: {on_demand, spot}}` USD per node-hour."""
    default_capacity_type: Literal["on_demand", "spot"] = "on_demand"
    """Capacity type of nodes without a capacity label."""
    evaluators: Items[Name] = Field(("judge",), min_length=1)
    """Evaluator names /v1/evaluations accepts."""
    extra_models: Items[Name] = ()
    """Model names accepted besides inference.models."""
    evaluation_client_namespaces: Items[Name] = ()
    """Namespaces allowed to reach the exporter besides monitoring."""
    inventory_staleness_seconds: PositiveInt = 300
    """/healthz turns 503 when the inventory is older."""
    resources: Resources = resources("50m", "128Mi", "256Mi")
    """The exporter's container resources."""

    @model_validator(mode="after")
    def _pinned_image(self) -> CostExporterConfig:
        if self.enabled and not self.image:
            raise fail(
                "required: the exporter image to run; build it with `docker build -f "
                "exporter/Dockerfile -t <registry>/ai-observability-exporter:<version> .` "
                "(or set exporter.enabled: false)",
                "image",
            )
        if self.image and (not _IMAGE.match(self.image) or self.image.endswith(":latest")):
            raise fail(
                f'expected an image pinned to a version tag or digest, got "{self.image}"', "image"
            )
        return self
