"""Config of the tracing pipeline (ai-observability:tracing). Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from components.config.schema import Items, PositiveInt, Section, fail
from components.config.units import Duration, matching
from components.config.workload import Resources, Storage, resources


def _hours(text: str) -> str:
    if re.search(r"[dwy]", text):
        raise fail(f'Tempo takes hours, e.g. 168h, got "{text}"')
    return text


class TempoS3(Section):
    """An S3 bucket for Tempo's blocks (credentials from workload identity)."""

    bucket: str = Field(min_length=1)
    """Bucket name."""
    endpoint: Annotated[
        str, matching(re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$"), "host[:port] without a scheme")
    ]
    """host[:port], no scheme."""
    region: str = ""
    """Region."""
    service_account_annotations: Mapping[str, str] = {}
    """Annotations of Tempo's service account (e.g. an IRSA role)."""


class CollectorConfig(Section):
    """The OpenTelemetry Collector."""

    replicas: PositiveInt = 1
    """One: tail sampling needs every span of a trace on one collector."""
    resources: Resources = resources("100m", "256Mi", "1Gi")
    """The collector's container resources."""

    @model_validator(mode="after")
    def _one_replica(self) -> CollectorConfig:
        if self.replicas != 1:
            raise fail(
                "tail sampling needs every span of a trace on one collector; more replicas need "
                "a load-balancing tier, which this stack does not deploy yet (use 1)",
                "replicas",
            )
        return self


class TempoConfig(Section):
    """Tempo, single binary."""

    retention: Annotated[Duration, AfterValidator(_hours)] = "72h"
    """How long traces are kept, in hours."""
    persistence: Storage = Storage(enabled=False, size="10Gi")
    """A volume for Tempo's WAL and local blocks."""
    s3: TempoS3 | None = None
    """`{bucket, endpoint, region, serviceAccountAnnotations}`: blocks in S3 (local when unset)."""
    resources: Resources = resources("100m", "512Mi", "2Gi")
    """Tempo's container resources."""


class TracingConfig(Section):
    """OpenTelemetry Operator, Collector, Python auto-instrumentation and Tempo."""

    enabled: bool = False
    """The tracing pipeline; vLLM exports its traces to it."""
    sampling_ratio: Annotated[float, Field(ge=0, le=1)] = 0.25
    """Parent-based trace-id ratio of auto-instrumented Python services."""
    slow_trace_ms: PositiveInt = 10000
    """Tail sampling keeps every trace slower than this."""
    keep_percent: Annotated[float, Field(ge=0, le=100)] = 10.0
    """Tail sampling keeps this share of the other traces (errors are always kept)."""
    exporters: Items[Literal["tempo", "debug"]] = Field(("tempo",), min_length=1)
    """Trace exporters: `tempo`, `debug`."""
    collector: CollectorConfig = CollectorConfig()
    """The collector."""
    tempo: TempoConfig = TempoConfig()
    """Tempo."""
