"""How one workload addresses another's Service inside the cluster: always by the fully
qualified name, `<service>.<namespace>.svc.cluster.local`. Pure: no pulumi import."""

from __future__ import annotations

CLUSTER_DOMAIN = "cluster.local"


def service_host(service: str, namespace: str) -> str:
    """The fully qualified DNS name of a Service."""
    return f"{service}.{namespace}.svc.{CLUSTER_DOMAIN}"


def service_url(service: str, namespace: str, port: int, scheme: str = "http") -> str:
    """scheme://<service host>:<port>."""
    return f"{scheme}://{service_host(service, namespace)}:{port}"


def dns_srv(service: str, namespace: str, port_name: str = "grpc") -> str:
    """A Thanos DNS SRV endpoint over a named port of a headless Service."""
    return f"dnssrv+_{port_name}._tcp.{service_host(service, namespace)}"
