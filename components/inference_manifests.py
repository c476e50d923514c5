"""Kubernetes objects of the model servers and the dev load generator, as plain dicts.

Pure: no pulumi import. One Deployment, Service and ServiceMonitor per model (a PVC for the model
cache and a PodDisruptionBudget when configured), on vLLM or on the GPU-less simulator with the
same labels, port and monitoring.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from components import versions
from components.config import StackConfig
from components.inference_config import ModelConfig
from components.pod_security import container_security_context, pod_security_context
from components.selection import monitoring_object_metadata
from components.tracing_names import collector_grpc_endpoint

HTTP_PORT = 8000
MODEL_LABEL = "model_name"  # Service label copied onto every series as the target label
HF_TOKEN_SECRET = "huggingface-token"
HF_TOKEN_KEY = "token"
LOAD_GENERATOR = "load-generator"
LOAD_GENERATOR_SCRIPT = Path(__file__).resolve().parents[1] / "loadgen" / "load_generator.py"
VLLM_USER = 1000
SIMULATOR_USER = 65532  # the image's own USER
NOBODY = 65534
# vLLM has native OTLP tracing; never let an Instrumentation inject a Python agent into it.
NO_AUTO_INSTRUMENTATION = {"instrumentation.opentelemetry.io/inject-python": "false"}


def selector_labels(model: ModelConfig) -> dict[str, str]:
    """Labels that select one model's pods."""
    return {"app.kubernetes.io/name": "model-server", "app.kubernetes.io/instance": model.name}


def model_labels(model: ModelConfig) -> dict[str, str]:
    """All labels of one model's objects (the same on vLLM and the simulator)."""
    return {
        **selector_labels(model),
        "app.kubernetes.io/component": "inference",
        "app.kubernetes.io/part-of": "ai-observability",
        "ai-observability/backend": model.backend,
        MODEL_LABEL: model.name,
    }


def _metadata(name: str, namespace: str, labels: dict[str, str]) -> dict[str, Any]:
    return {"name": name, "namespace": namespace, "labels": labels}


def _probe(path: str, period: int, failures: int, timeout: int = 5) -> dict[str, Any]:
    return {
        "httpGet": {"path": path, "port": "http"},
        "periodSeconds": period,
        "timeoutSeconds": timeout,
        "failureThreshold": failures,
    }


def vllm_args(model: ModelConfig, cfg: StackConfig) -> list[str]:
    """`vllm serve` arguments (the model id is positional: `--model` is deprecated there)."""
    args = [
        model.huggingface_id,
        f"--served-model-name={model.name}",
        "--host=0.0.0.0",
        f"--port={HTTP_PORT}",
        f"--tensor-parallel-size={model.gpus}",
        f"--max-model-len={model.max_model_len}",
        f"--gpu-memory-utilization={model.gpu_memory_utilization}",
    ]
    if cfg.tracing.enabled:
        args.append(f"--otlp-traces-endpoint={collector_grpc_endpoint(cfg.namespaces.tracing)}")
    return [*args, *model.extra_args]


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


def _vllm_env(model: ModelConfig, cfg: StackConfig) -> list[dict[str, Any]]:
    env: list[dict[str, Any]] = [
        {"name": "HOME", "value": "/home/vllm"},
        {"name": "HF_HOME", "value": "/models/huggingface"},
    ]
    if cfg.huggingface_token:
        env.append(
            {
                "name": "HF_TOKEN",
                "valueFrom": {"secretKeyRef": {"name": HF_TOKEN_SECRET, "key": HF_TOKEN_KEY}},
            }
        )
    if cfg.tracing.enabled:
        env += [
            {"name": "OTEL_SERVICE_NAME", "value": model.name},
            {"name": "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "value": "grpc"},
        ]
    return env


def _vllm_pod(model: ModelConfig, cfg: StackConfig) -> dict[str, Any]:
    resources = model.resources.to_k8s()  # type: ignore[union-attr]
    gpus = str(model.gpus)
    resources["requests"]["nvidia.com/gpu"] = gpus
    resources["limits"]["nvidia.com/gpu"] = gpus
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
        "args": vllm_args(model, cfg),
        "env": _vllm_env(model, cfg),
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
    tolerations = [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
    tolerations += [dict(t) for t in cfg.gpu.tolerations]
    return {
        "securityContext": pod_security_context(VLLM_USER),
        "automountServiceAccountToken": False,
        "terminationGracePeriodSeconds": 60,
        "containers": [container],
        "tolerations": tolerations,
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
        "resources": model.resources.to_k8s(),  # type: ignore[union-attr]
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


def model_deployment(model: ModelConfig, cfg: StackConfig) -> dict[str, Any]:
    """The Deployment of one model."""
    namespace = cfg.namespaces.inference
    pod = _simulator_pod(model) if model.is_simulator else _vllm_pod(model, cfg)
    spec: dict[str, Any] = {
        "replicas": model.replicas,
        "selector": {"matchLabels": selector_labels(model)},
        "template": {
            "metadata": {"labels": model_labels(model), "annotations": NO_AUTO_INSTRUMENTATION},
            "spec": pod,
        },
    }
    if not model.is_simulator:
        # GPUs are scarce: replace a pod before starting its successor.
        spec["strategy"] = {
            "type": "RollingUpdate",
            "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1},
        }
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _metadata(model.name, namespace, model_labels(model)),
        "spec": spec,
    }


def model_service(model: ModelConfig, namespace: str) -> dict[str, Any]:
    """The Service of one model: the OpenAI API and /metrics on port 8000, named http."""
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": _metadata(model.name, namespace, model_labels(model)),
        "spec": {
            "selector": selector_labels(model),
            "ports": [{"name": "http", "port": HTTP_PORT, "targetPort": "http", "protocol": "TCP"}],
        },
    }


def model_service_monitor(model: ModelConfig, namespace: str, interval: str) -> dict[str, Any]:
    """The ServiceMonitor of one model.

    The Service's model_name label becomes a target label, so vLLM's HTTP metrics
    (http_requests_total has no model label) carry model_name too. honorLabels keeps the
    model_name that vLLM's own metrics already have instead of renaming it exported_model_name.
    """
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": monitoring_object_metadata(model.name, namespace, model_labels(model)),
        "spec": {
            "selector": {"matchLabels": selector_labels(model)},
            "namespaceSelector": {"matchNames": [namespace]},
            "targetLabels": [MODEL_LABEL],
            "endpoints": [
                {"port": "http", "path": "/metrics", "interval": interval, "honorLabels": True}
            ],
        },
    }


def model_cache_claim(model: ModelConfig, namespace: str) -> dict[str, Any] | None:
    """The model-cache PVC, when the model has one."""
    if model.model_cache is None:
        return None
    spec = model.model_cache.storage.claim_spec()
    spec["accessModes"] = [model.model_cache.access_mode]
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": _metadata(f"{model.name}-model-cache", namespace, model_labels(model)),
        "spec": spec,
    }


def model_pdb(model: ModelConfig, namespace: str) -> dict[str, Any] | None:
    """A PodDisruptionBudget when the model has more than one replica."""
    if model.replicas < 2:
        return None
    return {
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": _metadata(model.name, namespace, model_labels(model)),
        "spec": {"maxUnavailable": 1, "selector": {"matchLabels": selector_labels(model)}},
    }


def model_manifests(model: ModelConfig, cfg: StackConfig) -> list[dict[str, Any]]:
    """Every object of one model."""
    namespace = cfg.namespaces.inference
    objects = [
        model_cache_claim(model, namespace),
        model_deployment(model, cfg),
        model_service(model, namespace),
        model_service_monitor(model, namespace, cfg.inference.scrape_interval),
        model_pdb(model, namespace),
    ]
    return [o for o in objects if o is not None]


def load_generator_targets(cfg: StackConfig) -> list[dict[str, str]]:
    """Where the load generator sends requests: each model's Service."""
    namespace = cfg.namespaces.inference
    return [
        {"model": m.name, "url": f"http://{m.name}.{namespace}.svc:{HTTP_PORT}"}
        for m in cfg.inference.models
    ]


def load_generator_manifests(cfg: StackConfig) -> list[dict[str, Any]]:
    """ConfigMap with the script and the Deployment that runs it (when enabled)."""
    load = cfg.inference.load_generator
    if not load.enabled:
        return []
    namespace = cfg.namespaces.inference
    script = LOAD_GENERATOR_SCRIPT.read_text()
    labels = {
        "app.kubernetes.io/name": LOAD_GENERATOR,
        "app.kubernetes.io/part-of": "ai-observability",
    }
    selector = {"app.kubernetes.io/name": LOAD_GENERATOR}
    container = {
        "name": LOAD_GENERATOR,
        "image": versions.LOAD_GENERATOR_IMAGE.reference,
        "imagePullPolicy": "IfNotPresent",
        "command": ["python", "/app/load_generator.py"],
        "env": [
            {"name": "LOADGEN_TARGETS", "value": json.dumps(load_generator_targets(cfg))},
            {"name": "LOADGEN_RPS", "value": str(load.requests_per_second)},
            {"name": "LOADGEN_MAX_TOKENS", "value": str(load.max_tokens)},
            {"name": "PYTHONDONTWRITEBYTECODE", "value": "1"},
        ],
        "resources": {
            "requests": {"cpu": "10m", "memory": "32Mi"},
            "limits": {"memory": "128Mi"},
        },
        "securityContext": container_security_context(),
        "volumeMounts": [{"name": "script", "mountPath": "/app", "readOnly": True}],
    }
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": _metadata(LOAD_GENERATOR, namespace, labels),
            "data": {"load_generator.py": script},
        },
        {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": _metadata(LOAD_GENERATOR, namespace, labels),
            "spec": {
                "replicas": 1,
                "selector": {"matchLabels": selector},
                "template": {
                    "metadata": {
                        "labels": labels,
                        # A changed script restarts the pod.
                        "annotations": {
                            "ai-observability/script-sha256": hashlib.sha256(
                                script.encode()
                            ).hexdigest()
                        },
                    },
                    "spec": {
                        "securityContext": pod_security_context(NOBODY),
                        "automountServiceAccountToken": False,
                        "containers": [container],
                        "volumes": [{"name": "script", "configMap": {"name": LOAD_GENERATOR}}],
                    },
                },
            },
        },
    ]


def inference_manifests(cfg: StackConfig) -> list[dict[str, Any]]:
    """Every object of the inference namespace except the Hugging Face token Secret."""
    objects: list[dict[str, Any]] = []
    for model in cfg.inference.models:
        objects += model_manifests(model, cfg)
    return objects + load_generator_manifests(cfg)


def mounted_refs(manifest: dict[str, Any]) -> list[tuple[str, str]]:
    """The (kind, name) of every PersistentVolumeClaim and ConfigMap a workload's pods mount."""
    pod_spec = manifest.get("spec", {}).get("template", {}).get("spec", {})
    refs: list[tuple[str, str]] = []
    for volume in pod_spec.get("volumes", []):
        if "persistentVolumeClaim" in volume:
            refs.append(("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"]))
        if "configMap" in volume:
            refs.append(("ConfigMap", volume["configMap"]["name"]))
    return refs
