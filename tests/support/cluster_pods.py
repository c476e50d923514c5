"""The pods a stack runs, with the labels they really carry: read from the objects the program
registers (pod templates, Helm release names and values, custom resources) and, for pods an
operator or chart creates, from the labels documented in that operator's or chart's code."""

from __future__ import annotations

from typing import Any

from tests.support.harness import ProgramRun
from tests.support.netpol import Pod

RELEASE = "kubernetes:helm.sh/v3:Release"
WORKLOADS = (
    "kubernetes:apps/v1:Deployment",
    "kubernetes:apps/v1:StatefulSet",
    "kubernetes:apps/v1:DaemonSet",
)
COLLECTOR_CR = "kubernetes:opentelemetry.io/v1beta1:OpenTelemetryCollector"


def workload_pods(run: ProgramRun) -> dict[str, Pod]:
    """metadata.name -> a pod of every workload the program registers, with its template's
    labels."""
    found = {}
    for kind in WORKLOADS:
        for resource in run.of_type(kind):
            meta = resource.inputs["metadata"]
            labels = resource.inputs["spec"]["template"]["metadata"]["labels"]
            found[meta["name"]] = Pod(f"{meta['name']}-0", meta["namespace"], dict(labels))
    return found


def container_ports(run: ProgramRun, workload: str) -> dict[str, int]:
    """Port name -> number of the containers of a registered workload."""
    for kind in WORKLOADS:
        for resource in run.of_type(kind):
            if resource.inputs["metadata"]["name"] == workload:
                containers = resource.inputs["spec"]["template"]["spec"]["containers"]
                return {
                    p["name"]: int(p["containerPort"])
                    for c in containers
                    for p in c.get("ports", [])
                }
    raise LookupError(f"no workload {workload}")


def _release(run: ProgramRun, chart: str) -> Any:
    (release,) = [r for r in run.of_type(RELEASE) if r.inputs["chart"] == chart]
    return release


def _stack_fullname(release: Any) -> str:
    """kube-prometheus-stack's `kube-prometheus-stack.fullname` helper (_helpers.tpl)."""
    values, name = release.inputs.get("values") or {}, release.inputs["name"]
    if values.get("fullnameOverride"):
        return values["fullnameOverride"][:26]
    return (name if "kube-prometheus-stack" in name else f"{name}-kube-prometheus-stack")[:26]


def _operator_managed(kind: str, cr_name: str, version: str) -> dict[str, str]:
    """Labels prometheus-operator puts on the pods of a Prometheus or Alertmanager
    (pkg/prometheus/server/statefulset.go, pkg/alertmanager/statefulset.go: managed-by, name =
    the kind, instance = the object, `<kind>: <object>`; Prometheus adds operator.prometheus.io
    name and shard)."""
    labels = {
        "app.kubernetes.io/name": kind,
        "app.kubernetes.io/instance": cr_name,
        "app.kubernetes.io/managed-by": "prometheus-operator",
        "app.kubernetes.io/version": version,
        kind: cr_name,
    }
    if kind == "prometheus":
        labels |= {"operator.prometheus.io/name": cr_name, "operator.prometheus.io/shard": "0"}
    return labels


def _operator_pod(run: ProgramRun, kind: str, index: int) -> Pod:
    """A replica of the kube-prometheus-stack release's Prometheus or Alertmanager (the chart
    names the object `<fullname>-<kind>`; the operator names the pod `<kind>-<object>-<n>`)."""
    release = _release(run, "kube-prometheus-stack")
    cr = f"{_stack_fullname(release)}-{kind}"
    spec = release.inputs["values"][kind][f"{kind}Spec"]
    labels = _operator_managed(kind, cr, spec["image"]["tag"].removeprefix("v"))
    return Pod(f"{kind}-{cr}-{index}", release.inputs["namespace"], labels)


def prometheus_pod(run: ProgramRun, index: int = 0) -> Pod:
    """A Prometheus replica of the kube-prometheus-stack release."""
    return _operator_pod(run, "prometheus", index)


def alertmanager_pod(run: ProgramRun, index: int = 0) -> Pod:
    """An Alertmanager replica of the kube-prometheus-stack release."""
    return _operator_pod(run, "alertmanager", index)


def chart_pod(run: ProgramRun, chart: str, name: str, extra: dict[str, str] | None = None) -> Pod:
    """A pod of a chart's selector labels (`<chart>.selectorLabels`: app.kubernetes.io/name and
    app.kubernetes.io/instance = the release name), in the release's namespace."""
    release = _release(run, chart)
    labels = {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": release.inputs["name"]}
    return Pod(f"{name}-0", release.inputs["namespace"], labels | (extra or {}))


def grafana_pod(run: ProgramRun) -> Pod:
    """Grafana of kube-prometheus-stack (the grafana subchart's selectorLabels)."""
    return chart_pod(run, "kube-prometheus-stack", "grafana")


def kube_state_metrics_pod(run: ProgramRun) -> Pod:
    """kube-state-metrics of kube-prometheus-stack (its subchart's selectorLabels)."""
    return chart_pod(run, "kube-prometheus-stack", "kube-state-metrics")


def prometheus_operator_pod(run: ProgramRun) -> Pod:
    """The prometheus-operator Deployment of kube-prometheus-stack
    (templates/prometheus-operator/deployment.yaml: app <name>-operator, release)."""
    release = _release(run, "kube-prometheus-stack")
    labels = {"app": "kube-prometheus-stack-operator", "release": release.inputs["name"]}
    return Pod("prometheus-operator-0", release.inputs["namespace"], labels)


def tempo_pod(run: ProgramRun) -> Pod:
    """Tempo (the tempo chart's selectorLabels)."""
    return chart_pod(run, "tempo", "tempo")


def otel_operator_pod(run: ProgramRun) -> Pod:
    """The OpenTelemetry Operator (its chart's selectorLabels, component controller-manager)."""
    return chart_pod(
        run,
        "opentelemetry-operator",
        "opentelemetry-operator",
        {"app.kubernetes.io/component": "controller-manager"},
    )


def collector_pod(run: ProgramRun) -> Pod:
    """A pod of the registered OpenTelemetryCollector, labelled as the OpenTelemetry Operator
    does (internal/manifests/manifestutils Labels: component, instance <namespace>.<name>,
    name <name>-collector, managed-by, part-of)."""
    (collector,) = run.of_type(COLLECTOR_CR)
    name, namespace = (
        collector.inputs["metadata"]["name"],
        collector.inputs["metadata"]["namespace"],
    )
    labels = {
        "app.kubernetes.io/component": "opentelemetry-collector",
        "app.kubernetes.io/instance": f"{namespace}.{name}",
        "app.kubernetes.io/name": f"{name}-collector",
        "app.kubernetes.io/managed-by": "opentelemetry-operator",
        "app.kubernetes.io/part-of": "opentelemetry",
    }
    return Pod(f"{name}-collector-0", namespace, labels)


def dcgm_exporter_pod(run: ProgramRun) -> Pod:
    """The GPU Operator's DCGM exporter (assets/state-dcgm-exporter: app: nvidia-dcgm-exporter),
    in the gpu-operator release's namespace."""
    release = _release(run, "gpu-operator")
    return Pod(
        "nvidia-dcgm-exporter-x", release.inputs["namespace"], {"app": "nvidia-dcgm-exporter"}
    )


def nfd_worker_pod(run: ProgramRun) -> Pod:
    """node-feature-discovery's worker of the GPU Operator chart (its subchart's labels)."""
    release = _release(run, "gpu-operator")
    labels = {"app.kubernetes.io/name": "node-feature-discovery", "role": "worker"}
    return Pod("gpu-operator-node-feature-discovery-worker-x", release.inputs["namespace"], labels)


def keda_pods(run: ProgramRun) -> dict[str, Pod]:
    """KEDA's three Deployments (the keda chart 2.20.2: templates/manager, metrics-server and
    webhooks deployment.yaml label their pods app, name and app.kubernetes.io/name with
    keda-operator, keda-operator-metrics-apiserver and keda-admission-webhooks), in the
    release's namespace."""
    namespace = _release(run, "keda").inputs["namespace"]
    names = {
        "operator": "keda-operator",
        "metrics-server": "keda-operator-metrics-apiserver",
        "webhooks": "keda-admission-webhooks",
    }
    return {
        part: Pod(
            f"{name}-0", namespace, {"app": name, "name": name, "app.kubernetes.io/name": name}
        )
        for part, name in names.items()
    }
