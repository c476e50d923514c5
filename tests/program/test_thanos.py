"""Thanos under mocks per stack: components, images, flags, wiring, secrets, protection."""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from components import versions
from components.kube.selection import RELEASE_NAME, selection_labels
from tests.support.harness import STACKS, ProgramRun, stack_secrets, unwrap_secret
from tests.support.programs import program_run

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
STATEFULSET = "kubernetes:apps/v1:StatefulSet"
SERVICE = "kubernetes:core/v1:Service"
SERVICE_MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor"
PDB = "kubernetes:policy/v1:PodDisruptionBudget"
SECRET = "kubernetes:core/v1:Secret"


def workloads(run: ProgramRun) -> dict[str, Any]:
    """metadata.name -> registration of every Thanos Deployment and StatefulSet."""
    found = run.of_type(DEPLOYMENT) + run.of_type(STATEFULSET)
    return {r.inputs["metadata"]["name"]: r for r in found if is_thanos(r.inputs)}


def is_thanos(inputs: dict[str, Any]) -> bool:
    return inputs["metadata"]["name"].startswith("thanos-")


def container(run: ProgramRun, name: str) -> dict[str, Any]:
    return workloads(run)[name].inputs["spec"]["template"]["spec"]["containers"][0]


def kps_values(run: ProgramRun) -> dict[str, Any]:
    return run.one("kubernetes:helm.sh/v3:Release", "monitoring-kube-prometheus-stack").inputs[
        "values"
    ]


def services(run: ProgramRun) -> dict[str, dict[str, Any]]:
    return {
        r.inputs["metadata"]["name"]: r.inputs for r in run.of_type(SERVICE) if is_thanos(r.inputs)
    }


def query_endpoints_file(run: ProgramRun) -> dict[str, Any]:
    """The endpoints file Query reads: the ConfigMap its pod mounts at the flag's path."""
    query = workloads(run)["thanos-query"].inputs["spec"]["template"]["spec"]
    (flag,) = [a for a in query["containers"][0]["args"] if a.startswith("--endpoint.sd-config")]
    path = flag.split("=", 1)[1]
    (mount,) = [
        m for m in query["containers"][0]["volumeMounts"] if path.startswith(m["mountPath"])
    ]
    (volume,) = [v for v in query["volumes"] if v["name"] == mount["name"]]
    name = volume["configMap"]["name"]
    (config_map,) = [
        r
        for r in run.of_type("kubernetes:core/v1:ConfigMap")
        if r.inputs["metadata"]["name"] == name
    ]
    return yaml.safe_load(config_map.inputs["data"][path.rsplit("/", 1)[1]])


def test_components_per_stack() -> None:
    assert set(workloads(program_run("dev"))) == {"thanos-query"}
    for stack in ("staging", "prod"):
        assert set(workloads(program_run(stack))) == {
            "thanos-query",
            "thanos-store",
            "thanos-compact",
        }
        compact = workloads(program_run(stack))["thanos-compact"]
        assert compact.type == STATEFULSET
        assert compact.inputs["spec"]["replicas"] == 1


def test_dev_has_a_sidecar_without_a_bucket() -> None:
    values = kps_values(program_run("dev"))
    thanos = values["prometheus"]["prometheusSpec"]["thanos"]
    assert thanos["image"] == versions.THANOS_IMAGE.reference
    assert "objectStorageConfig" not in thanos
    assert program_run("dev").of_type(SECRET) and not any(
        s.inputs["metadata"]["name"] == "thanos-objstore"
        for s in program_run("dev").of_type(SECRET)
    )


@pytest.mark.parametrize("stack", STACKS)
def test_images_are_the_pinned_official_thanos(stack: str) -> None:
    run = program_run(stack)
    for name in workloads(run):
        image = container(run, name)["image"]
        assert image == "quay.io/thanos/thanos:v0.42.4" == versions.THANOS_IMAGE.reference
    assert not re.search(r"bitnami|:latest$", str(kps_values(run)))


@pytest.mark.parametrize("stack", STACKS)
def test_no_removed_flag_and_the_expected_ones(stack: str) -> None:
    run = program_run(stack)
    for name in workloads(run):
        for arg in container(run, name)["args"]:
            # --store is gone in v0.42, --endpoint deprecated: endpoints come from a file.
            assert arg != "--store" and not arg.startswith("--store="), (name, arg)
            assert not arg.startswith(("--endpoint=", "--store.sd-files")), (name, arg)
    query = container(run, "thanos-query")["args"]
    assert query[0] == "query"
    assert "--query.replica-label=prometheus_replica" in query
    if stack != "dev":
        compact = container(run, "thanos-compact")["args"]
        assert compact[0] == "compact"
        assert "--wait" in compact
        assert "--downsampling.disable" not in compact
        assert container(run, "thanos-store")["args"][0] == "store"


def test_compactor_retention_follows_the_stack_config() -> None:
    args = container(program_run("prod"), "thanos-compact")["args"]
    assert "--retention.resolution-raw=30d" in args
    assert "--retention.resolution-5m=180d" in args
    assert "--retention.resolution-1h=2y" in args
    staging = container(program_run("staging"), "thanos-compact")["args"]
    assert "--retention.resolution-raw=14d" in staging


@pytest.mark.parametrize("stack", STACKS)
def test_query_endpoints_resolve_to_services_of_this_stack(stack: str) -> None:
    run = program_run(stack)
    namespace = run.outputs["monitoringNamespace"]
    endpoints = [e["address"] for e in query_endpoints_file(run)["endpoints"]]
    assert len(endpoints) == (1 if stack == "dev" else 2)
    own_services = services(run)
    values = kps_values(run)
    for endpoint in endpoints:
        match = re.fullmatch(
            r"dnssrv\+_grpc\._tcp\.([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local", endpoint
        )
        assert match, endpoint
        service, service_namespace = match.groups()
        assert service_namespace == namespace
        if service in own_services:
            spec = own_services[service]["spec"]
            assert spec["clusterIP"] == "None"  # SRV records per pod
            assert "grpc" in {p["name"] for p in spec["ports"]}
            # The Service selects the workload's pods.
            pod_labels = workloads(run)[service].inputs["spec"]["template"]["metadata"]["labels"]
            assert spec["selector"].items() <= pod_labels.items()
        else:
            # The sidecars' headless Service that kube-prometheus-stack renders.
            assert service == f"{RELEASE_NAME}-thanos-discovery"
            assert values["prometheus"]["thanosService"]["enabled"] is True


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_sidecar_store_and_compactor_mount_the_one_objstore_secret(stack: str) -> None:
    run = program_run(stack)
    secret = next(
        s for s in run.of_type(SECRET) if s.inputs["metadata"]["name"] == "thanos-objstore"
    )
    key = next(iter(unwrap_secret(secret.inputs["stringData"])))
    existing = kps_values(run)["prometheus"]["prometheusSpec"]["thanos"]["objectStorageConfig"][
        "existingSecret"
    ]
    assert existing == {"name": "thanos-objstore", "key": key}
    release = run.one("kubernetes:helm.sh/v3:Release", "monitoring-kube-prometheus-stack")
    assert secret.urn in release.dependencies  # exists before the sidecar mounts it
    for name in ("thanos-store", "thanos-compact"):
        pod = workloads(run)[name].inputs["spec"]["template"]["spec"]
        volume = next(v for v in pod["volumes"] if "secret" in v)
        assert volume["secret"]["secretName"] == "thanos-objstore"
        mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["name"] == volume["name"])
        flag = next(
            a for a in pod["containers"][0]["args"] if a.startswith("--objstore.config-file=")
        )
        assert flag == f"--objstore.config-file={mount['mountPath']}/{key}"


def test_objstore_secret_content_is_secret_and_has_the_bucket() -> None:
    secret = next(
        s
        for s in program_run("staging").of_type(SECRET)
        if s.inputs["metadata"]["name"] == "thanos-objstore"
    )
    assert "4dabf18193072939515e22adb298388d" in secret.inputs["stringData"]  # wrapped as secret
    document = yaml.safe_load(unwrap_secret(secret.inputs["stringData"])["objstore.yml"])
    assert document["type"] == "S3"
    assert document["config"]["bucket"] == "ai-observability-staging"
    assert (
        document["config"]["access_key"]
        == stack_secrets("staging")["thanosObjectStorageCredentials.accessKey"]
    )


def test_prod_uses_workload_identity_on_every_bucket_client() -> None:
    run = program_run("prod")
    annotation = "eks.amazonaws.com/role-arn"
    accounts = {
        r.inputs["metadata"]["name"]: r.inputs
        for r in run.of_type("kubernetes:core/v1:ServiceAccount")
    }
    for name in ("thanos-store", "thanos-compact"):
        assert annotation in accounts[name]["metadata"]["annotations"]
        pod = workloads(run)[name].inputs["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == name
    assert annotation in kps_values(run)["prometheus"]["serviceAccount"]["annotations"]


@pytest.mark.parametrize("stack", STACKS)
def test_workloads_are_hardened_with_probes_and_resources(stack: str) -> None:
    run = program_run(stack)
    for name, workload in workloads(run).items():
        pod = workload.inputs["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        assert pod["automountServiceAccountToken"] is False
        c = pod["containers"][0]
        assert c["securityContext"]["readOnlyRootFilesystem"] is True
        assert c["securityContext"]["allowPrivilegeEscalation"] is False
        assert c["securityContext"]["capabilities"]["drop"] == ["ALL"]
        assert set(c["resources"]["requests"]) == {"cpu", "memory"}
        assert "memory" in c["resources"]["limits"]
        ports = {p["name"] for p in c["ports"]}
        for probe in ("livenessProbe", "readinessProbe"):
            assert c[probe]["httpGet"]["port"] in ports, (name, probe)


@pytest.mark.parametrize("stack", STACKS)
def test_each_component_has_a_selected_service_monitor(stack: str) -> None:
    run = program_run(stack)
    monitors = {
        r.inputs["metadata"]["name"]: r.inputs
        for r in run.of_type(SERVICE_MONITOR)
        if is_thanos(r.inputs)
    }
    assert set(monitors) == set(workloads(run))
    own_services = services(run)
    for name, monitor in monitors.items():
        assert selection_labels().items() <= monitor["metadata"]["labels"].items()
        service = own_services[name]
        assert (
            monitor["spec"]["selector"]["matchLabels"].items()
            <= service["metadata"]["labels"].items()
        )
        assert monitor["spec"]["endpoints"][0]["port"] in {
            p["name"] for p in service["spec"]["ports"]
        }
    assert kps_values(run)["prometheus"]["thanosServiceMonitor"]["enabled"] is True


def test_replicated_components_get_pdbs_and_anti_affinity() -> None:
    prod = program_run("prod")
    pdbs = {r.inputs["metadata"]["name"] for r in prod.of_type(PDB) if is_thanos(r.inputs)}
    assert pdbs == {"thanos-query", "thanos-store"}
    for name in ("thanos-query", "thanos-store"):
        pod = workloads(prod)[name].inputs["spec"]["template"]["spec"]
        assert "podAntiAffinity" in pod["affinity"]
    assert "affinity" not in workloads(prod)["thanos-compact"].inputs["spec"]["template"]["spec"]
    for stack in ("dev", "staging"):
        assert not [r for r in program_run(stack).of_type(PDB) if is_thanos(r.inputs)]


def test_prod_volumes_are_protected_and_staging_ones_are_not() -> None:
    for stack, protected in (("prod", True), ("staging", False)):
        for workload in program_run(stack).of_type(STATEFULSET):
            assert workload.protect is protected, (stack, workload.name)
            assert workload.retain_on_delete is protected, (stack, workload.name)
            policy = workload.inputs["spec"]["persistentVolumeClaimRetentionPolicy"]
            assert policy == {"whenDeleted": "Retain", "whenScaled": "Retain"}


@pytest.mark.parametrize("stack", STACKS)
def test_grafana_default_datasource_is_thanos_query(stack: str) -> None:
    run = program_run(stack)
    datasources = kps_values(run)["grafana"]["sidecar"]["datasources"]
    query_service = services(run)["thanos-query"]
    port = int(next(p["port"] for p in query_service["spec"]["ports"] if p["name"] == "http"))
    assert datasources["url"] == f"http://thanos-query.monitoring.svc.cluster.local:{port}/"
    assert datasources["extraJsonData"] == {"prometheusType": "Thanos"}
    assert (
        run.outputs["thanosQueryUrl"] == f"http://thanos-query.monitoring.svc.cluster.local:{port}"
    )
