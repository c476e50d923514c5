"""The rules' own config (ai-observability:rules): thresholds, windows and SLOs, declared with
pydantic alone under the CONVENTIONS every config section follows (rules/ needs no components/)."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, Strict, model_validator
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from rules.catalog import TTFT_BUCKETS

RUNBOOKS = "https://github.com/ai-observability/ai-observability/blob/main/docs/runbooks.md"
# camelCase keys from the attribute names, no unknown keys, no coercion ("2" is not an integer),
# finite numbers, immutable.
CONVENTIONS = ConfigDict(
    alias_generator=to_camel,
    validate_by_name=True,
    validate_by_alias=True,
    extra="forbid",
    strict=True,
    frozen=True,
    allow_inf_nan=False,
)


def config_error(message: str, at: str = "") -> PydanticCustomError:
    """A config error for `raise`, located `at` a key below the value being validated."""
    return PydanticCustomError("config", "{message}", {"message": message, "at": at})


def unique(names: list[str], key: str, what: str = "name") -> None:
    """Fail on the second use of a name in the list at key."""
    for index, name in enumerate(names):
        if (first := names.index(name)) != index:
            message = f'"{name}" is already the {what} of {key}[{first}]; each must be unique'
            raise config_error(message, f"{key}[{index}].{what}")


def _checked(pattern: str, expected: str) -> AfterValidator:
    def check(text: str) -> str:
        if not re.fullmatch(pattern, text):
            raise config_error(f'expected {expected}, got "{text}"')
        return text

    return AfterValidator(check)


def _doc(default: Any, text: str, low: float | None = None, high: float | None = None) -> Any:
    return Field(default, description=text, ge=low, le=high)


SloName = Annotated[str, _checked(r"[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?", "a lower-case name")]
Window = Annotated[str, _checked(r"(\d+(ms|[smhdwy]))+", "a positive duration like 5m")]
RunbookBase = Annotated[str, _checked(r"https?://[^\s#]+", "an http(s) URL without #anchor")]
DEFAULT_SLOS = (
    {"name": "ttft-2-5s", "type": "latency", "objective": 99.0, "thresholdSeconds": 2.5},
    {"name": "availability", "type": "availability", "objective": 99.0},
)


class SloConfig(BaseModel):
    """One service level objective on every model."""

    model_config = CONVENTIONS
    name: SloName = _doc(..., "a short lower-case name like ttft-2-5s")
    type: Literal["latency", "availability"] = _doc(..., "TTFT under a bound, or no errors")
    objective_percent: float = Field(
        99.0, alias="objective", ge=50, le=99.999, description="target, %"
    )
    threshold_seconds: float | None = _doc(None, "latency: a TTFT bucket bound", 0.001)

    @model_validator(mode="after")
    def _threshold(self) -> SloConfig:
        latency, bound = self.type == "latency", self.threshold_seconds
        if (bound is None) == latency:
            problem = "required for a latency SLO" if latency else "only a latency SLO has one"
            raise config_error(problem, "thresholdSeconds")
        if latency and bound not in TTFT_BUCKETS:
            raise config_error(
                f"{bound:g} is not a bucket bound of vLLM's time-to-first-token histogram, so the "
                "share of requests under it cannot be measured; use one of "
                + ", ".join(f"{b:g}" for b in TTFT_BUCKETS),
                "thresholdSeconds",
            )
        return self

    @property
    def error_budget(self) -> float:
        """The allowed error ratio, e.g. 0.01 for 99%."""
        return 1 - self.objective_percent / 100


class TeamBudget(BaseModel):
    """A team's daily GPU budget."""

    model_config = CONVENTIONS
    team: Annotated[
        str, _checked(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?", "a label value")
    ] = _doc(..., "the team, as its attribution label's value")
    daily_dollars: float = _doc(..., "USD per day", 0.01, 1e9)


class RulesConfig(BaseModel):
    """Thresholds, windows and SLOs of the rule groups."""

    model_config = CONVENTIONS
    rate_window: Window = _doc("5m", "window of every rate() in the recording rules")
    diagnostics_interval: Window = _doc(
        "1m",
        "evaluation interval of what no fast alert reads (ai-engine.rules, "
        "ai-inference-diagnostics.rules)",
    )
    long_window_interval: Window = _doc(
        "5m", "evaluation interval of the groups over day- and week-long windows (*-long.rules)"
    )
    drop_unused_buckets: bool = _doc(
        True, "drop at scrape the vLLM buckets no rule, panel or SLO reads (README: Buckets)"
    )
    ttft_p99_seconds: float = _doc(5.0, "TTFT p99 above which a model alerts", 0.001, 3600)
    gpu_memory_ratio: float = _doc(0.95, "GPU memory used ratio that alerts", 0.01, 1)
    error_ratio: float = _doc(0.05, "error ratio above which a model alerts", 0.0001, 1)
    min_requests: int = _doc(20, "requests in the window before an error or SLO alert fires", 1)
    kv_cache_percent: float = _doc(90.0, "KV cache usage (%) that alerts", 1, 100)
    gpu_temperature_celsius: float = _doc(
        85.0, "alerting °C where a board reports no limit", 30, 120
    )
    queue_backlog: int = _doc(20, "waiting requests per model that alert", 1)
    preemptions_per_second: float = _doc(0.1, "sustained preemptions/s that alert", 0.001, 1e6)
    preemptions_for: Window = _doc("15m", "how long preemptions last before they alert")
    queue_share: float = _doc(0.5, "share of p99 latency spent queueing that alerts", 0.01, 1)
    queue_share_for: Window = _doc("15m", "how long queueing dominates before it alerts")
    spec_decode_acceptance: float = _doc(0.3, "draft acceptance under which it is info", 0, 1)
    spec_decode_for: Window = _doc("30m", "how long acceptance stays low before the info alert")
    prefix_cache_for: Window = _doc(
        "30m", "how long a model's prefix cache misses before it alerts"
    )
    at_max_replicas_for: Window = _doc("15m", "how long a model at maxReplicas needs more")
    autoscaler_errors_for: Window = _doc("10m", "how long the autoscaler fails before it alerts")
    daily_budget_dollars: float = _doc(0.0, "daily GPU budget in USD (0: no budget alert)", 0, 1e9)
    budgets: Annotated[tuple[TeamBudget, ...], Strict(False)] = Field(
        (), description="`{team, dailyDollars}`: a team's daily GPU budget (TeamBudgetExceeded)"
    )
    hosted_prompt_dollars: float = _doc(
        0.0, "a hosted API's USD per 1M prompt tokens, for comparison (0: no panel)", 0, 1e4
    )
    hosted_generation_dollars: float = _doc(
        0.0, "the same API's USD per 1M generated tokens", 0, 1e4
    )
    idle_spend_share: float = _doc(0.3, "idle GPU cost share of all GPU cost that alerts", 0.01, 1)
    idle_spend_for: Window = _doc("6h", "how long idle GPU spend stays high before it alerts")
    hallucination_rate: float = _doc(0.05, "hallucination rate over 1h that alerts", 0.0001, 1)
    min_evaluations: int = _doc(20, "evaluations an hour before that alert may fire", 1)
    quality_drift: float = _doc(0.1, "drop of the 1h quality score below its 7d mean", 0.001, 1)
    runbook_base_url: RunbookBase = _doc(RUNBOOKS, "runbook page; #<alertname> is added")
    slos: Annotated[tuple[SloConfig, ...], Strict(False)] = Field(
        default_factory=lambda: tuple(SloConfig.model_validate(s) for s in DEFAULT_SLOS),
        description="`{name, type: latency|availability, objective: <percent>, thresholdSeconds}`",
    )

    @model_validator(mode="after")
    def _unique_slo_names(self) -> RulesConfig:
        unique([slo.name for slo in self.slos], "slos")
        unique([b.team for b in self.budgets], "budgets", "team")
        return self
