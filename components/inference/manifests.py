"""Kubernetes objects of the model servers, as plain dicts. Pure: no pulumi import.

One Deployment, Service and ServiceMonitor per model (a PVC for the model cache and a
PodDisruptionBudget when configured), on vLLM or on the GPU-less simulator with the same labels,
port and monitoring.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from components import versions
from components.inference.config import ModelConfig
from components.kube.meta import PART_OF, metadata, selector
from components.kube.objects import pod_disruption_budget, service, service_monitor, workload
from components.kube.security import container_security_context, pod_security_context
from rules.catalog import MODEL_POD_LABEL

HTTP_PORT = 8000
# On every object of a model; the Service's is copied onto every series as a target label,
# and kube-state-metrics exports the pods' and Deployment's (the rules join on it).
MODEL_LABEL = MODEL_POD_LABEL
HF_TOKEN_SECRET = "huggingface-token"
HF_TOKEN_KEY = "token"
VLLM_USER = 1000
SIMULATOR_USER = 65532  # the image's own USER
GPU_TOLERATION = {"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}
# vLLM has native OTLP tracing; never let an Instrumentation inject a Python agent into it.
NO_AUTO_INSTRUMENTATION = {"instrumentation.opentelemetry.io/inject-python": "false"}


@dataclass(frozen=True)
class Serving:
    """What every model server of a stack shares."""

    namespace: str
    scrape_interval: str
    traces_endpoint: str | None = None  # the collector's OTLP/gRPC endpoint, with tracing
    hugging_face_token: bool = False  # whether the token Secret exists
    tolerations: Sequence[dict[str, Any]] = field(default_factory=tuple)  # besides nvidia.com/gpu
    # What the ServiceMonitors drop at scrape (rules.buckets.bucket_relabelings).
    metric_relabelings: Sequence[dict[str, Any]] = field(default_factory=tuple)


def selector_labels(model: ModelConfig) -> dict[str, str]:
    """Labels that select one model's pods."""
    return selector("model-server", model.name)


def model_labels(model: ModelConfig) -> dict[str, str]:
    """All labels of one model's objects (the same on vLLM and the simulator)."""
    return {
        **selector_labels(model),
        "app.kubernetes.io/component": "inference",
        **PART_OF,
        "ai-observability/backend": model.backend,
        MODEL_LABEL: model.name,
    }


def _probe(path: str, period: int, failures: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": 5,
        "failureThreshold": failures,
    }


def vllm_args(model: ModelConfig, serving: Serving) -> list[str]:
    """`vllm serve` arguments (the model id is positional: `--model` is deprecated there)."""
    args = [
        model.hugging_face_id,
        f"--served-model-name={model.name}",
        "--host=0.0.0.0",
        f"--port={HTTP_PORT}",
        f"--tensor-parallel-size={model.gpus}",
        f"--max-model-len={model.max_model_len}",
        f"--gpu-memory-utilization={model.gpu_memory_utilization}",
    ]
    if serving.traces_endpoint:
        args.append(f"--otlp-traces-endpoint={serving.traces_endpoint}")
    return [*args, *engine_args(model, serving), *model.extra_args]


def engine_args(model: ModelConfig, serving: Serving) -> list[str]:
    """Flags for prefix caching, speculative decoding, detailed traces and LoRA adapters; none
    when left at their defaults, so an existing Deployment's arguments do not change."""
    args = [] if model.prefix_cache.enabled else ["--no-enable-prefix-caching"]
    if model.speculative is not None:
        spec = model.speculative.model_dump(exclude_none=True)  # vLLM's own snake_case keys
        args.append(f"--speculative-config={json.dumps(spec, separators=(',', ':'))}")
    if model.detailed_traces and serving.traces_endpoint:
        args.append("--collect-detailed-traces=all")
    if model.lora_adapters:
        modules = [f"{adapter.name}={adapter.source}" for adapter in model.lora_adapters]
        args += ["--enable-lora", "--lora-modules", *modules]
    return args


def simulator_args(model: ModelConfig) -> list[str]:
    """llm-d-inference-sim arguments: same served name and port, configured latencies."""
    return [
        f"--model={model.name}",
        f"--served-model-name={model.name}",
        f"--port={HTTP_PORT}",
        f"--max-model-len={model.max_model_len}",
        f"--time-to-first-token={model.simulator.time_to_first_token}",
        f"--inter-token-latency={model.simulator.inter_token_latency}",
        # No network for a tokenizer: the simulator asks huggingface.co otherwise.
        "--force-dummy-tokenizer",
    ]


def _vllm_env(model: ModelConfig, serving: Serving) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = [
        {"name": "HOME", "value": "/home/vllm"},
        {"name": "HF_HOME", "value": "/models/huggingface"},
    ]
    if serving.hugging_face_token:
        token = {"secretKeyRef": {"name": HF_TOKEN_SECRET, "key": HF_TOKEN_KEY}}
        env.append({"name": "HF_TOKEN", "valueFrom": token})
    if serving.traces_endpoint:
        env += [
            {"name": "OTEL_SERVICE_NAME", "value": model.name},
            {"name": "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "value": "grpc"},
        ]
    return env


def _vllm_pod(model: ModelConfig, serving: Serving) -> dict[str, Any]:
    resources = model.resources.to_k8s()
    resources["requests"]["nvidia.com/gpu"] = resources["limits"]["nvidia.com/gpu"] = str(
        model.gpus
    )
    cache_volume: dict[str, Any] = (
        {"persistentVolumeClaim": {"claimName": f"{model.name}-model-cache"}}
        if model.model_cache
        else {"emptyDir": {}}
    )
    container = {
        "name": "vllm",
        "image": versions.VLLM_IMAGE.reference,
        "imagePullPolicy": "IfNotPresent",
        "command": ["vllm", "serve"],
        "args": vllm_args(model, serving),
        "env": _vllm_env(model, serving),
        "ports": [{"name": "http", "containerPort": HTTP_PORT, "protocol": "TCP"}],
        "resources": resources,
        # vLLM, torch and triton write compile caches under HOME and /tmp: the root
        # filesystem stays writable, but the process does not run as root.
        "securityContext": container_security_context(read_only_root=False),
        "volumeMounts": [
            {"name": "dshm", "mountPath": "/dev/shm"},
            {"name": "model-cache", "mountPath": "/models"},
            {"name": "home", "mountPath": "/home/vllm"},
        ],
        # Loading weights can take many minutes; the socket refuses connections until then.
        "startupProbe": _probe("/health", 10, model.startup_failure_threshold),
        "readinessProbe": _probe("/health", 5, 3),
        "livenessProbe": _probe("/health", 15, 4),
    }
    return {
        "securityContext": pod_security_context(VLLM_USER),
        "automountServiceAccountToken": False,
        "terminationGracePeriodSeconds": 60,
        "containers": [container],
        "tolerations": [GPU_TOLERATION, *serving.tolerations],
        "volumes": [
            {"name": "dshm", "emptyDir": {"medium": "Memory", "sizeLimit": model.shm_size}},
            {"name": "model-cache", **cache_volume},
            {"name": "home", "emptyDir": {}},
        ],
    }


def _simulator_pod(model: ModelConfig) -> dict[str, Any]:
    container = {
        "name": "simulator",
        "image": versions.SIMULATOR_IMAGE.reference,
        "imagePullPolicy": "IfNotPresent",
        "args": simulator_args(model),
        "ports": [{"name": "http", "containerPort": HTTP_PORT, "protocol": "TCP"}],
        "resources": model.resources.to_k8s(),
        "securityContext": container_security_context(),
        "volumeMounts": [{"name": "tmp", "mountPath": "/tmp"}],
        "readinessProbe": _probe("/health/ready", 5, 3),
        "livenessProbe": _probe("/health", 15, 4),
    }
    return {
        "securityContext": pod_security_context(SIMULATOR_USER),
        "automountServiceAccountToken": False,
        "containers": [container],
        "volumes": [{"name": "tmp", "emptyDir": {}}],
    }


def model_deployment(model: ModelConfig, serving: Serving) -> dict[str, Any]:
    """The Deployment of one model."""
    pod = _simulator_pod(model) if model.is_simulator else _vllm_pod(model, serving)
    # GPUs are scarce: a vLLM pod is replaced before its successor starts.
    one_at_a_time = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}
    return workload(
        "Deployment",
        model.name,
        serving.namespace,
        model_labels(model),
        selector_labels(model),
        pod,
        # An autoscaled model's replicas belong to its HPA: `pulumi up` must not reset them.
        None if model.autoscaling.enabled else model.replicas,
        pod_annotations=NO_AUTO_INSTRUMENTATION,
        **({} if model.is_simulator else {"strategy": one_at_a_time}),
    )


def model_service_monitor(model: ModelConfig, serving: Serving) -> dict[str, Any]:
    """The ServiceMonitor of one model.

    The Service's model_name label becomes a target label, so vLLM's HTTP metrics
    (http_requests_total has no model label) carry model_name too. honorLabels keeps the
    model_name that vLLM's own metrics already have instead of renaming it exported_model_name.
    Buckets no rule, panel or SLO reads are dropped at scrape (rules/buckets.py).
    """
    endpoint: dict[str, Any] = {
        "port": "http",
        "interval": serving.scrape_interval,
        "honorLabels": True,
    }
    if serving.metric_relabelings:
        endpoint["metricRelabelings"] = [dict(r) for r in serving.metric_relabelings]
    return service_monitor(
        model.name,
        serving.namespace,
        model_labels(model),
        selector_labels(model),
        endpoint,
        target_labels=[MODEL_LABEL],
    )


def model_cache_claim(model: ModelConfig, namespace: str) -> dict[str, Any] | None:
    """The model-cache PVC, when the model has one."""
    if model.model_cache is None:
        return None
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": metadata(f"{model.name}-model-cache", namespace, model_labels(model)),
        "spec": model.model_cache.claim_spec(),
    }


def model_manifests(model: ModelConfig, serving: Serving) -> list[dict[str, Any]]:
    """Every object of one model."""
    namespace, labels, pods = serving.namespace, model_labels(model), selector_labels(model)
    objects = [
        model_cache_claim(model, namespace),
        model_deployment(model, serving),
        # The OpenAI API and /metrics on port 8000, named http.
        service(model.name, namespace, labels, pods, [("http", HTTP_PORT)]),
        model_service_monitor(model, serving),
        pod_disruption_budget(model.name, namespace, labels, pods)
        if model.peak_replicas > 1
        else None,
    ]
    return [o for o in objects if o is not None]
