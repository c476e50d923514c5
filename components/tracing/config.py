"""Config of the tracing pipeline (ai-observability:tracing). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import Field, model_validator

from components.config.schema import Items, PositiveInt, Section, doc, fail
from components.config.units import Duration, HostPort, matching
from components.config.workload import Resources, Storage, resources

Hours = Annotated[Duration, matching(r"[^dwy]+", "hours (Tempo takes no days), e.g. 168h")]


class TempoS3(Section):
    """An S3 bucket for Tempo's blocks (credentials from workload identity)."""

    bucket: Annotated[str, Field(min_length=1)] = doc(text="bucket name")
    endpoint: HostPort = doc(text="host[:port], no scheme")
    region: str = doc("", "region")
    service_account_annotations: Mapping[str, str] = doc({}, "on Tempo's service account (IRSA)")


class CollectorConfig(Section):
    """The OpenTelemetry Collector."""

    replicas: PositiveInt = doc(1, "one: tail sampling needs all spans of a trace on one collector")
    resources: Resources = doc(resources("100m", "256Mi", "1Gi"), "container resources")

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

    retention: Hours = doc("72h", "trace retention, in hours")
    persistence: Storage = doc(Storage(enabled=False, size="10Gi"), "a volume for WAL and blocks")
    s3: TempoS3 | None = doc(None, "`{bucket, endpoint, region, serviceAccountAnnotations}`")
    resources: Resources = doc(resources("100m", "512Mi", "2Gi"), "container resources")


class TracingConfig(Section):
    """OpenTelemetry Operator, Collector, Python auto-instrumentation and Tempo."""

    enabled: bool = doc(False, "the tracing pipeline (vLLM exports its traces to it)")
    sampling_ratio: Annotated[float, Field(ge=0, le=1)] = doc(0.25, "Python services' head ratio")
    slow_trace_ms: PositiveInt = doc(10000, "tail sampling keeps every trace slower than this")
    keep_percent: Annotated[float, Field(ge=0, le=100)] = doc(10.0, "share of other traces kept")
    exporters: Items[Literal["tempo", "debug"]] = doc(("tempo",), "`tempo`, `debug`", min_length=1)
    collector: CollectorConfig = doc(CollectorConfig(), "the collector")
    tempo: TempoConfig = doc(TempoConfig(), "Tempo")
