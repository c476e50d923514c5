"""The rules' own config (ai-observability:rules): thresholds, windows and SLOs.

Declared with pydantic under the same conventions as every section of the stack config
(camelCase keys, no unknown keys, no coercion, immutable, attribute docstrings as docs), but
importing nothing from components/: the content renders without the deployment layer.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from rules.catalog import TTFT_BUCKETS

DEFAULT_RUNBOOK_BASE = (
    "https://github.com/ai-observability/ai-observability/blob/main/docs/runbooks.md"
)
_DURATION = re.compile(r"^(\d+(ms|[smhdwy]))+$")


def _fail(message: str, at: str = "") -> PydanticCustomError:
    return PydanticCustomError("config", "{message}", {"message": message, "at": at})


def _rate_window(text: str) -> str:
    if not _DURATION.match(text) or not re.search(r"[1-9]", text):
        raise _fail(f'expected a positive duration like 5m, got "{text}"')
    return text


def _runbook_base(text: str) -> str:
    if not re.match(r"^https?://\S+$", text) or "#" in text:
        raise _fail(f'expected an http(s) URL of the runbooks page without #anchor, got "{text}"')
    return text


def _bound(value: float) -> str:
    text = repr(float(value))
    return text[:-2] if text.endswith(".0") else text


class _Config(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        extra="forbid",
        strict=True,
        frozen=True,
        allow_inf_nan=False,
        use_attribute_docstrings=True,
    )


class SloConfig(_Config):
    """One service level objective on every model."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$", max_length=63)]
    """A short lower-case name like ttft-2-5s."""
    type: Literal["latency", "availability"]
    """`latency` (TTFT under thresholdSeconds) or `availability` (no server or engine error)."""
    objective_percent: Annotated[float, Field(ge=50, le=99.999, alias="objective")] = 99.0
    """Target share of good requests, in percent."""
    threshold_seconds: Annotated[float, Field(gt=0)] | None = None
    """Latency SLOs: a bucket bound of vLLM's TTFT histogram."""

    @model_validator(mode="after")
    def _threshold(self) -> SloConfig:
        if self.type == "availability" and self.threshold_seconds is not None:
            raise _fail("only a latency SLO has one", "thresholdSeconds")
        if self.type == "latency" and self.threshold_seconds is None:
            raise _fail("required for a latency SLO", "thresholdSeconds")
        if self.type == "latency" and self.threshold_seconds not in TTFT_BUCKETS:
            raise _fail(
                f"{_bound(self.threshold_seconds or 0)} is not a bucket bound of vLLM's "
                "time-to-first-token histogram, so the share of requests under it cannot be "
                f"measured; use one of {', '.join(_bound(b) for b in TTFT_BUCKETS)}",
                "thresholdSeconds",
            )
        return self

    @property
    def error_budget(self) -> float:
        """The allowed error ratio, e.g. 0.01 for 99%."""
        return 1 - self.objective_percent / 100


class RulesConfig(_Config):
    """Thresholds, windows and SLOs of the rule groups."""

    rate_window: Annotated[str, AfterValidator(_rate_window)] = "5m"
    """Window of every rate() in the recording rules."""
    ttft_p99_seconds: Annotated[float, Field(ge=0.001, le=3600)] = 5.0
    """TTFT p99 above which a model alerts."""
    gpu_memory_ratio: Annotated[float, Field(ge=0.01, le=1)] = 0.95
    """GPU memory used ratio above which a GPU alerts."""
    error_ratio: Annotated[float, Field(ge=0.0001, le=1)] = 0.05
    """Error ratio above which a model alerts."""
    kv_cache_percent: Annotated[float, Field(ge=1, le=100)] = 90.0
    """KV cache usage (percent) above which a model alerts."""
    gpu_temperature_celsius: Annotated[float, Field(ge=30, le=120)] = 85.0
    """GPU temperature (°C) above which a GPU alerts."""
    queue_backlog: Annotated[int, Field(ge=1)] = 20
    """Waiting requests per model above which it alerts."""
    daily_budget_dollars: Annotated[float, Field(ge=0, le=1e9)] = 0.0
    """Daily GPU budget in USD (0: no budget alert)."""
    hallucination_rate: Annotated[float, Field(ge=0.0001, le=1)] = 0.05
    """Hallucination rate over an hour above which a model alerts."""
    min_evaluations: Annotated[int, Field(ge=1)] = 20
    """Evaluations an hour needs before the hallucination alert may fire."""
    quality_drift: Annotated[float, Field(ge=0.001, le=1)] = 0.1
    """Drop of the 1h mean quality score below its 7-day mean that alerts."""
    runbook_base_url: Annotated[str, AfterValidator(_runbook_base)] = DEFAULT_RUNBOOK_BASE
    """Base of every runbook_url (the alert name in lower case is the anchor)."""
    slos: Annotated[tuple[SloConfig, ...], Strict(False)] = (
        SloConfig(name="ttft-2-5s", type="latency", objective=99.0, threshold_seconds=2.5),
        SloConfig(name="availability", type="availability", objective=99.0),
    )
    """`{name, type: latency|availability, objective: <percent>, thresholdSeconds}` per SLO."""

    @model_validator(mode="after")
    def _unique_slo_names(self) -> RulesConfig:
        names = [slo.name for slo in self.slos]
        for index, name in enumerate(names):
            if names.index(name) != index:
                raise _fail(f'"{name}" is used twice', f"slos[{index}].name")
        return self
