"""The policy pack: every stack's resources pass every policy; each policy catches its violation.
The policies are imported from policy/policies.py, which starts no policy server."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pulumi_policy import ResourceValidationArgs

from policy.policies import POLICIES
from tests.support.harness import GLOBAL_STACKS, STACKS, unwrap_secret
from tests.support.programs import program_run

BY_NAME = {p.name: p for p in POLICIES}


def plain(value: Any) -> Any:
    """Props as a policy sees them: secret wrappers removed."""
    value = unwrap_secret(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def violations(
    policy_name: str,
    resource_type: str,
    props: dict[str, Any],
    config: dict[str, Any] | None = None,
) -> list[str]:
    found: list[str] = []
    args = ResourceValidationArgs(resource_type, props, "urn:test", "test", None, None, config)  # type: ignore[arg-type]
    BY_NAME[policy_name].validate(args, lambda message, urn=None: found.append(message))
    return found


def test_the_pack_has_the_policies_the_issue_lists() -> None:
    assert set(BY_NAME) == {
        "container-resources", "pinned-images", "non-root", "no-plain-secrets", "service-types",
        "selected-by-prometheus", "alert-conventions", "finite-autoscaling",
    }  # fmt: skip


@pytest.mark.parametrize("stack", [*STACKS, *GLOBAL_STACKS])
def test_every_stack_passes_every_policy(stack: str) -> None:
    problems = {}
    resources = program_run(stack).resources
    for resource in resources:
        props = plain(resource.inputs)
        for name in BY_NAME:
            found = violations(name, resource.type, props)
            if found:
                problems[f"{resource.type} {resource.name} [{name}]"] = found
    assert problems == {}
    assert len(resources) > (40 if stack in GLOBAL_STACKS else 50)  # the check ran over all


def deployment(**container: Any) -> dict[str, Any]:
    base = {
        "name": "app",
        "image": "ghcr.io/acme/app:1.2.3",
        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"memory": "128Mi"}},
        "securityContext": {"allowPrivilegeEscalation": False},
    }
    base.update(container)
    return {
        "metadata": {"name": "app", "namespace": "inference"},
        "spec": {
            "template": {"spec": {"securityContext": {"runAsNonRoot": True}, "containers": [base]}}
        },
    }


DEPLOYMENT = "kubernetes:apps/v1:Deployment"


def test_a_compliant_deployment_passes_everything() -> None:
    for name in BY_NAME:
        assert violations(name, DEPLOYMENT, deployment()) == [], name


@pytest.mark.parametrize(
    ("resources", "missing"),
    [
        ({}, "requests.cpu, requests.memory, limits.memory"),
        ({"requests": {"cpu": "1", "memory": "1Gi"}}, "limits.memory"),
        ({"requests": {"memory": "1Gi"}, "limits": {"memory": "1Gi"}}, "requests.cpu"),
    ],
)
def test_resources_policy(resources: dict[str, Any], missing: str) -> None:
    assert violations("container-resources", DEPLOYMENT, deployment(resources=resources)) == [
        f"container 'app' has no {missing}"
    ]


@pytest.mark.parametrize(
    "image", ["ghcr.io/acme/app", "ghcr.io/acme/app:latest", "app", "localhost:5000/app"]
)
def test_pinned_images_policy_catches(image: str) -> None:
    assert violations("pinned-images", DEPLOYMENT, deployment(image=image))


@pytest.mark.parametrize(
    "image", ["app:1.0", "localhost:5000/app:2", "ghcr.io/a/b@sha256:" + "a" * 64]
)
def test_pinned_images_policy_accepts(image: str) -> None:
    assert violations("pinned-images", DEPLOYMENT, deployment(image=image)) == []


def test_collector_image_is_checked_too() -> None:
    kind = "kubernetes:opentelemetry.io/v1beta1:OpenTelemetryCollector"
    assert violations("pinned-images", kind, {"spec": {"image": "otel/collector:latest"}})


def test_non_root_policy() -> None:
    root = deployment()
    root["spec"]["template"]["spec"]["securityContext"] = {}
    assert violations("non-root", DEPLOYMENT, root) == [
        "container 'app' may run as root (set runAsNonRoot)"
    ]
    escalation = deployment(securityContext={})
    assert violations("non-root", DEPLOYMENT, escalation) == [
        "container 'app' allows privilege escalation"
    ]
    privileged = deployment(securityContext={"allowPrivilegeEscalation": False, "privileged": True})
    assert violations("non-root", DEPLOYMENT, privileged) == ["container 'app' is privileged"]
    # The allow-list: the GPU Operator's namespace, or one from the pack's config.
    privileged["metadata"]["namespace"] = "gpu-operator"
    assert violations("non-root", DEPLOYMENT, privileged) == []
    privileged["metadata"]["namespace"] = "drivers"
    assert (
        violations("non-root", DEPLOYMENT, privileged, {"privilegedNamespaces": ["drivers"]}) == []
    )


@pytest.mark.parametrize(
    "data",
    [
        {"app.yaml": "db:\n  password: hunter2hunter2\n"},
        {"creds": "aws_access_key_id=AKIAIOSFODNN7EXAMPLE"},
        {"tls.key": "-----BEGIN RSA PRIVATE KEY-----\nMIIE..."},
        {"settings.json": '{"api_key": "sk-live-1234567890"}'},
        {"hf": "HF token hf_abcdefghijklmnopqrstuvwx"},
    ],
)
def test_secret_material_in_a_configmap_is_caught(data: dict[str, str]) -> None:
    assert violations("no-plain-secrets", "kubernetes:core/v1:ConfigMap", {"data": data})


def test_configmaps_without_secrets_pass() -> None:
    data = {"config.yaml": "ingest_token_file: /var/run/secrets/ingest/token\nmax_tokens: 64\n"}
    assert violations("no-plain-secrets", "kubernetes:core/v1:ConfigMap", {"data": data}) == []


def test_secret_env_values_are_caught() -> None:
    plain_token = deployment(env=[{"name": "HF_TOKEN", "value": "hf_x"}])
    assert violations("no-plain-secrets", DEPLOYMENT, plain_token) == [
        "container 'app' sets HF_TOKEN as a plain value: use valueFrom.secretKeyRef"
    ]
    from_secret = deployment(
        env=[{"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]
    )
    assert violations("no-plain-secrets", DEPLOYMENT, from_secret) == []


def test_service_types_policy() -> None:
    service = "kubernetes:core/v1:Service"
    assert violations("service-types", service, {"spec": {"type": "LoadBalancer"}}) == [
        "Service type LoadBalancer is not allowed (allowed: ClusterIP)"
    ]
    assert violations("service-types", service, {"spec": {"type": "NodePort"}})
    assert violations("service-types", service, {"spec": {}}) == []
    assert (
        violations(
            "service-types",
            service,
            {"spec": {"type": "LoadBalancer"}},
            {"allowedServiceTypes": ["ClusterIP", "LoadBalancer"]},
        )
        == []
    )


@pytest.mark.parametrize("kind", ["ServiceMonitor", "PodMonitor", "PrometheusRule"])
def test_monitoring_objects_must_be_selected(kind: str) -> None:
    rtype = f"kubernetes:monitoring.coreos.com/v1:{kind}"
    assert violations("selected-by-prometheus", rtype, {"metadata": {"labels": {"app": "x"}}})
    assert violations(
        "selected-by-prometheus", rtype, {"metadata": {"labels": {"release": "other"}}}
    )
    assert (
        violations(
            "selected-by-prometheus",
            rtype,
            {"metadata": {"labels": {"release": "kube-prometheus-stack"}}},
        )
        == []
    )


def test_alert_conventions_policy() -> None:
    rtype = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
    rule = {
        "alert": "X",
        "expr": "up == 0",
        "labels": {"severity": "warning"},
        "annotations": {"runbook_url": "https://r#x"},
    }
    good = {"spec": {"groups": [{"name": "g", "rules": [rule, {"record": "a:b", "expr": "1"}]}]}}
    assert violations("alert-conventions", rtype, good) == []
    bad = copy.deepcopy(good)
    del bad["spec"]["groups"][0]["rules"][0]["labels"]["severity"]
    del bad["spec"]["groups"][0]["rules"][0]["annotations"]["runbook_url"]
    assert violations("alert-conventions", rtype, bad) == [
        "alert X has no severity label",
        "alert X has no runbook_url annotation",
    ]


SCALED = "kubernetes:keda.sh/v1alpha1:ScaledObject"


def test_autoscaling_policy_requires_a_finite_ceiling() -> None:
    (scaled,) = [
        plain(r.inputs)
        for r in program_run("prod").of_type(SCALED)
        if r.inputs["metadata"]["name"] == "llama-3-8b"  # 2..8 replicas
    ]
    assert violations("finite-autoscaling", SCALED, scaled) == []
    unbounded = copy.deepcopy(scaled)
    del unbounded["spec"]["maxReplicaCount"]
    assert violations("finite-autoscaling", SCALED, unbounded) == [
        "ScaledObject llama-3-8b sets no maxReplicaCount: KEDA would allow 100 replicas"
    ]
    for bad in (float("inf"), "8", True, 2.5):
        broken = copy.deepcopy(scaled)
        broken["spec"]["maxReplicaCount"] = bad
        assert violations("finite-autoscaling", SCALED, broken), bad
    inverted = copy.deepcopy(scaled)
    inverted["spec"]["maxReplicaCount"] = 1
    assert violations("finite-autoscaling", SCALED, inverted) == [
        "ScaledObject llama-3-8b: maxReplicaCount 1 is below its minimum"
    ]
    # Other kinds are not its concern.
    assert violations("finite-autoscaling", DEPLOYMENT, unbounded) == []
