"""Labels, security contexts, Pod Security labels, service URLs and Prometheus' selection."""

from __future__ import annotations

from components.kube.meta import selector
from components.kube.security import (
    container_security_context,
    pod_security_context,
    pod_security_labels,
)
from components.kube.selection import RELEASE_NAME, monitoring_metadata, selector_values
from components.kube.urls import dns_srv, service_host, service_url


def test_selectors_name_the_workload_and_optionally_its_instance() -> None:
    assert selector("model-server", "llama") == {
        "app.kubernetes.io/name": "model-server",
        "app.kubernetes.io/instance": "llama",
    }
    assert selector("cost-exporter") == {"app.kubernetes.io/name": "cost-exporter"}


def test_security_contexts_are_non_root_without_capabilities() -> None:
    pod = pod_security_context(65534)
    assert pod["runAsNonRoot"] and pod["runAsUser"] == pod["fsGroup"] == 65534
    assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
    container = container_security_context()
    assert container["readOnlyRootFilesystem"] and not container["allowPrivilegeEscalation"]
    assert container["capabilities"] == {"drop": ["ALL"]}
    assert container_security_context(read_only_root=False)["readOnlyRootFilesystem"] is False


def test_pod_security_labels_enforce_one_level_and_warn_on_restricted() -> None:
    assert pod_security_labels("baseline") == {
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
    }
    assert set(pod_security_labels("privileged", audit="privileged").values()) == {"privileged"}


def test_service_addresses_are_fully_qualified() -> None:
    assert service_host("tempo", "tracing") == "tempo.tracing.svc.cluster.local"
    assert (
        service_url("thanos-query", "monitoring", 9090)
        == "http://thanos-query.monitoring.svc.cluster.local:9090"
    )
    assert (
        dns_srv("thanos-store", "monitoring")
        == "dnssrv+_grpc._tcp.thanos-store.monitoring.svc.cluster.local"
    )


def test_monitoring_objects_carry_the_release_label_our_prometheus_selects() -> None:
    meta = monitoring_metadata("m", "ns", {"x": "y"})
    assert meta["labels"]["release"] == RELEASE_NAME and meta["labels"]["x"] == "y"
    values = selector_values()
    assert values["serviceMonitorSelector"] == {}  # {} (all labelled), never None (nothing)
    assert values["ruleSelectorNilUsesHelmValues"] is True
