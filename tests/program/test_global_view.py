"""The global view's stack under mocks: only what a view needs, a Query that fans out to every
cluster with mutual TLS, certificates from the view's own CA (real ones: tests/support/
fake_tls.py issues them as pulumi-tls would), StackReference clusters, and config errors."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from components.global_view.manifests import CLIENT_TLS_SECRET
from tests.support.harness import (
    SECRET_SIG,
    STACK_OUTPUTS,
    STACKS,
    ProgramRun,
    run_failing_program,
    run_program,
    unwrap_secret,
)
from tests.support.programs import program_run

RELEASE = "kubernetes:helm.sh/v3:Release"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
SECRET = "kubernetes:core/v1:Secret"
RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
CLUSTERS = {
    "prod-gpu-eu-west-1": "thanos-grpc.prod-gpu-eu-west-1.example.internal:10901",
    "prod-gpu-us-east-1": "thanos-grpc.prod-gpu-us-east-1.example.internal:10901",
}


def query(run: ProgramRun) -> dict[str, Any]:
    (deployment,) = [
        r for r in run.of_type(DEPLOYMENT) if r.name == "global-view-thanos-query-deployment"
    ]
    return deployment.inputs


def endpoints(run: ProgramRun) -> list[dict[str, Any]]:
    (config_map,) = [r for r in run.of_type(CONFIG_MAP) if r.name == "global-view-endpoints"]
    return yaml.safe_load(config_map.inputs["data"]["endpoints.yaml"])["endpoints"]


def test_the_view_registers_nothing_a_cluster_runs() -> None:
    run = program_run("global")
    charts = {r.inputs["chart"] for r in run.of_type(RELEASE)}
    assert charts == {"kube-prometheus-stack"}  # no GPU Operator, KEDA, OTel, Tempo
    names = {r.inputs["metadata"]["name"] for r in run.resources if "metadata" in r.inputs}
    assert not names & {"cost-exporter", "llama-3-8b", "load-generator"}
    namespaces = {r.inputs["metadata"]["name"] for r in run.of_type("kubernetes:core/v1:Namespace")}
    assert namespaces == {"monitoring"}
    # Only the view's own alert: the AI rules alert in each cluster, never twice.
    assert [r.inputs["metadata"]["name"] for r in run.of_type(RULE)] == [
        "ai-observability-global-view"
    ]
    assert {d.inputs["metadata"]["name"] for d in run.of_type(DEPLOYMENT)} == {"thanos-query"}


def test_the_query_fans_out_to_every_cluster_with_mutual_tls() -> None:
    run = program_run("global")
    found = endpoints(run)
    assert [e["address"] for e in found] == list(CLUSTERS.values())
    pod = query(run)["spec"]["template"]["spec"]
    container = pod["containers"][0]
    volumes = {v["name"]: v for v in pod["volumes"]}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    for entry, name in zip(found, CLUSTERS, strict=True):
        assert entry["strict"] is True  # a cluster that is down stays listed
        tls = entry["client_config"]["tls_config"]
        assert tls["enabled"] is True and tls["min_version"] == "1.3"
        assert entry["client_config"]["server_name"] == f"{name}.storeapi.ai-observability"
        for file in (tls["cert_file"], tls["key_file"], tls["ca_file"]):
            directory = file.rsplit("/", 1)[0]
            assert volumes[mounts[directory]]["secret"]["secretName"] == CLIENT_TLS_SECRET
    args = container["args"]
    assert "--query.partial-response" in args
    assert "--query.replica-label=prometheus_replica" in args
    assert not any(a.startswith(("--endpoint=", "--store")) for a in args)
    # Two replicas spread by anti-affinity, and a budget.
    assert query(run)["spec"]["replicas"] == 2 and "podAntiAffinity" in pod["affinity"]
    pdbs = run.of_type("kubernetes:policy/v1:PodDisruptionBudget")
    assert [p.inputs["metadata"]["name"] for p in pdbs] == ["thanos-query"]


@pytest.mark.parametrize("stack", [*STACKS, "global"])
def test_no_query_anywhere_uses_endpoint_or_store_flags(stack: str) -> None:
    for deployment in program_run(stack).of_type(DEPLOYMENT):
        for container in deployment.inputs["spec"]["template"]["spec"]["containers"]:
            for arg in container.get("args", []):
                assert not arg.startswith(("--endpoint=", "--store=")), (stack, arg)


def test_grafana_reads_the_global_query() -> None:
    run = program_run("global")
    values = run.one(RELEASE, "monitoring-kube-prometheus-stack").inputs["values"]
    datasource = values["grafana"]["sidecar"]["datasources"]
    assert datasource["url"] == "http://thanos-query.monitoring.svc.cluster.local:9090/"
    assert "thanos" not in values["prometheus"]["prometheusSpec"]  # no sidecar, no bucket
    assert run.outputs["globalQueryUrl"] == datasource["url"].rstrip("/")


def certificate(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


def signed_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(ca)
    except (ValueError, TypeError, Exception):  # InvalidSignature and issuer mismatches
        return False
    return True


def test_the_views_ca_signs_the_client_and_every_server_certificate() -> None:
    run = program_run("global")
    ca = certificate(run.outputs["storeApiCa"])
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    (client_secret,) = [
        r for r in run.of_type(SECRET) if r.inputs["metadata"]["name"] == CLIENT_TLS_SECRET
    ]
    # The key is a secret, so the whole stringData is (never plain in state or a preview).
    assert client_secret.inputs["stringData"].get(SECRET_SIG)
    data = unwrap_secret(client_secret.inputs["stringData"])
    client = certificate(data["tls.crt"])
    assert signed_by(client, ca)
    usages = client.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.CLIENT_AUTH in usages
    assert certificate(data["ca.crt"]) == ca
    # The key in the Secret is the client certificate's.
    from cryptography.hazmat.primitives.serialization import load_pem_private_key

    key = load_pem_private_key(data["tls.key"].encode(), None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)
    assert key.public_key().public_numbers() == client.public_key().public_numbers()
    # Each cluster's server certificate: signed by the same CA, for the name the Query checks.
    servers = unwrap_secret(run.outputs["storeApiServerTls"])
    assert "storeApiServerTls" in run.secret_outputs
    assert set(servers) == set(CLUSTERS)
    for name, pair in servers.items():
        server = certificate(pair["cert"])
        assert signed_by(server, ca)
        names = server.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        assert names.get_values_for_type(x509.DNSName) == [f"{name}.storeapi.ai-observability"]
        assert (
            ExtendedKeyUsageOID.SERVER_AUTH
            in server.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        )
        assert not signed_by(server, certificate(pair["cert"]))  # not self-signed


def test_a_cluster_given_by_stack_is_read_through_a_stack_reference() -> None:
    clusters = [
        {"name": "prod-gpu-eu-west-1", "address": CLUSTERS["prod-gpu-eu-west-1"]},
        {"name": "prod", "stack": "acme/ai-observability/prod"},
    ]
    run = run_program("global", overrides={"global.clusters": clusters})
    references = run.of_type("pulumi:pulumi:StackReference")
    assert [r.inputs["name"] for r in references] == ["acme/ai-observability/prod"]
    addresses = [e["address"] for e in endpoints(run)]
    expected = STACK_OUTPUTS["acme/ai-observability/prod"]["storeApiAddress"]
    assert addresses == [CLUSTERS["prod-gpu-eu-west-1"], expected]


def test_the_view_alerts_when_a_cluster_is_unreachable_one_rule_per_cluster() -> None:
    (rule,) = program_run("global").of_type(RULE)
    (group,) = rule.inputs["spec"]["groups"]
    alerts = group["rules"]
    assert [a["labels"]["cluster"] for a in alerts] == list(CLUSTERS)
    for alert in alerts:
        assert alert["alert"] == "GlobalViewClusterUnreachable"
        assert alert["labels"]["cluster"] in alert["expr"]
        assert alert["annotations"]["runbook_url"].endswith("#globalviewclusterunreachable")


ERRORS = [
    (
        "duplicate-names",
        [{"name": "a", "address": "a.example.com:10901"}, {"name": "a", "address": "b:10901"}],
        "ai-observability:global.clusters[1].name",
        "already the name of clusters[0]",
    ),
    (
        "address-without-port",
        [{"name": "a", "address": "thanos.a.example.com"}],
        "ai-observability:global.clusters[0].address",
        "is not host:port",
    ),
    (
        "neither-address-nor-stack",
        [{"name": "a"}],
        "ai-observability:global.clusters[0].address",
        "neither address nor stack",
    ),
    (
        "both-address-and-stack",
        [{"name": "a", "address": "a:10901", "stack": "acme/ai-observability/prod"}],
        "ai-observability:global.clusters[0].address",
        "both",
    ),
    ("no-cluster", [], "ai-observability:global.clusters", "at least one cluster"),
]


@pytest.mark.parametrize(
    ("clusters", "prefix", "detail"), [e[1:] for e in ERRORS], ids=[e[0] for e in ERRORS]
)
def test_bad_clusters_stop_before_any_resource(clusters: Any, prefix: str, detail: str) -> None:
    message, registered = run_failing_program("global", overrides={"global.clusters": clusters})
    assert message.startswith(prefix + ":"), message
    assert detail in message, message
    assert registered == []


def test_a_cluster_section_in_a_global_stack_is_refused() -> None:
    message, registered = run_failing_program("global", overrides={"inference": {"models": []}})
    assert message.startswith("ai-observability:inference: unknown key"), message
    assert registered == []
