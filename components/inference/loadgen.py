"""The dev load generator: a ConfigMap with loadgen/load_generator.py and the Deployment that
runs it against every model's Service. Pure: no pulumi import."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from components import versions
from components.inference.config import LoadGeneratorConfig
from components.inference.manifests import HTTP_PORT
from components.kube.meta import PART_OF, selector
from components.kube.objects import config_map, pod_monitor, workload
from components.kube.security import container_security_context, pod_security_context
from components.kube.urls import service_url

LOAD_GENERATOR = "load-generator"
METRICS_PORT = 9100  # its own /metrics: achieved rate, errors, drops, in flight
LOAD_GENERATOR_SCRIPT = Path(__file__).resolve().parents[2] / "loadgen" / "load_generator.py"
NOBODY = 65534


def load_generator_targets(models: Sequence[str], namespace: str) -> list[dict[str, str]]:
    """Where the load generator sends requests: each model's Service."""
    return [{"model": m, "url": service_url(m, namespace, HTTP_PORT)} for m in models]


def load_generator_manifests(
    load: LoadGeneratorConfig, models: Sequence[str], namespace: str
) -> list[dict[str, Any]]:
    """ConfigMap with the script, the Deployment that runs it and the PodMonitor that scrapes
    it (when enabled)."""
    if not load.enabled:
        return []
    script = LOAD_GENERATOR_SCRIPT.read_text()
    pods = selector(LOAD_GENERATOR)
    labels = {**pods, **PART_OF}
    container = {
        "name": LOAD_GENERATOR,
        "image": versions.LOAD_GENERATOR_IMAGE.reference,
        "imagePullPolicy": "IfNotPresent",
        "command": ["python", "/app/load_generator.py"],
        "env": [
            {
                "name": "LOADGEN_TARGETS",
                "value": json.dumps(load_generator_targets(models, namespace)),
            },
            {"name": "LOADGEN_RPS", "value": str(load.requests_per_second)},
            {"name": "LOADGEN_MAX_TOKENS", "value": str(load.max_tokens)},
            {"name": "LOADGEN_MAX_CONCURRENCY", "value": str(load.max_concurrency)},
            {"name": "LOADGEN_METRICS_PORT", "value": str(METRICS_PORT)},
            {"name": "PYTHONDONTWRITEBYTECODE", "value": "1"},
        ],
        "resources": {"requests": {"cpu": "10m", "memory": "32Mi"}, "limits": {"memory": "128Mi"}},
        "securityContext": container_security_context(),
        "volumeMounts": [{"name": "script", "mountPath": "/app", "readOnly": True}],
        "ports": [{"name": "metrics", "containerPort": METRICS_PORT, "protocol": "TCP"}],
    }
    # A changed script restarts the pod.
    script_hash = {"ai-observability/script-sha256": hashlib.sha256(script.encode()).hexdigest()}
    pod = {
        "securityContext": pod_security_context(NOBODY),
        "automountServiceAccountToken": False,
        "containers": [container],
        "volumes": [{"name": "script", "configMap": {"name": LOAD_GENERATOR}}],
    }
    deployment = workload(
        "Deployment", LOAD_GENERATOR, namespace, labels, pods, pod, pod_annotations=script_hash
    )
    return [
        config_map(LOAD_GENERATOR, namespace, labels, {"load_generator.py": script}),
        deployment,
        pod_monitor(LOAD_GENERATOR, namespace, pods, "metrics", labels),
    ]
