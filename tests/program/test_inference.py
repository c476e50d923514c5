"""Model servers under mocks per stack: objects per model, GPU limits, simulator, monitoring,
tracing, secrets, and config errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components import versions
from components.inference.loadgen import LOAD_GENERATOR_SCRIPT
from components.kube.selection import selection_labels
from components.tracing.manifests import collector_grpc_endpoint
from tests.support.harness import (
    STACKS,
    ProgramRun,
    run_failing_program,
    run_program,
    stack_secrets,
)
from tests.support.programs import program_run

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SERVICE = "kubernetes:core/v1:Service"
SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
MOUNTED = ("PersistentVolumeClaim", "ConfigMap")
MODELS = {
    "dev": ["llama-3-8b", "mistral-7b"],
    "staging": ["qwen3-8b"],
    "prod": ["llama-3-8b", "llama-3-70b"],
}


def in_inference(run: ProgramRun, type_: str) -> dict[str, dict[str, Any]]:
    """metadata.name -> inputs of the objects of one type in the inference namespace."""
    return {
        r.inputs["metadata"]["name"]: r.inputs
        for r in run.of_type(type_)
        if r.inputs["metadata"].get("namespace") == "inference"
    }


def model_container(run: ProgramRun, model: str) -> dict[str, Any]:
    return in_inference(run, DEPLOYMENT)[model]["spec"]["template"]["spec"]["containers"][0]


@pytest.mark.parametrize("stack", STACKS)
def test_one_deployment_service_and_service_monitor_per_model(stack: str) -> None:
    run = program_run(stack)
    expected = set(MODELS[stack])
    deployments = set(in_inference(run, DEPLOYMENT)) - {"load-generator"}
    assert deployments == expected
    assert set(in_inference(run, SERVICE)) == expected
    assert set(in_inference(run, SERVICE_MONITOR)) == expected
    assert run.outputs["models"] == MODELS[stack]


@pytest.mark.parametrize("stack", STACKS)
def test_service_monitor_selects_the_service_and_names_the_model(stack: str) -> None:
    run = program_run(stack)
    services = in_inference(run, SERVICE)
    deployments = in_inference(run, DEPLOYMENT)
    for name, monitor in in_inference(run, SERVICE_MONITOR).items():
        service = services[name]
        labels = service["metadata"]["labels"]
        assert monitor["spec"]["selector"]["matchLabels"].items() <= labels.items()
        assert monitor["spec"]["namespaceSelector"] == {"matchNames": ["inference"]}
        endpoint = monitor["spec"]["endpoints"][0]
        assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
        assert endpoint["path"] == "/metrics"
        assert endpoint["interval"] == "15s"
        assert endpoint["honorLabels"] is True  # keeps vLLM's own model_name as is
        assert monitor["spec"]["targetLabels"] == ["model_name"]
        assert labels["model_name"] == name  # so http_requests_total gets model_name=<name>
        assert selection_labels().items() <= monitor["metadata"]["labels"].items()
        # The Service reaches the model's pods on the container's named port.
        pod = deployments[name]["spec"]["template"]
        assert service["spec"]["selector"].items() <= pod["metadata"]["labels"].items()
        port = pod["spec"]["containers"][0]["ports"][0]
        assert (port["name"], int(port["containerPort"])) == ("http", 8000)


def test_gpu_limits_only_for_real_vllm() -> None:
    for name in MODELS["dev"]:
        resources = model_container(program_run("dev"), name)["resources"]
        assert "nvidia.com/gpu" not in resources["limits"]
        assert "nvidia.com/gpu" not in resources["requests"]
    prod = program_run("prod")
    for name, gpus in (("llama-3-8b", "1"), ("llama-3-70b", "4")):
        resources = model_container(prod, name)["resources"]
        assert resources["limits"]["nvidia.com/gpu"] == gpus
        assert resources["requests"]["nvidia.com/gpu"] == gpus
        assert f"--tensor-parallel-size={gpus}" in model_container(prod, name)["args"]


def test_simulator_args() -> None:
    run = program_run("dev")
    args = model_container(run, "mistral-7b")["args"]
    assert model_container(run, "mistral-7b")["image"] == versions.SIMULATOR_IMAGE.reference
    for expected in (
        "--model=mistral-7b",
        "--served-model-name=mistral-7b",
        "--port=8000",
        "--time-to-first-token=300ms",
        "--inter-token-latency=25ms",
        "--force-dummy-tokenizer",
    ):
        assert expected in args
    assert "--time-to-first-token=150ms" in model_container(run, "llama-3-8b")["args"]


def test_vllm_container() -> None:
    container = model_container(program_run("prod"), "llama-3-70b")
    assert (
        container["image"] == versions.VLLM_IMAGE.reference == "docker.io/vllm/vllm-openai:v0.33.0"
    )
    assert container["command"] == ["vllm", "serve"]
    assert container["args"][0] == "meta-llama/Llama-3.1-70B-Instruct"
    assert "--served-model-name=llama-3-70b" in container["args"]
    assert "--max-model-len=32768" in container["args"]
    assert "--gpu-memory-utilization=0.92" in container["args"]
    assert "--enable-prefix-caching" in container["args"]
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/health", "port": "http"}
    # 45 minutes at a 10 s period.
    assert container["startupProbe"]["failureThreshold"] == 270
    assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_vllm_pod_volumes_and_identity() -> None:
    run = program_run("prod")
    pod = in_inference(run, DEPLOYMENT)["llama-3-70b"]["spec"]["template"]
    spec = pod["spec"]
    assert spec["securityContext"]["runAsNonRoot"] is True
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["dshm"]["emptyDir"] == {"medium": "Memory", "sizeLimit": "16Gi"}
    claim = volumes["model-cache"]["persistentVolumeClaim"]["claimName"]
    pvcs = in_inference(run, "kubernetes:core/v1:PersistentVolumeClaim")
    assert pvcs[claim]["spec"]["accessModes"] == ["ReadWriteMany"]
    assert pvcs[claim]["spec"]["resources"]["requests"]["storage"] == "400Gi"
    mounts = {m["name"]: m["mountPath"] for m in spec["containers"][0]["volumeMounts"]}
    assert mounts["dshm"] == "/dev/shm"
    # No Python auto-instrumentation in vLLM pods: they trace natively.
    assert pod["metadata"]["annotations"] == {
        "instrumentation.opentelemetry.io/inject-python": "false"
    }
    # GPU nodes' taints: nvidia.com/gpu and prod's dedicated taint.
    keys = {t["key"] for t in spec["tolerations"]}
    assert keys == {"nvidia.com/gpu", "dedicated"}


def test_hugging_face_token_only_through_a_secret_reference() -> None:
    run = program_run("prod")
    env = {e["name"]: e for e in model_container(run, "llama-3-8b")["env"]}
    assert env["HF_TOKEN"] == {
        "name": "HF_TOKEN",
        "valueFrom": {"secretKeyRef": {"name": "huggingface-token", "key": "token"}},
    }
    secret = next(
        r
        for r in run.of_type("kubernetes:core/v1:Secret")
        if r.name == "inference-huggingface-token"
    )
    assert secret.inputs["metadata"] == {"name": "huggingface-token", "namespace": "inference"}
    staging_env = {e["name"] for e in model_container(program_run("staging"), "qwen3-8b")["env"]}
    assert "HF_TOKEN" not in staging_env  # no token configured there


def tracing_flags(container: dict[str, Any]) -> tuple[list[str], set[str]]:
    args = [a for a in container["args"] if a.startswith("--otlp-traces-endpoint")]
    env = {e["name"] for e in container.get("env", []) if e["name"].startswith("OTEL_")}
    return args, env


def test_tracing_flags_exactly_when_tracing_is_enabled() -> None:
    off_run = run_program("staging", overrides={"tracing.enabled": False})
    assert tracing_flags(model_container(off_run, "qwen3-8b")) == ([], set())
    on_run = program_run("staging")  # tracing is on in the staging stack
    args, env = tracing_flags(model_container(on_run, "qwen3-8b"))
    assert args == [f"--otlp-traces-endpoint={collector_grpc_endpoint('tracing')}"]
    assert env == {"OTEL_SERVICE_NAME", "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"}
    service_name = next(
        e["value"]
        for e in model_container(on_run, "qwen3-8b")["env"]
        if e["name"] == "OTEL_SERVICE_NAME"
    )
    assert service_name == "qwen3-8b"
    assert tracing_flags(model_container(program_run("dev"), "llama-3-8b")) == (
        [],
        set(),
    )  # simulator


def test_pod_disruption_budgets_for_models_that_can_run_more_than_one_replica() -> None:
    pdbs = in_inference(program_run("prod"), "kubernetes:policy/v1:PodDisruptionBudget")
    assert set(pdbs) == {"llama-3-8b", "llama-3-70b"}
    # dev: llama-3-8b autoscales up to 3 replicas; mistral-7b runs one.
    pdbs = in_inference(program_run("dev"), "kubernetes:policy/v1:PodDisruptionBudget")
    assert set(pdbs) == {"llama-3-8b"}
    assert in_inference(program_run("staging"), "kubernetes:policy/v1:PodDisruptionBudget") == {}


def test_load_generator_in_dev_only() -> None:
    run = program_run("dev")
    deployment = in_inference(run, DEPLOYMENT)["load-generator"]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e["value"] for e in container["env"]}
    services = in_inference(run, SERVICE)
    targets = json.loads(env["LOADGEN_TARGETS"])
    assert [t["model"] for t in targets] == MODELS["dev"]
    for target in targets:
        assert target["model"] in services
        assert target["url"] == f"http://{target['model']}.inference.svc.cluster.local:8000"
    assert env["LOADGEN_RPS"] == "0.5"
    configmap = in_inference(run, "kubernetes:core/v1:ConfigMap")["load-generator"]
    assert configmap["data"]["load_generator.py"] == LOAD_GENERATOR_SCRIPT.read_text()
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    for stack in ("staging", "prod"):
        assert "load-generator" not in in_inference(program_run(stack), DEPLOYMENT)


DEV_MODEL = "inference.models"
ERRORS: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "name-not-dns-1035",
        "dev",
        {DEV_MODEL: [{"name": "Llama_3"}]},
        "models[0].name: expected a DNS-1035 label",
    ),
    (
        "name-starts-with-digit",
        "dev",
        {DEV_MODEL: [{"name": "3-llama"}]},
        "models[0].name: expected a DNS-1035 label",
    ),
    (
        "name-duplicate",
        "dev",
        {DEV_MODEL: [{"name": "a"}, {"name": "a"}]},
        'models[1].name: "a" is already the name of',
    ),
    (
        "name-missing",
        "dev",
        {DEV_MODEL: [{"replicas": 1}]},
        "models[0].name: required",
    ),
    (
        "replicas-negative",
        "dev",
        {DEV_MODEL: [{"name": "a", "replicas": -1}]},
        "models[0].replicas: must be a positive integer",
    ),
    (
        "gpus-zero",
        "staging",
        {DEV_MODEL: [{"name": "a", "huggingFaceId": "o/m", "gpus": 0}]},
        "models[0].gpus: must be a positive integer",
    ),
    (
        "gpus-on-simulator",
        "dev",
        {DEV_MODEL: [{"name": "a", "gpus": 1}]},
        "models[0].gpus: a simulator model does not take gpus",
    ),
    (
        "simulator-on-vllm",
        "staging",
        {DEV_MODEL: [{"name": "a", "huggingFaceId": "o/m", "simulator": {}}]},
        "models[0].simulator: a vllm model does not take simulator",
    ),
    (
        "vllm-without-model-id",
        "staging",
        {DEV_MODEL: [{"name": "a"}]},
        "models[0].huggingFaceId: required for a vllm model",
    ),
    (
        "cache-rwo-shared",
        "staging",
        {
            DEV_MODEL: [
                {"name": "a", "huggingFaceId": "o/m", "replicas": 2, "modelCache": {"size": "10Gi"}}
            ]
        },
        "models[0].modelCache.accessMode: 2 replicas on different nodes cannot share a ReadWriteOnce",
    ),
    (
        "managed-flag-in-extra-args",
        "staging",
        {
            DEV_MODEL: [
                {"name": "a", "huggingFaceId": "o/m", "extraArgs": ["--served-model-name=b"]}
            ]
        },
        "models[0].extraArgs[0]: --served-model-name is set from this config",
    ),
    (
        "shm-bigger-than-memory",
        "staging",
        {DEV_MODEL: [{"name": "a", "huggingFaceId": "o/m", "shmSize": "64Gi"}]},
        "models[0].shmSize: 64Gi of memory-backed /dev/shm does not fit",
    ),
    (
        "gpu-memory-utilization-above-1",
        "staging",
        {DEV_MODEL: [{"name": "a", "huggingFaceId": "o/m", "gpuMemoryUtilization": 1.5}]},
        "models[0].gpuMemoryUtilization: must be above 0 and at most 1",
    ),
    (
        "unknown-backend",
        "dev",
        {"inference.backend": "tgi"},
        "backend: expected one of vllm, simulator",
    ),
    (
        "load-rate-zero",
        "dev",
        {"inference.loadGenerator.requestsPerSecond": 0},
        "loadGenerator.requestsPerSecond: must be above 0",
    ),
    (
        "bad-simulator-latency",
        "dev",
        {DEV_MODEL: [{"name": "a", "simulator": {"timeToFirstToken": "fast"}}]},
        "models[0].simulator.timeToFirstToken: expected a duration",
    ),
]


@pytest.mark.parametrize(
    ("stack", "overrides", "prefix"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_inference_config_errors(stack: str, overrides: dict[str, Any], prefix: str) -> None:
    message, registered = run_failing_program(stack, overrides=overrides)
    assert message.startswith(f"ai-observability:inference.{prefix}"), message
    assert registered == []


def test_hugging_face_token_must_be_secret() -> None:
    secrets = {k: v for k, v in stack_secrets("prod").items() if k != "huggingFaceToken"}
    message, registered = run_failing_program(
        "prod", overrides={"huggingFaceToken": "hf_plain"}, secrets=secrets
    )
    assert message.startswith("ai-observability:huggingFaceToken: must be stored encrypted")
    assert "hf_plain" not in message
    assert registered == []


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_each_workload_waits_only_for_what_it_mounts(stack: str) -> None:
    run = program_run(stack)
    urn_of = {
        (r.type.rsplit(":", 1)[1], r.inputs["metadata"]["name"]): r.urn
        for r in run.resources
        if r.custom and r.inputs.get("metadata", {}).get("namespace") == "inference"
    }
    mounted = {key: urn for key, urn in urn_of.items() if key[0] in MOUNTED}
    assert mounted, "the stack should have claims or ConfigMaps to wait for"
    deployments = [
        d for d in run.of_type(DEPLOYMENT) if d.inputs["metadata"]["namespace"] == "inference"
    ]
    for deployment in deployments:
        volumes = deployment.inputs["spec"]["template"]["spec"].get("volumes", [])
        wanted = {
            urn_of[("PersistentVolumeClaim", v["persistentVolumeClaim"]["claimName"])]
            for v in volumes
            if "persistentVolumeClaim" in v
        } | {urn_of[("ConfigMap", v["configMap"]["name"])] for v in volumes if "configMap" in v}
        waited = set(deployment.dependencies) & set(mounted.values())
        assert waited == wanted, deployment.inputs["metadata"]["name"]
    for service in run.of_type(SERVICE):
        assert not set(service.dependencies) & set(mounted.values())
