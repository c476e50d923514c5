"""The policy checks as pure functions of (resource type, properties): importable and testable
without pulumi-policy. Each returns the list of violations (empty when the resource is fine)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from typing import Any

WORKLOADS = {
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "kubernetes:core/v1:Pod": ("spec",),
}
MONITORING_KINDS = {
    "kubernetes:monitoring.coreos.com/v1:ServiceMonitor",
    "kubernetes:monitoring.coreos.com/v1:PodMonitor",
    "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
}
DEFAULT_SELECTION = {"release": "kube-prometheus-stack"}
DEFAULT_PRIVILEGED_NAMESPACES = ("gpu-operator",)
DEFAULT_SERVICE_TYPES = ("ClusterIP",)
_TAG = re.compile(r":[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$")
_DIGEST = re.compile(r"@sha256:[a-f0-9]{64}$")
# Secret-looking material in ConfigMap data: key = value pairs, PEM blocks, AWS access keys.
_SECRET_ASSIGNMENT = re.compile(
    r"""(?ix)\b(password|passwd|secret|token|api[_-]?key|access[_-]?key|secret[_-]?key|private[_-]?key)\b
    ["']?\s*[:=]\s*["']?(?!/)[^\s"',}]{6,}"""
)
_SECRET_MATERIAL = re.compile(
    r"-----BEGIN [A-Z ]*PRIVATE KEY-----|\bAKIA[0-9A-Z]{16}\b|\bhf_[A-Za-z0-9]{20,}\b"
)
_SECRET_ENV_NAME = re.compile(r"(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|ACCESS_KEY|PRIVATE_KEY)$")


def _dig(props: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    node: Any = props
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def pod_spec(resource_type: str, props: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pod spec of a workload resource, or None for other types."""
    path = WORKLOADS.get(resource_type)
    spec = _dig(props, path) if path else None
    return spec if isinstance(spec, Mapping) else None


def containers(spec: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(kind, container) for every init and regular container."""
    for kind in ("initContainers", "containers"):
        for container in spec.get(kind) or []:
            yield kind, container


def namespace_of(props: Mapping[str, Any]) -> str:
    """metadata.namespace, or "" for cluster-scoped or unset."""
    return str(_dig(props, ("metadata", "namespace")) or "")


def check_resources(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """Every container requests CPU and memory and has a memory limit."""
    spec = pod_spec(resource_type, props)
    if spec is None:
        return []
    problems = []
    for _, c in containers(spec):
        resources = c.get("resources") or {}
        requests, limits = resources.get("requests") or {}, resources.get("limits") or {}
        missing = [f"requests.{k}" for k in ("cpu", "memory") if k not in requests]
        missing += ["limits.memory"] if "memory" not in limits else []
        if missing:
            problems.append(f"container {c.get('name')!r} has no {', '.join(missing)}")
    return problems


def image_is_pinned(image: str) -> bool:
    """A version tag (not latest) or a digest."""
    if _DIGEST.search(image):
        return True
    name = image.rsplit("/", 1)[-1]
    return bool(_TAG.search(name)) and not name.endswith(":latest")


def check_pinned_images(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """Images carry a version tag or a digest, never latest or nothing."""
    images: list[tuple[str, str]] = []
    spec = pod_spec(resource_type, props)
    if spec is not None:
        images = [(str(c.get("name")), str(c.get("image", ""))) for _, c in containers(spec)]
    elif resource_type.endswith(":OpenTelemetryCollector") and _dig(props, ("spec", "image")):
        images = [("collector", str(props["spec"]["image"]))]
    return [
        f"container {name!r} image {image!r} is not pinned to a version tag or digest"
        for name, image in images
        if not image_is_pinned(image)
    ]


def check_non_root(
    resource_type: str,
    props: Mapping[str, Any],
    privileged_namespaces: tuple[str, ...] = DEFAULT_PRIVILEGED_NAMESPACES,
) -> list[str]:
    """Containers run as non-root without privilege escalation (allow-listed namespaces aside)."""
    spec = pod_spec(resource_type, props)
    if spec is None or namespace_of(props) in privileged_namespaces:
        return []
    pod_non_root = (spec.get("securityContext") or {}).get("runAsNonRoot") is True
    problems = []
    for _, c in containers(spec):
        sc = c.get("securityContext") or {}
        if not (pod_non_root or sc.get("runAsNonRoot") is True) or sc.get("runAsUser") == 0:
            problems.append(f"container {c.get('name')!r} may run as root (set runAsNonRoot)")
        if sc.get("allowPrivilegeEscalation") is not False:
            problems.append(f"container {c.get('name')!r} allows privilege escalation")
        if sc.get("privileged") is True:
            problems.append(f"container {c.get('name')!r} is privileged")
    return problems


def check_no_plain_secrets(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """No secret material in ConfigMaps, and no secret-named env var with a literal value."""
    problems = []
    if resource_type == "kubernetes:core/v1:ConfigMap":
        for key, value in (props.get("data") or {}).items():
            text = str(value)
            if _SECRET_ASSIGNMENT.search(text) or _SECRET_MATERIAL.search(text):
                problems.append(f"ConfigMap key {key!r} looks like it holds a secret: use a Secret")
    spec = pod_spec(resource_type, props)
    if spec is not None:
        for _, c in containers(spec):
            for env in c.get("env") or []:
                if _SECRET_ENV_NAME.search(str(env.get("name", ""))) and "value" in env:
                    problems.append(
                        f"container {c.get('name')!r} sets {env['name']} as a plain value: use valueFrom.secretKeyRef"
                    )
    return problems


def check_service_type(
    resource_type: str, props: Mapping[str, Any], allowed: tuple[str, ...] = DEFAULT_SERVICE_TYPES
) -> list[str]:
    """Services stay inside the cluster unless the config allows more."""
    if resource_type != "kubernetes:core/v1:Service":
        return []
    kind = _dig(props, ("spec", "type")) or "ClusterIP"
    return (
        []
        if kind in allowed
        else [f"Service type {kind} is not allowed (allowed: {', '.join(allowed)})"]
    )


def check_selected_by_prometheus(
    resource_type: str, props: Mapping[str, Any], selection: Mapping[str, str] = DEFAULT_SELECTION
) -> list[str]:
    """ServiceMonitors, PodMonitors and PrometheusRules carry our Prometheus' selection label."""
    if resource_type not in MONITORING_KINDS:
        return []
    labels = _dig(props, ("metadata", "labels")) or {}
    missing = {k: v for k, v in selection.items() if labels.get(k) != v}
    return [
        f"{resource_type.rsplit(':', 1)[-1]} lacks the label {k}={v}: our Prometheus will ignore it"
        for k, v in missing.items()
    ]


def check_alerts(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """Every alert has a severity label and a runbook_url annotation."""
    if resource_type != "kubernetes:monitoring.coreos.com/v1:PrometheusRule":
        return []
    problems = []
    for group in _dig(props, ("spec", "groups")) or []:
        for rule in group.get("rules") or []:
            if "alert" not in rule:
                continue
            if not (rule.get("labels") or {}).get("severity"):
                problems.append(f"alert {rule['alert']} has no severity label")
            if not (rule.get("annotations") or {}).get("runbook_url"):
                problems.append(f"alert {rule['alert']} has no runbook_url annotation")
    return problems


SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"


def check_autoscaler_ceiling(resource_type: str, props: Mapping[str, Any]) -> list[str]:
    """An autoscaled workload has a finite maxReplicaCount of its own (KEDA's default is 100:
    on GPUs, spend without a bound), at least its minReplicaCount."""
    if resource_type != SCALED_OBJECT:
        return []
    name = _dig(props, ("metadata", "name")) or "?"
    ceiling, floor = (
        _dig(props, ("spec", "maxReplicaCount")),
        _dig(props, ("spec", "minReplicaCount")),
    )
    # Mocks and the engine hand numbers over as floats; a whole, finite number counts.
    whole = isinstance(ceiling, int | float) and math.isfinite(ceiling) and ceiling == int(ceiling)
    if isinstance(ceiling, bool) or not whole:
        return [f"ScaledObject {name} sets no maxReplicaCount: KEDA would allow 100 replicas"]
    if ceiling < max(1, floor if isinstance(floor, int | float) else 0):
        return [f"ScaledObject {name}: maxReplicaCount {ceiling:g} is below its minimum"]
    return []
