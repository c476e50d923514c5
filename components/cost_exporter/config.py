"""Config of the cost & quality exporter; prices and ranges use the exporter's own checks. Pure."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, model_validator

from components.config.schema import Items, Section, doc, fail
from components.config.units import Duration, matching
from components.config.workload import Resources, resources
from exporter import config as exporter_config
from exporter.config import DEFAULT_MAX_GPU_HOUR_PRICE as CEILING
from exporter.labels import label_value_problem

_IMAGE = r"[a-z0-9.-]+(:\d+)?(/[a-z0-9._-]+)*/?[a-z0-9._-]+(:[A-Za-z0-9._-]+|@sha256:[a-f0-9]{64})"
Image = Annotated[str, matching(f"(?!.*:latest$)({_IMAGE})?", "an image pinned to a tag or digest")]


def _prices(raw: Any, per_node: bool) -> dict[str, dict[str, float]]:
    gpus = exporter_config.MAX_GPUS if per_node else 1  # a node-hour: MAX_GPUS GPU-hours
    try:  # the exporter's own check, within its ceiling
        return exporter_config.parse_price_table(raw, "", CEILING * gpus)
    except exporter_config.ConfigError as error:
        raise fail(error.reason, error.key) from None


GpuPrices = Annotated[dict[str, dict[str, float]], BeforeValidator(lambda r: _prices(r, False))]
NodePrices = Annotated[dict[str, dict[str, float]], BeforeValidator(lambda r: _prices(r, True))]
_STALE = exporter_config.RANGES["inventory_staleness_seconds"]


def _label_value(name: str) -> str:
    problem = label_value_problem(name)  # what the exporter refuses at start
    if problem is not None:
        raise fail(f"not usable as a label value: {problem}")
    return name


Names = Items[Annotated[str, AfterValidator(_label_value)]]


def _exporter_check(parse: Any, key: str) -> BeforeValidator:
    """The exporter's own check of its setting `key`, the error naming what is below it."""

    def check(raw: Any) -> Any:
        try:
            return parse(raw)
        except exporter_config.ConfigError as error:
            raise fail(error.reason, error.key.removeprefix(key).removeprefix(".")) from None

    return BeforeValidator(check)


AttributionLabels = Annotated[
    tuple[str, ...],
    _exporter_check(
        lambda r: exporter_config.parse_attribution({"labels": r}), "attribution.labels"
    ),
]


class AttributionConfig(Section):
    """Who a pod's GPU cost is attributed to."""

    labels: AttributionLabels = doc(("team",), "pod (else namespace) label keys, e.g. [team]")


MigSlices = Annotated[
    dict[str, int], _exporter_check(exporter_config.parse_slices, "mig_compute_slices")
]


class CostExporterConfig(Section):
    """The exporter Deployment and the prices it applies."""

    enabled: bool = doc(True, "the cost & quality exporter")
    image: Image = doc("", "pinned tag or digest, never latest; required when enabled")
    gpu_prices: GpuPrices = doc({}, "`{product: {on_demand, spot}}` USD per GPU-hour")
    instance_prices: NodePrices = doc({}, "`{instance type: {on_demand, spot}}` USD per node-hour")
    default_capacity_type: Literal["on_demand", "spot"] = doc("on_demand", "of unlabelled nodes")
    evaluators: Names = doc(("judge",), "evaluator names /v1/evaluations accepts", min_length=1)
    extra_models: Names = doc((), "model names accepted besides inference.models")
    evaluation_client_namespaces: Names = doc((), "namespaces that may reach it (and monitoring)")
    attribution: AttributionConfig = doc(AttributionConfig(), "`{labels}`: cost attribution")
    mig_compute_slices: MigSlices = doc({}, "`{product: slices}` of a whole GPU (MIG pricing)")
    inventory_staleness_seconds: int = doc(300, "inventory age limit", ge=_STALE[0], le=_STALE[1])
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
