"""How one workload addresses another's Service inside the cluster. Pure: no pulumi import."""

from __future__ import annotations

CLUSTER_DOMAIN = "cluster.local"


def service_host(service: str, namespace: str, fqdn: bool = True) -> str:
    """The DNS name of a Service (fully qualified unless told)."""
    return f"{service}.{namespace}.svc" + (f".{CLUSTER_DOMAIN}" if fqdn else "")


def service_url(
    service: str, namespace: str, port: int, scheme: str = "http", fqdn: bool = True
) -> str:
    """scheme://<service host>:<port>."""
    return f"{scheme}://{service_host(service, namespace, fqdn)}:{port}"


def dns_srv(service: str, namespace: str, port_name: str = "grpc") -> str:
    """A Thanos DNS SRV endpoint over a named port of a headless Service."""
    return f"dnssrv+_{port_name}._tcp.{service_host(service, namespace)}"
