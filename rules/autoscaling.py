"""Autoscaling per model: the signals KEDA scales on, the autoscaler's replicas per model, and
alerts for a model stuck at its ceiling or an autoscaler that cannot read its signal.

KEDA (2.20, pkg/metricscollector/prommetrics.go) counts errors per ScaledObject in
keda_scaled_object_errors_total{namespace, scaledObject}, `namespace` being the ScaledObject's
(our relabeling undoes the exported_namespace its chart's ServiceMonitor makes). kube-state-metrics
names the HPA KEDA owns (keda-hpa-<scaledobject>) in `horizontalpodautoscaler` and its target in
kube_horizontalpodautoscaler_info{scaletargetref_kind, scaletargetref_name}.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rules._builders import alert, group, record
from rules.availability import from_label
from rules.config import RulesConfig
from rules.stack import StackFacts


@dataclass(frozen=True)
class Signal:
    """A per-model series the autoscaler reads, and how the HPA compares it to its target."""

    series: str
    metric_type: str  # AverageValue: total / target = replicas; Value: average vs target
    per_replica: bool  # whether the signal is compared per replica (a total of the model)
    meaning: str


SIGNALS: dict[str, Signal] = {
    "pending_requests_per_replica": Signal(
        "ai:pending_requests", "AverageValue", True, "requests waiting per replica"
    ),
    "running_requests_per_replica": Signal(
        "ai:active_sequences", "AverageValue", True, "requests running per replica"
    ),
    "kv_cache_percent": Signal(
        "ai:kv_cache_usage_percent", "Value", False, "average KV cache use (%)"
    ),
}
REPLICAS = ("min", "max", "current", "desired")
KSM_HPA_SERIES = {
    "min": "kube_horizontalpodautoscaler_spec_min_replicas",
    "max": "kube_horizontalpodautoscaler_spec_max_replicas",
    "current": "kube_horizontalpodautoscaler_status_current_replicas",
    "desired": "kube_horizontalpodautoscaler_status_desired_replicas",
}
ERRORS_WINDOW = "5m"


def trigger_query(signal: str, model: str) -> str:
    """What KEDA asks Prometheus for one model: exactly one element, the model's total (or
    average, for a Value signal) of a series the rules record."""
    return f'sum({SIGNALS[signal].series}{{model_name="{model}"}})'


def autoscaler_replicas(series: str) -> str:
    """An HPA series of kube-state-metrics per model: HPA -> the Deployment it scales -> the
    Deployment's model_name label."""
    target = (
        'label_replace(kube_horizontalpodautoscaler_info{scaletargetref_kind="Deployment"}, '
        '"deployment", "$1", "scaletargetref_name", "(.+)")'
    )
    return f"""
    sum by (namespace, model_name) (
      {series}
      * on (namespace, horizontalpodautoscaler) group_left (deployment)
      group by (namespace, horizontalpodautoscaler, deployment) ({target})
      * on (namespace, deployment) group_left (model_name)
      group by (namespace, deployment, model_name) ({from_label("kube_deployment_labels")})
    )
    """


def target_rules(facts: StackFacts) -> list[dict[str, Any]]:
    """One constant series per autoscaled model and signal: the target its ScaledObject holds."""
    return [
        record(
            "ai:autoscaling_target:value",
            f"vector({target:g})",
            {"model_name": model, "signal": signal},
        )
        for model, targets in sorted(facts.autoscaling_targets.items())
        for signal, target in sorted(targets.items())
    ]


def signal_value(signal: str) -> str:
    """One signal per model as the dashboards and alerts compare it with its target: a total
    divided by the replicas the autoscaler counts, or the average as it is."""
    spec = SIGNALS[signal]
    value = spec.series
    if spec.per_replica:
        replicas = "sum by (model_name) (ai:model_autoscaler_replicas:current) > 0"
        value = f"{spec.series} / on (model_name) ({replicas})"
    return f'label_replace({value}, "signal", "{signal}", "", "")'


def recording_rules(facts: StackFacts) -> list[dict[str, Any]]:
    """Autoscaler replicas per model, targets, and each signal against its target."""
    rules = [
        record(f"ai:model_autoscaler_replicas:{kind}", autoscaler_replicas(KSM_HPA_SERIES[kind]))
        for kind in REPLICAS
    ]
    rules += target_rules(facts)
    signals = "\nor\n".join(signal_value(s) for s in SIGNALS)
    rules += [
        # Only the signals a model scales on: those with a target.
        record(
            "ai:autoscaling_signal:value",
            f"({signals})\nand on (model_name, signal) ai:autoscaling_target:value",
        ),
        record(
            "ai:autoscaling_signal:ratio",
            "ai:autoscaling_signal:value / on (model_name, signal) ai:autoscaling_target:value",
        ),
    ]
    return rules


def alerts(cfg: RulesConfig) -> list[dict[str, Any]]:
    """A model held at its ceiling while it needs more, and an autoscaler that is blind."""
    rb = cfg.runbook_base_url
    errors = f"increase(keda_scaled_object_errors_total[{ERRORS_WINDOW}])"
    return [
        alert(
            "ModelAtMaxReplicas",
            """
            ai:model_autoscaler_replicas:current
            >= on (namespace, model_name) ai:model_autoscaler_replicas:max
            and on (model_name)
            max by (model_name) (ai:autoscaling_signal:ratio) > 1
            """,
            cfg.at_max_replicas_for,
            "warning",
            "A model is at its maximum replicas and still above its scaling target.",
            "{{ $labels.model_name }} in {{ $labels.namespace }} has run at its maximum of "
            "{{ $value }} replicas for "
            f"{cfg.at_max_replicas_for} with its scaling signal above target: requests queue. "
            "Raise autoscaling.maxReplicas (and the GPU quota) or add capacity.",
            rb,
        ),
        alert(
            "AutoscalerErrors",
            f"""
            label_replace(
              sum by (namespace, scaledObject) ({errors}) > 0,
              "model_name", "$1", "scaledObject", "(.+)"
            )
            unless on (model_name) ai:model_replicas:available == 0
            """,
            cfg.autoscaler_errors_for,
            "warning",
            "The autoscaler cannot read a model's scaling signal.",
            "KEDA failed {{ $value | humanize }} times in the last "
            f"{ERRORS_WINDOW} to read the triggers of ScaledObject "
            "{{ $labels.namespace }}/{{ $labels.scaledObject }} (e.g. Prometheus "
            "unreachable, or the query returned nothing): the model holds its fallback "
            "replicas and does not follow its load. (Quiet while no replica of the model is "
            "available: there is no signal to read then, and the availability alerts speak.)",
            rb,
        ),
    ]


def groups(cfg: RulesConfig, facts: StackFacts) -> list[dict[str, Any]]:
    """ai-autoscaling.rules and ai-autoscaling.alerts."""
    return [
        group("ai-autoscaling.rules", recording_rules(facts)),
        group("ai-autoscaling.alerts", alerts(cfg)),
    ]
