"""Typed configuration of the bundled cost & quality exporter (ai-observability:exporter).

Pure: no pulumi import. Prices use the exporter's own validation, so the stack and the exporter
can never disagree about what a valid price table is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from components.config_fields import (
    ConfigError,
    describe,
    key_path,
    read_bool,
    read_choice,
    read_int,
    read_object,
    read_str,
    read_str_list,
    top_key,
)
from components.config_resources import Resources, parse_resources
from exporter.config import CAPACITY_TYPES, parse_price_table
from exporter.config import ConfigError as ExporterConfigError

_IMAGE = re.compile(
    r"^[a-z0-9.-]+(:\d+)?(/[a-z0-9._-]+)*/?[a-z0-9._-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})$"
)


@dataclass(frozen=True)
class CostExporterConfig:
    """The exporter Deployment and the prices it applies."""

    enabled: bool = True
    image: str = ""
    gpu_prices: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    instance_prices: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    default_capacity_type: str = "on_demand"
    evaluators: tuple[str, ...] = ("judge",)
    extra_models: tuple[str, ...] = ()
    evaluation_client_namespaces: tuple[str, ...] = ()
    inventory_staleness_seconds: int = 300
    resources: Resources = Resources("50m", "128Mi", "256Mi")


def _price_table(obj: Mapping[str, Any], key: str, path: str) -> dict[str, dict[str, float]]:
    try:
        return parse_price_table(obj.get(key), key_path(path, key))
    except ExporterConfigError as error:
        where, _, message = str(error).partition(": ")
        raise ConfigError(where, message) from None


def parse_cost_exporter(raw: Any) -> CostExporterConfig:
    """ai-observability:exporter."""
    path = top_key("exporter")
    keys = [
        "enabled",
        "image",
        "gpuPrices",
        "instancePrices",
        "defaultCapacityType",
        "evaluators",
        "extraModels",
        "evaluationClientNamespaces",
        "inventoryStalenessSeconds",
        "resources",
    ]
    obj = read_object(raw, path, keys)
    d = CostExporterConfig()
    enabled = read_bool(obj, "enabled", path, d.enabled)
    image = read_str(obj, "image", path, "")
    if enabled and not image:
        raise ConfigError(
            key_path(path, "image"),
            "required: the exporter image to run; build it with `docker build -f "
            "exporter/Dockerfile -t <registry>/ai-observability-exporter:<version> .` "
            "(or set exporter.enabled: false)",
        )
    if image and (not _IMAGE.match(image) or image.endswith(":latest")):
        raise ConfigError(
            key_path(path, "image"),
            f"expected an image pinned to a version tag or digest, got {describe(image)}",
        )
    evaluators = read_str_list(obj, "evaluators", path, d.evaluators)
    if not evaluators:
        raise ConfigError(key_path(path, "evaluators"), "expected at least one evaluator name")
    return CostExporterConfig(
        enabled=enabled,
        image=image,
        gpu_prices=_price_table(obj, "gpuPrices", path),
        instance_prices=_price_table(obj, "instancePrices", path),
        default_capacity_type=read_choice(
            obj, "defaultCapacityType", path, d.default_capacity_type, CAPACITY_TYPES
        ),
        evaluators=evaluators,
        extra_models=read_str_list(obj, "extraModels", path, d.extra_models),
        evaluation_client_namespaces=read_str_list(
            obj, "evaluationClientNamespaces", path, d.evaluation_client_namespaces
        ),
        inventory_staleness_seconds=read_int(
            obj, "inventoryStalenessSeconds", path, d.inventory_staleness_seconds
        ),
        resources=parse_resources(obj.get("resources"), key_path(path, "resources"), d.resources),
    )
