"""Autoscaling under mocks: KEDA exactly where a model autoscales, one ScaledObject per such model
aimed at its Deployment and at a Prometheus API the stack creates, queries that parse and read
recorded series, Deployments that leave replicas to the HPA, and config errors naming the key."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

import promql_parser
import pytest
import yaml

from components import versions
from components.kube.urls import CLUSTER_DOMAIN
from components.monitoring.values import SERVICES
from tests.support.harness import STACKS, ProgramRun, run_failing_program, run_program
from tests.support.paths import ROOT
from tests.support.programs import program_run
from tests.support.promql_names import metric_names

RELEASE = "kubernetes:helm.sh/v3:Release"
SCALED_OBJECT = "kubernetes:keda.sh/v1alpha1:ScaledObject"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
# What each stack file autoscales.
AUTOSCALED = {"dev": {"llama-3-8b"}, "staging": set(), "prod": {"llama-3-8b", "llama-3-70b"}}


def scaled_objects(run: ProgramRun) -> dict[str, dict[str, Any]]:
    return {r.inputs["metadata"]["name"]: r.inputs for r in run.of_type(SCALED_OBJECT)}


def deployments(run: ProgramRun) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"]): r.inputs
        for r in run.of_type(DEPLOYMENT)
    }


def recorded(run: ProgramRun) -> set[str]:
    return {
        rule["record"]
        for r in run.of_type(RULE)
        for group in r.inputs["spec"]["groups"]
        for rule in group["rules"]
        if "record" in rule
    }


@pytest.mark.parametrize("stack", STACKS)
def test_keda_is_installed_exactly_when_a_model_autoscales_and_pinned(stack: str) -> None:
    run = program_run(stack)
    keda = [r for r in run.of_type(RELEASE) if r.inputs["chart"] == "keda"]
    assert bool(keda) == bool(AUTOSCALED[stack])
    assert ("autoscaledModels" in run.outputs) == bool(AUTOSCALED[stack])
    if not keda:
        assert scaled_objects(run) == {}
        return
    (release,) = keda
    assert release.inputs["version"] == versions.KEDA.version == "2.20.2"
    assert release.inputs["repositoryOpts"]["repo"] == "https://kedacore.github.io/charts"
    assert release.inputs["namespace"] == "keda"
    # After kube-prometheus-stack (its ServiceMonitor CRD), as a child of the component.
    monitoring = run.one(RELEASE, "monitoring-kube-prometheus-stack")
    component = run.one("ai-observability:autoscaling:Autoscaling", "autoscaling")
    assert monitoring.urn in component.dependencies
    assert release.parent == component.urn
    values = release.inputs["values"]
    for image in values["image"].values():
        if isinstance(image, dict):
            assert image["tag"] == versions.KEDA.version
    for part in ("operator", "metricServer", "webhooks"):
        assert values["prometheus"][part]["serviceMonitor"]["enabled"] is True
        assert values["prometheus"][part]["serviceMonitor"]["additionalLabels"] == {
            "release": "kube-prometheus-stack"
        }
        assert values["podSecurityContext"][part]["runAsNonRoot"] is True
        assert values["securityContext"][part]["readOnlyRootFilesystem"] is True
        assert values["resources"][part]["limits"]["memory"]
    namespace = run.one("kubernetes:core/v1:Namespace", "autoscaling-namespace")
    labels = namespace.inputs["metadata"]["labels"]
    assert labels["pod-security.kubernetes.io/enforce"] == "restricted"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_one_scaled_object_per_autoscaled_model_targets_its_deployment(stack: str) -> None:
    run = program_run(stack)
    objects, workloads = scaled_objects(run), deployments(run)
    assert set(objects) == AUTOSCALED[stack]
    keda = run.one(RELEASE, "autoscaling-keda")
    for name, scaled in objects.items():
        namespace = scaled["metadata"]["namespace"]
        target = scaled["spec"]["scaleTargetRef"]
        assert target == {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        deployment = workloads[(namespace, target["name"])]
        # pulumi up never fights the HPA: the Deployment does not set replicas.
        assert "replicas" not in deployment["spec"]
        assert scaled["metadata"]["labels"]["model_name"] == name  # copied onto the HPA
        registration = next(r for r in run.of_type(SCALED_OBJECT) if r.inputs is scaled)
        assert keda.urn in registration.dependencies  # the CRD comes with the chart
    for (_, name), deployment in workloads.items():
        if deployment["metadata"]["labels"].get("model_name") and name not in objects:
            assert deployment["spec"]["replicas"] >= 1, name


def test_the_scaled_objects_carry_the_configured_limits_fallback_and_behavior() -> None:
    objects = scaled_objects(program_run("prod"))
    small, large = objects["llama-3-8b"]["spec"], objects["llama-3-70b"]["spec"]
    assert (small["minReplicaCount"], small["maxReplicaCount"]) == (2, 8)
    assert (large["minReplicaCount"], large["maxReplicaCount"]) == (2, 4)
    # Fallback: the floor, or the current count when that is higher, after 3 failed reads.
    assert small["fallback"] == {
        "failureThreshold": 3,
        "replicas": 2,
        "behavior": "currentReplicasIfHigher",
    }
    down = lambda spec: spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]["scaleDown"]  # noqa: E731
    assert down(small)["stabilizationWindowSeconds"] == 600  # the 10m default
    assert down(large)["stabilizationWindowSeconds"] == 1800  # prod's 30m
    # No scale to zero unless asked: no idleReplicaCount, an empty answer is an error.
    assert "idleReplicaCount" not in small
    thresholds = {t["name"]: t["metadata"]["threshold"] for t in small["triggers"]}
    assert thresholds == {"pending-requests-per-replica": "5", "kv-cache-percent": "85"}
    kinds = {t["name"]: t["metricType"] for t in small["triggers"]}
    assert kinds == {"pending-requests-per-replica": "AverageValue", "kv-cache-percent": "Value"}
    assert {t["metadata"]["ignoreNullValues"] for t in small["triggers"]} == {"false"}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_trigger_queries_parse_and_read_series_the_stack_records(stack: str) -> None:
    run = program_run(stack)
    names = recorded(run)
    for model, scaled in scaled_objects(run).items():
        assert scaled["spec"]["triggers"]
        for trigger in scaled["spec"]["triggers"]:
            assert trigger["type"] == "prometheus"
            query = trigger["metadata"]["query"]
            promql_parser.parse(query)  # raises on a query Prometheus would reject
            assert metric_names(query) <= names, query
            assert f'model_name="{model}"' in query
            assert float(trigger["metadata"]["threshold"]) > 0


def service_ports(run: ProgramRun) -> dict[tuple[str, str], set[int]]:
    return {
        (r.inputs["metadata"]["namespace"], r.inputs["metadata"]["name"]): {
            int(p["port"]) for p in r.inputs["spec"]["ports"]
        }
        for r in run.of_type(SERVICE)
    }


def service_of(address: str) -> tuple[str, str, int]:
    url = urlparse(address)
    match = re.fullmatch(
        rf"([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.{re.escape(CLUSTER_DOMAIN)}", url.hostname or ""
    )
    assert url.scheme == "http" and match and url.port, address
    return match.group(2), match.group(1), url.port


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_server_address_is_the_thanos_query_service_the_stack_creates(stack: str) -> None:
    run = program_run(stack)
    services = service_ports(run)
    for scaled in scaled_objects(run).values():
        for trigger in scaled["spec"]["triggers"]:
            namespace, name, port = service_of(trigger["metadata"]["serverAddress"])
            assert port in services[(namespace, name)], (namespace, name, port)
            assert name == "thanos-query"


def test_without_thanos_the_triggers_query_the_prometheus_service_of_the_release() -> None:
    run = run_program("dev", overrides={"thanos.enabled": False})
    release = run.one(RELEASE, "monitoring-kube-prometheus-stack")
    ((scaled),) = scaled_objects(run).values()
    namespace, name, port = service_of(scaled["spec"]["triggers"][0]["metadata"]["serverAddress"])
    # kube-prometheus-stack names its Prometheus Service <release>-prometheus, web port 9090.
    assert (namespace, name, port) == (release.inputs["namespace"], SERVICES["prometheus"], 9090)
    assert name == f"{release.inputs['name']}-prometheus"


def test_dev_scales_a_simulator_model_on_running_requests() -> None:
    (scaled,) = scaled_objects(program_run("dev")).values()
    spec = scaled["spec"]
    assert (spec["minReplicaCount"], spec["maxReplicaCount"]) == (1, 3)
    ((trigger),) = spec["triggers"]
    assert trigger["metadata"]["query"] == 'sum(ai:active_sequences{model_name="llama-3-8b"})'
    assert trigger["metadata"]["threshold"] == "0.25"


def test_scale_to_zero_wakes_on_its_activation_query_and_counts_no_series_as_zero() -> None:
    model = {
        "name": "llama-3-8b",
        "simulator": {"timeToFirstToken": "150ms"},
        "autoscaling": {
            "enabled": True,
            "minReplicas": 0,
            "maxReplicas": 2,
            "scaleToZero": {
                "enabled": True,
                "activationQuery": 'sum(gateway_queue_depth{model="llama-3-8b"})',
                "activationThreshold": 0.5,
            },
        },
    }
    run = run_program("dev", overrides={"inference.models": [model]})
    (scaled,) = scaled_objects(run).values()
    spec = scaled["spec"]
    assert spec["idleReplicaCount"] == 0 and spec["minReplicaCount"] == 1
    activation = next(t for t in spec["triggers"] if t["name"] == "activation")
    query = activation["metadata"]["query"]
    promql_parser.parse(query)
    assert query == 'max((sum(gateway_queue_depth{model="llama-3-8b"})) > bool 0.5)'
    assert activation["metadata"]["threshold"] == "1"  # never asks for more than one replica
    assert {t["metadata"]["ignoreNullValues"] for t in spec["triggers"]} == {"true"}
    assert spec["initialCooldownPeriod"] == 1800  # the model's startupTimeout


def simulator(**autoscaling: Any) -> dict[str, Any]:
    return {"name": "llama-3-8b", "autoscaling": {"enabled": True, **autoscaling}}


def vllm(name: str, gpus: int, **settings: Any) -> dict[str, Any]:
    return {"name": name, "backend": "vllm", "huggingFaceId": "org/model", "gpus": gpus, **settings}


KEY = "ai-observability:inference.models[0]"
# (id, inference.models or the whole inference section, message start, text it must contain)
ERRORS: list[tuple[str, Any, str, str]] = [
    ("no-ceiling", [simulator()], f"{KEY}.autoscaling.maxReplicas", "required"),
    (
        "ceiling-below-floor",
        [simulator(minReplicas=3, maxReplicas=2)],
        f"{KEY}.autoscaling.maxReplicas",
        "2 is below minReplicas (3)",
    ),
    (
        "zero-without-scale-to-zero",
        [simulator(minReplicas=0, maxReplicas=2)],
        f"{KEY}.autoscaling.minReplicas",
        "scaleToZero.enabled",
    ),
    (
        "target-not-positive",
        [simulator(maxReplicas=2, targets={"pendingRequestsPerReplica": 0})],
        f"{KEY}.autoscaling.targets.pendingRequestsPerReplica",
        "must be above 0, got 0",
    ),
    (
        "kv-target-above-100",
        [simulator(maxReplicas=2, targets={"kvCachePercent": 120})],
        f"{KEY}.autoscaling.targets.kvCachePercent",
        "at most 100",
    ),
    (
        "no-target",
        [simulator(maxReplicas=2, targets={"pendingRequestsPerReplica": None})],
        f"{KEY}.autoscaling.targets",
        "set at least one",
    ),
    (
        "replicas-and-autoscaling",
        [{**simulator(maxReplicas=2), "replicas": 2}],
        f"{KEY}.replicas",
        "the autoscaler sets the replicas",
    ),
    (
        "scale-to-zero-without-activation",
        [simulator(minReplicas=0, maxReplicas=2, scaleToZero={"enabled": True})],
        f"{KEY}.autoscaling.scaleToZero.activationQuery",
        "only a signal from outside the model",
    ),
    (
        "fallback-above-ceiling",
        [simulator(maxReplicas=2, fallbackReplicas=3)],
        f"{KEY}.autoscaling.fallbackReplicas",
        "3 is outside 1..2",
    ),
    (
        "stabilization-above-an-hour",
        [simulator(maxReplicas=2, scaleDownStabilization="90m")],
        f"{KEY}.autoscaling.scaleDownStabilization",
        "at most 1h",
    ),
    (
        "gpu-quota",
        {
            "gpuQuota": 8,
            "models": [
                vllm("small", 2, replicas=2),
                vllm("large", 2, autoscaling={"enabled": True, "maxReplicas": 3}),
            ],
        },
        "ai-observability:inference.models[1].autoscaling.maxReplicas",
        "3 replicas x 2 GPUs with the 4 GPUs of the models before it exceed inference.gpuQuota (8)",
    ),
]


@pytest.mark.parametrize(
    ("given", "prefix", "detail"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_invalid_autoscaling_stops_before_any_resource(
    given: Any, prefix: str, detail: str
) -> None:
    key = "inference" if isinstance(given, dict) else "inference.models"
    overrides: dict[str, Any] = {key: given}
    if isinstance(given, dict):
        overrides = {f"inference.{k}": v for k, v in given.items()}
    message, registered = run_failing_program("dev", overrides=overrides)
    assert message.startswith(prefix + ":"), message
    assert detail in message, message
    assert registered == [], [r.type for r in registered]


def test_the_committed_stack_files_fit_their_gpu_quota() -> None:
    stack_file = yaml.safe_load((ROOT / "Pulumi.prod.yaml").read_text())
    prod = stack_file["config"]["ai-observability:inference"]
    peak = sum(
        m["gpus"] * (m["autoscaling"]["maxReplicas"] if "autoscaling" in m else m["replicas"])
        for m in prod["models"]
    )
    assert peak <= prod["gpuQuota"] and peak == 24
