"""A cluster's Thanos Query StoreAPI exposed to a global view (thanos.query.exposeStoreApi):
its config, the LoadBalancer Service, and the server TLS flags. Pure: no pulumi import.

Only with TLS: the server certificate the global view's CA issued for this cluster (read from
the global stack), and by default mutual TLS (only clients with a certificate from that CA).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.kube.objects import service
from components.thanos.config import ExposeStoreApiConfig

EXPOSED_SERVICE = "thanos-query-grpc"
SERVER_TLS_SECRET = "thanos-query-server-tls"
CLIENT_CA_SECRET = "thanos-query-client-ca"
SERVER_TLS_DIR = "/etc/thanos/server-tls"
CLIENT_CA_DIR = "/etc/thanos/client-ca"
# Internal load balancers per provider (AWS Load Balancer Controller, GKE, AKS).
INTERNAL_LB: dict[str, dict[str, str]] = {
    "aws": {
        "service.beta.kubernetes.io/aws-load-balancer-type": "external",
        "service.beta.kubernetes.io/aws-load-balancer-scheme": "internal",
        "service.beta.kubernetes.io/aws-load-balancer-nlb-target-type": "ip",
    },
    "gcp": {"networking.gke.io/load-balancer-type": "Internal"},
    "azure": {"service.beta.kubernetes.io/azure-load-balancer-internal": "true"},
    "none": {},
}


def exposed_service(
    cfg: ExposeStoreApiConfig, namespace: str, labels: Mapping[str, str], pods: Mapping[str, str]
) -> dict[str, Any]:
    """The LoadBalancer Service in front of Query's gRPC port."""
    manifest = service(EXPOSED_SERVICE, namespace, labels, pods, [("grpc", cfg.port)])
    manifest["metadata"]["annotations"] = {**INTERNAL_LB[cfg.provider], **cfg.annotations}
    manifest["spec"]["type"] = "LoadBalancer"  # its port leads to Query's `grpc` port
    if cfg.source_ranges:
        manifest["spec"]["loadBalancerSourceRanges"] = list(cfg.source_ranges)
    return manifest


def server_tls_args(cfg: ExposeStoreApiConfig) -> list[str]:
    """Query's gRPC server TLS (1.3), with client verification unless mutual TLS is off."""
    args = [
        f"--grpc-server-tls-cert={SERVER_TLS_DIR}/tls.crt",
        f"--grpc-server-tls-key={SERVER_TLS_DIR}/tls.key",
        "--grpc-server-tls-min-version=1.3",
    ]
    if cfg.mutual_tls:
        args.append(f"--grpc-server-tls-client-ca={CLIENT_CA_DIR}/ca.crt")
    return args


def server_tls_volumes() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(volumes, mounts) of the server certificate and the clients' CA."""
    volumes = [
        {"name": "server-tls", "secret": {"secretName": SERVER_TLS_SECRET}},
        {"name": "client-ca", "secret": {"secretName": CLIENT_CA_SECRET}},
    ]
    mounts = [
        {"name": "server-tls", "mountPath": SERVER_TLS_DIR, "readOnly": True},
        {"name": "client-ca", "mountPath": CLIENT_CA_DIR, "readOnly": True},
    ]
    return volumes, mounts
