"""One KEDA ScaledObject per autoscaled model, as a plain dict. Pure: no pulumi import.

The ScaledObject targets the model's Deployment (which then sets no replicas) and reads the
model's recorded signals (rules.autoscaling) from Prometheus or Thanos Query. KEDA creates and
owns the HPA `keda-hpa-<model>`; the ScaledObject's labels (model_name among them) are copied
onto it.
"""

from __future__ import annotations

from typing import Any

from components.config.units import parse_duration
from components.inference.config import ModelConfig
from components.inference.manifests import model_labels
from components.kube.meta import metadata
from components.kube.urls import service_url
from components.monitoring.network import PROMETHEUS_PORT
from components.monitoring.values import SERVICES
from components.thanos.values import query_url
from rules.autoscaling import SIGNALS, trigger_query

# Consecutive failed reads of a trigger before KEDA falls back.
FAILURE_THRESHOLD = 3
# Remove at most one replica a minute once the stabilization window agrees.
SCALE_DOWN_POLICY = {"type": "Pods", "value": 1, "periodSeconds": 60}


def prometheus_api_url(thanos_enabled: bool, monitoring_namespace: str) -> str:
    """Where the triggers query: Thanos Query when Thanos runs (one answer across Prometheus
    replicas, the API Grafana reads), else the Prometheus Service."""
    if thanos_enabled:
        return query_url(monitoring_namespace)
    return service_url(SERVICES["prometheus"], monitoring_namespace, PROMETHEUS_PORT)


def _seconds(duration: str) -> int:
    return int(parse_duration(duration))


def signal_triggers(model: ModelConfig, server_address: str) -> list[dict[str, Any]]:
    """A Prometheus trigger per target. An empty answer is an error (fallback, an alert), not
    0, unless the model scales to zero: then no replica means no series, truthfully 0."""
    scaling = model.autoscaling
    empty_is_zero = "true" if scaling.scale_to_zero.enabled else "false"
    return [
        {
            "type": "prometheus",
            "name": signal.replace("_", "-"),
            "metricType": SIGNALS[signal].metric_type,
            "metadata": {
                "serverAddress": server_address,
                "query": trigger_query(signal, model.name),
                "threshold": f"{target:g}",
                "ignoreNullValues": empty_is_zero,
            },
        }
        for signal, target in scaling.targets.by_signal().items()
    ]


def activation_trigger(model: ModelConfig, server_address: str) -> dict[str, Any]:
    """Wakes a model scaled to zero: 1 while the activation query is above its threshold, else
    0, so it never asks for more than one replica; the signal triggers take over from there."""
    wake = model.autoscaling.scale_to_zero
    query = f"max(({wake.activation_query}) > bool {wake.activation_threshold:g})"
    return {
        "type": "prometheus",
        "name": "activation",
        "metricType": "AverageValue",
        "metadata": {
            "serverAddress": server_address,
            "query": query,
            "threshold": "1",
            "activationThreshold": "0",
            "ignoreNullValues": "true",
        },
    }


def scaled_object(model: ModelConfig, namespace: str, server_address: str) -> dict[str, Any]:
    """The ScaledObject of one autoscaled model."""
    scaling = model.autoscaling
    window = _seconds(scaling.scale_down_stabilization)
    spec: dict[str, Any] = {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": model.name},
        "pollingInterval": _seconds(scaling.polling_interval),
        "minReplicaCount": scaling.floor,
        "maxReplicaCount": scaling.ceiling,
        # While blind, never go below the fallback nor shed replicas the load put there.
        "fallback": {
            "failureThreshold": FAILURE_THRESHOLD,
            "replicas": scaling.fallback,
            "behavior": "currentReplicasIfHigher",
        },
        "advanced": {
            "horizontalPodAutoscalerConfig": {
                "behavior": {
                    "scaleDown": {
                        "stabilizationWindowSeconds": window,
                        "policies": [SCALE_DOWN_POLICY],
                    }
                }
            }
        },
        "triggers": signal_triggers(model, server_address),
    }
    if scaling.scale_to_zero.enabled:
        spec["idleReplicaCount"] = 0
        spec["cooldownPeriod"] = window
        # A new model is not scaled away while it still loads its weights.
        spec["initialCooldownPeriod"] = _seconds(model.startup_timeout)
        spec["triggers"].append(activation_trigger(model, server_address))
    return {
        "apiVersion": "keda.sh/v1alpha1",
        "kind": "ScaledObject",
        "metadata": metadata(model.name, namespace, model_labels(model)),
        "spec": spec,
    }


def scaled_objects(
    models: tuple[ModelConfig, ...], namespace: str, server_address: str
) -> list[dict[str, Any]]:
    """The ScaledObjects of the autoscaled models."""
    return [scaled_object(m, namespace, server_address) for m in models if m.autoscaling.enabled]
