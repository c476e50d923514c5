"""A cluster stack exposing its StoreAPI to a global view, under mocks: behind a LoadBalancer,
only with TLS, mutual by default, with the certificate the global view issued for it. The
global view is run first and its outputs handed to the cluster through a StackReference, so the
test checks that both ends trust each other."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography import x509

from components.thanos.exposure import CLIENT_CA_SECRET, SERVER_TLS_SECRET
from tests.support.harness import (
    SECRET_SIG,
    STACK_OUTPUTS,
    ProgramRun,
    run_failing_program,
    run_program,
    unwrap_secret,
)
from tests.support.netpol import Pod, allowed

GLOBAL = "acme/ai-observability/global"
CLUSTER = "prod-gpu-us-east-1"  # Pulumi.prod.yaml's cluster
ADDRESS = "thanos-grpc.prod-gpu-us-east-1.example.internal:10901"
EXPOSE = {
    "enabled": True,
    "address": ADDRESS,
    "globalStack": GLOBAL,
    "provider": "aws",
    "sourceRanges": ["10.20.0.0/16"],
}


@pytest.fixture(scope="module")
def view() -> ProgramRun:
    return run_program(
        "global", overrides={"global.clusters": [{"name": CLUSTER, "address": ADDRESS}]}
    )


@pytest.fixture(scope="module")
def cluster(view: ProgramRun) -> ProgramRun:
    STACK_OUTPUTS[GLOBAL] = {
        "storeApiCa": view.outputs["storeApiCa"],
        "storeApiServerTls": unwrap_secret(view.outputs["storeApiServerTls"]),
    }
    try:
        return run_program("prod", overrides={"thanos.query.exposeStoreApi": EXPOSE})
    finally:
        del STACK_OUTPUTS[GLOBAL]


def named(run: ProgramRun, kind: str, name: str) -> dict[str, Any]:
    (found,) = [r.inputs for r in run.of_type(kind) if r.inputs["metadata"]["name"] == name]
    return found


def test_the_store_api_sits_behind_an_internal_load_balancer(cluster: ProgramRun) -> None:
    service = named(cluster, "kubernetes:core/v1:Service", "thanos-query-grpc")
    spec = service["spec"]
    assert spec["type"] == "LoadBalancer"
    assert spec["ports"] == [
        {"name": "grpc", "port": 10901, "targetPort": "grpc", "protocol": "TCP"}
    ]
    assert spec["loadBalancerSourceRanges"] == ["10.20.0.0/16"]
    annotations = service["metadata"]["annotations"]
    assert annotations["service.beta.kubernetes.io/aws-load-balancer-scheme"] == "internal"
    query = named(cluster, "kubernetes:apps/v1:Deployment", "thanos-query")
    assert spec["selector"].items() <= query["spec"]["template"]["metadata"]["labels"].items()
    assert cluster.outputs["storeApiAddress"] == ADDRESS


def test_the_query_serves_tls_and_verifies_clients(cluster: ProgramRun) -> None:
    pod = named(cluster, "kubernetes:apps/v1:Deployment", "thanos-query")["spec"]["template"][
        "spec"
    ]
    args = pod["containers"][0]["args"]
    flags = dict(a.split("=", 1) for a in args if a.startswith("--grpc-server-tls"))
    assert set(flags) == {
        "--grpc-server-tls-cert",
        "--grpc-server-tls-key",
        "--grpc-server-tls-client-ca",  # mutual TLS by default
        "--grpc-server-tls-min-version",
    }
    mounts = {m["mountPath"]: m["name"] for m in pod["containers"][0]["volumeMounts"]}
    volumes = {v["name"]: v for v in pod["volumes"]}
    secrets = {
        flag: volumes[mounts[path.rsplit("/", 1)[0]]]["secret"]["secretName"]
        for flag, path in flags.items()
        if flag != "--grpc-server-tls-min-version"
    }
    assert secrets == {
        "--grpc-server-tls-cert": SERVER_TLS_SECRET,
        "--grpc-server-tls-key": SERVER_TLS_SECRET,
        "--grpc-server-tls-client-ca": CLIENT_CA_SECRET,
    }


def test_both_ends_trust_each_other(view: ProgramRun, cluster: ProgramRun) -> None:
    server_secret = named(cluster, "kubernetes:core/v1:Secret", SERVER_TLS_SECRET)["stringData"]
    assert server_secret.get(SECRET_SIG)  # the key never plain
    server = x509.load_pem_x509_certificate(unwrap_secret(server_secret)["tls.crt"].encode())
    client_ca = x509.load_pem_x509_certificate(
        unwrap_secret(named(cluster, "kubernetes:core/v1:Secret", CLIENT_CA_SECRET)["stringData"])[
            "ca.crt"
        ].encode()
    )
    view_ca = x509.load_pem_x509_certificate(view.outputs["storeApiCa"].encode())
    server.verify_directly_issued_by(view_ca)  # the view verifies the cluster
    assert client_ca == view_ca  # the cluster verifies the view's client certificate
    names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert names.get_values_for_type(x509.DNSName) == [f"{CLUSTER}.storeapi.ai-observability"]
    assert cluster.outputs["storeApiServerCa"] == view.outputs["storeApiCa"]
    (reference,) = cluster.of_type("pulumi:pulumi:StackReference")
    assert reference.inputs["name"] == GLOBAL


def test_only_the_configured_ranges_reach_the_store_api(cluster: ProgramRun) -> None:
    policies = [
        {"metadata": r.inputs["metadata"], "spec": r.inputs["spec"]}
        for r in cluster.of_type("kubernetes:networking.k8s.io/v1:NetworkPolicy")
    ]
    query = Pod("thanos-query-0", "monitoring", {"app.kubernetes.io/name": "thanos-query"})
    (rule,) = [p for p in policies if p["metadata"]["name"] == "allow-store-api"]
    assert rule["spec"]["ingress"][0]["from"] == [{"ipBlock": {"cidr": "10.20.0.0/16"}}]
    assert rule["spec"]["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 10901}]
    assert not allowed(policies, Pod("stranger", "default", {}), query, 10901)


@pytest.mark.parametrize(
    ("expose", "key", "detail"),
    [
        ({"enabled": True, "globalStack": GLOBAL}, "address", "is not host:port"),
        (
            {"enabled": True, "address": "thanos-grpc.example.internal", "globalStack": GLOBAL},
            "address",
            "is not host:port",
        ),
        ({"enabled": True, "address": ADDRESS}, "globalStack", "TLS is not optional"),
    ],
    ids=["no-address", "no-port", "no-global-stack"],
)
def test_an_incomplete_exposure_is_a_config_error(expose: dict, key: str, detail: str) -> None:
    message, registered = run_failing_program(
        "prod", overrides={"thanos.query.exposeStoreApi": expose}
    )
    assert message.startswith(f"ai-observability:thanos.query.exposeStoreApi.{key}:"), message
    assert detail in message and registered == []
