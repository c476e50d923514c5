"""Typed configuration of the rule groups (ai-observability:rules) and SLOs. Pure."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components.config_fields import (
    ConfigError,
    describe,
    key_path,
    read_choice,
    read_duration,
    read_int,
    read_object,
    read_str,
    top_key,
)
from rules.catalog import TTFT_BUCKETS

SLO_TYPES = ("latency", "availability")
_SLO_NAME = re.compile(r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")
DEFAULT_RUNBOOK_BASE = (
    "https://github.com/ai-observability/ai-observability/blob/main/docs/runbooks.md"
)


@dataclass(frozen=True)
class SloConfig:
    """One service level objective on every model."""

    name: str
    type: str
    objective_percent: float
    threshold_seconds: float | None = None  # latency SLOs: a TTFT bucket bound

    @property
    def error_budget(self) -> float:
        """The allowed error ratio, e.g. 0.01 for 99%."""
        return 1 - self.objective_percent / 100


@dataclass(frozen=True)
class RulesConfig:
    """Thresholds, windows and SLOs of the rule groups (defaults from the project's design)."""

    rate_window: str = "5m"
    ttft_p99_seconds: float = 5.0
    gpu_memory_ratio: float = 0.95
    error_ratio: float = 0.05
    kv_cache_percent: float = 90.0
    gpu_temperature_celsius: float = 85.0
    queue_backlog: int = 20
    daily_budget_dollars: float = 0.0  # 0: no budget alert
    hallucination_rate: float = 0.05
    min_evaluations: int = 20
    quality_drift: float = 0.1
    runbook_base_url: str = DEFAULT_RUNBOOK_BASE
    slos: tuple[SloConfig, ...] = (
        SloConfig("ttft-2-5s", "latency", 99.0, 2.5),
        SloConfig("availability", "availability", 99.0),
    )


def _number(obj: Mapping[str, Any], key: str, path: str, default: float, low: float, high: float):
    value = obj.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(key_path(path, key), f"expected a number, got {describe(value)}")
    if not low <= value <= high:
        raise ConfigError(key_path(path, key), f"must be between {low} and {high}, got {value}")
    return float(value)


def _bucket_label(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


def parse_slo(raw: Any, path: str) -> SloConfig:
    """One entry of ai-observability:rules.slos."""
    obj = read_object(raw, path, ["name", "type", "objective", "thresholdSeconds"])
    name = read_str(obj, "name", path, "")
    if not name or len(name) > 63 or not _SLO_NAME.match(name):
        raise ConfigError(
            key_path(path, "name"),
            f"expected a short lower-case name like ttft-2-5s, got {describe(name)}",
        )
    kind = read_choice(obj, "type", path, "", SLO_TYPES)
    objective = _number(obj, "objective", path, 99.0, 50.0, 99.999)
    threshold = None
    if kind == "latency":
        if "thresholdSeconds" not in obj:
            raise ConfigError(key_path(path, "thresholdSeconds"), "required for a latency SLO")
        threshold = _number(obj, "thresholdSeconds", path, 0, 0, 1e6)
        if threshold not in TTFT_BUCKETS:
            bounds = ", ".join(_bucket_label(b) for b in TTFT_BUCKETS)
            raise ConfigError(
                key_path(path, "thresholdSeconds"),
                f"{_bucket_label(threshold)} is not a bucket bound of vLLM's time-to-first-token "
                f"histogram, so the share of requests under it cannot be measured; use one of "
                f"{bounds}",
            )
    elif "thresholdSeconds" in obj:
        raise ConfigError(key_path(path, "thresholdSeconds"), "only a latency SLO has one")
    return SloConfig(name, kind, objective, threshold)


def parse_rules(raw: Any) -> RulesConfig:
    """ai-observability:rules."""
    path = top_key("rules")
    keys = [
        "rateWindow",
        "ttftP99Seconds",
        "gpuMemoryRatio",
        "errorRatio",
        "kvCachePercent",
        "gpuTemperatureCelsius",
        "queueBacklog",
        "dailyBudgetDollars",
        "hallucinationRate",
        "minEvaluations",
        "qualityDrift",
        "runbookBaseUrl",
        "slos",
    ]
    obj = read_object(raw, path, keys)
    d = RulesConfig()
    slos = d.slos
    if "slos" in obj:
        slos_path = key_path(path, "slos")
        if not isinstance(obj["slos"], list):
            raise ConfigError(slos_path, f"expected a list, got {describe(obj['slos'])}")
        slos = tuple(parse_slo(item, key_path(slos_path, i)) for i, item in enumerate(obj["slos"]))
        names = [s.name for s in slos]
        for index, name in enumerate(names):
            if names.index(name) != index:
                raise ConfigError(
                    key_path(key_path(slos_path, index), "name"), f'"{name}" is used twice'
                )
    runbook = read_str(obj, "runbookBaseUrl", path, d.runbook_base_url)
    if not re.match(r"^https?://\S+$", runbook) or "#" in runbook:
        raise ConfigError(
            key_path(path, "runbookBaseUrl"),
            "expected an http(s) URL of the runbooks page without #anchor, "
            f"got {describe(runbook)}",
        )
    return RulesConfig(
        rate_window=read_duration(obj, "rateWindow", path, d.rate_window, "5m"),
        ttft_p99_seconds=_number(obj, "ttftP99Seconds", path, d.ttft_p99_seconds, 0.001, 3600),
        gpu_memory_ratio=_number(obj, "gpuMemoryRatio", path, d.gpu_memory_ratio, 0.01, 1.0),
        error_ratio=_number(obj, "errorRatio", path, d.error_ratio, 0.0001, 1.0),
        kv_cache_percent=_number(obj, "kvCachePercent", path, d.kv_cache_percent, 1, 100),
        gpu_temperature_celsius=_number(
            obj, "gpuTemperatureCelsius", path, d.gpu_temperature_celsius, 30, 120
        ),
        queue_backlog=read_int(obj, "queueBacklog", path, d.queue_backlog),
        daily_budget_dollars=_number(
            obj, "dailyBudgetDollars", path, d.daily_budget_dollars, 0, 1e9
        ),
        hallucination_rate=_number(obj, "hallucinationRate", path, d.hallucination_rate, 0.0001, 1),
        min_evaluations=read_int(obj, "minEvaluations", path, d.min_evaluations),
        quality_drift=_number(obj, "qualityDrift", path, d.quality_drift, 0.001, 1),
        runbook_base_url=runbook,
        slos=slos,
    )
