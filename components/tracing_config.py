"""Typed configuration of the tracing pipeline (ai-observability:tracing). Pure."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from components.config_fields import (
    ConfigError,
    describe,
    key_path,
    read_bool,
    read_duration,
    read_int,
    read_object,
    read_str,
    read_str_list,
    read_string_map,
    top_key,
)
from components.config_resources import Resources, Storage, parse_resources, parse_storage

TRACE_EXPORTERS = ("tempo", "debug")


@dataclass(frozen=True)
class TempoStorage:
    """An S3 bucket for Tempo's blocks (credentials from workload identity)."""

    bucket: str
    endpoint: str
    region: str = ""
    service_account_annotations: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class TracingConfig:
    """OpenTelemetry Operator, Collector, Python auto-instrumentation and Tempo."""

    enabled: bool = False
    sampling_ratio: float = 0.25  # Instrumentation: parent-based trace-id ratio
    slow_trace_ms: int = 10000  # tail sampling keeps every trace slower than this
    keep_percent: float = 10.0  # ... and this share of the rest
    exporters: tuple[str, ...] = ("tempo",)
    collector_replicas: int = 1
    collector_resources: Resources = Resources("100m", "256Mi", "1Gi")
    tempo_retention: str = "72h"
    tempo_persistence: Storage = Storage(enabled=False, size="10Gi")
    tempo_storage: TempoStorage | None = None
    tempo_resources: Resources = Resources("100m", "512Mi", "2Gi")


def _ratio(obj: Mapping[str, Any], key: str, path: str, default: float, high: float) -> float:
    value = obj.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(key_path(path, key), f"expected a number, got {describe(value)}")
    if not 0 <= value <= high:
        raise ConfigError(key_path(path, key), f"must be between 0 and {high:g}, got {value}")
    return float(value)


def _tempo_storage(raw: Any, path: str) -> TempoStorage:
    obj = read_object(raw, path, ["bucket", "endpoint", "region", "serviceAccountAnnotations"])
    for key in ("bucket", "endpoint"):
        if not obj.get(key):
            raise ConfigError(key_path(path, key), "required for Tempo's S3 storage")
    endpoint = read_str(obj, "endpoint", path, "")
    if "://" in endpoint:
        raise ConfigError(
            key_path(path, "endpoint"),
            f"expected host[:port] without a scheme, got {describe(endpoint)}",
        )
    return TempoStorage(
        bucket=read_str(obj, "bucket", path, ""),
        endpoint=endpoint,
        region=read_str(obj, "region", path, ""),
        service_account_annotations=read_string_map(
            obj.get("serviceAccountAnnotations"), key_path(path, "serviceAccountAnnotations")
        ),
    )


def parse_tracing(raw: Any) -> TracingConfig:
    """ai-observability:tracing."""
    path = top_key("tracing")
    keys = [
        "enabled", "samplingRatio", "slowTraceMs", "keepPercent", "exporters",
        "collector", "tempo",
    ]  # fmt: skip
    obj = read_object(raw, path, keys)
    d = TracingConfig()
    exporters = read_str_list(obj, "exporters", path, d.exporters)
    for index, name in enumerate(exporters):
        if name not in TRACE_EXPORTERS:
            raise ConfigError(
                key_path(key_path(path, "exporters"), index),
                f"unknown exporter {describe(name)} (expected one of {', '.join(TRACE_EXPORTERS)})",
            )
    if not exporters:
        raise ConfigError(key_path(path, "exporters"), "at least one trace exporter is needed")
    slow = obj.get("slowTraceMs", d.slow_trace_ms)
    if isinstance(slow, bool) or not isinstance(slow, int) or slow <= 0:
        raise ConfigError(
            key_path(path, "slowTraceMs"),
            f"must be a positive number of milliseconds, got {describe(slow)}",
        )
    collector_path, tempo_path = key_path(path, "collector"), key_path(path, "tempo")
    collector = read_object(obj.get("collector"), collector_path, ["replicas", "resources"])
    tempo = read_object(
        obj.get("tempo"), tempo_path, ["retention", "persistence", "s3", "resources"]
    )
    replicas = read_int(collector, "replicas", collector_path, d.collector_replicas)
    if replicas != 1:
        raise ConfigError(
            key_path(collector_path, "replicas"),
            "tail sampling needs every span of a trace on one collector; more replicas need a "
            "load-balancing tier, which this stack does not deploy yet (use 1)",
        )
    retention = read_duration(tempo, "retention", tempo_path, d.tempo_retention, "72h")
    if re.search(r"[dwy]", retention):
        raise ConfigError(
            key_path(tempo_path, "retention"),
            f"Tempo takes hours, e.g. 168h, got {describe(retention)}",
        )
    return TracingConfig(
        enabled=read_bool(obj, "enabled", path, d.enabled),
        sampling_ratio=_ratio(obj, "samplingRatio", path, d.sampling_ratio, 1.0),
        slow_trace_ms=slow,
        keep_percent=_ratio(obj, "keepPercent", path, d.keep_percent, 100.0),
        exporters=exporters,
        collector_replicas=replicas,
        collector_resources=parse_resources(
            collector.get("resources"), key_path(collector_path, "resources"), d.collector_resources
        ),
        tempo_retention=retention,
        tempo_persistence=parse_storage(
            tempo.get("persistence"), key_path(tempo_path, "persistence"), d.tempo_persistence
        ),
        tempo_storage=_tempo_storage(tempo["s3"], key_path(tempo_path, "s3"))
        if "s3" in tempo
        else None,
        tempo_resources=parse_resources(
            tempo.get("resources"), key_path(tempo_path, "resources"), d.tempo_resources
        ),
    )
