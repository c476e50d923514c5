"""Config of one model's autoscaling (ai-observability:inference.models[].autoscaling). Pure.

KEDA scales the model's Deployment on series the rules record per model; the checks here stop
combinations that would deploy an autoscaler that cannot work or fights its limits.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, model_validator

from components.config.schema import PositiveInt, Section, doc, fail
from components.config.units import Duration, parse_duration

Target = Annotated[float, Field(gt=0)]
# The HPA's stabilizationWindowSeconds is at most one hour.
MAX_STABILIZATION_SECONDS = 3600
MIN_RECOMMENDED_STABILIZATION = "5m"


class AutoscalingTargets(Section):
    """What one replica should carry; the autoscaler adds replicas above any of them."""

    pending_requests_per_replica: Target | None = doc(
        5.0, "requests waiting per replica (ai:pending_requests); null: not a signal"
    )
    running_requests_per_replica: Target | None = doc(
        None, "requests running per replica (ai:active_sequences)"
    )
    kv_cache_percent: Annotated[float, Field(gt=0, le=100)] | None = doc(
        None, "average KV cache use, % (ai:kv_cache_usage_percent)"
    )

    def by_signal(self) -> dict[str, float]:
        """Signal name (rules.autoscaling.SIGNALS) -> target, for the targets that are set."""
        return {name: target for name, target in self if target is not None}


class ScaleToZero(Section):
    """Scale an idle model to no replica; a query outside the model wakes it."""

    enabled: bool = doc(False, "off: loading a model takes minutes, the first request waits")
    activation_query: str = doc(
        "", "PromQL that rises when requests wait for this model with no replica running"
    )
    activation_threshold: Annotated[float, Field(ge=0)] = doc(0.0, "wake above this value")

    @model_validator(mode="after")
    def _needs_a_wake_up_signal(self) -> ScaleToZero:
        if self.enabled and not self.activation_query.strip():
            raise fail(
                "required with scaleToZero.enabled: at zero replicas the model's own series "
                "(waiting requests, KV cache) do not exist, so only a signal from outside the "
                "model (e.g. your gateway's queue for it) can wake it",
                "activationQuery",
            )
        return self


class ModelAutoscaling(Section):
    """KEDA scales this model's replicas on its own recorded signals."""

    enabled: bool = doc(False, "a ScaledObject for this model (replicas is then not set)")
    min_replicas: Annotated[int, Field(ge=0)] = doc(1, "fewest replicas (0 needs scaleToZero)")
    max_replicas: PositiveInt | None = doc(None, "most replicas (required when enabled)")
    targets: AutoscalingTargets = doc(AutoscalingTargets(), "per replica targets")
    scale_to_zero: ScaleToZero = doc(ScaleToZero(), "`{enabled, activationQuery, ...}`")
    scale_down_stabilization: Duration = doc(
        "10m", "highest recommendation over this window wins before scaling down (at most 1h)"
    )
    polling_interval: Duration = doc("30s", "how often KEDA reads the signals")
    fallback_replicas: PositiveInt | None = doc(
        None, "replicas while the signals cannot be read (default: minReplicas, at least 1)"
    )

    @model_validator(mode="after")
    def _consistent(self) -> ModelAutoscaling:
        if not self.enabled:
            return self
        if self.max_replicas is None:
            raise fail("required when autoscaling is enabled: a finite ceiling", "maxReplicas")
        if self.max_replicas < self.min_replicas:
            message = f"{self.max_replicas} is below minReplicas ({self.min_replicas})"
            raise fail(message, "maxReplicas")
        if self.min_replicas == 0 and not self.scale_to_zero.enabled:
            raise fail(
                "0 scales the model away when idle; set scaleToZero.enabled (with its "
                "activationQuery) to mean it, or use at least 1",
                "minReplicas",
            )
        if not self.targets.by_signal():
            raise fail("every target is null: set at least one", "targets")
        if parse_duration(self.scale_down_stabilization) > MAX_STABILIZATION_SECONDS:
            raise fail("at most 1h (the HPA's limit)", "scaleDownStabilization")
        if parse_duration(self.polling_interval) < 1:
            raise fail("at least 1s", "pollingInterval")
        fallback = self.fallback_replicas
        if fallback is not None and not self.floor <= fallback <= self.max_replicas:
            message = f"{fallback} is outside {self.floor}..{self.max_replicas} (minReplicas, at "
            raise fail(f"{message}least 1, to maxReplicas)", "fallbackReplicas")
        return self

    @property
    def floor(self) -> int:
        """Fewest replicas while the model is active (scale to zero goes below it when idle)."""
        return max(1, self.min_replicas)

    @property
    def fallback(self) -> int:
        """Replicas KEDA falls back to when its triggers fail."""
        return self.fallback_replicas or self.floor

    @property
    def ceiling(self) -> int:
        """maxReplicas of an enabled autoscaler."""
        assert self.max_replicas is not None, "checked when enabled"
        return self.max_replicas
