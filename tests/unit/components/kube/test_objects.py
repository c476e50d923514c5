"""The kit's object builders: the shapes every concern shares."""

from __future__ import annotations

from components.kube.meta import PART_OF, metadata, selector
from components.kube.objects import (
    cluster_role_with_binding,
    config_map,
    pod_disruption_budget,
    pod_monitor,
    read_only,
    service,
    service_account,
    service_monitor,
    soft_anti_affinity,
    workload,
)
from components.kube.selection import selection_labels

LABELS = {**selector("app", "one"), **PART_OF}


def test_metadata_of_namespaced_and_cluster_scoped_objects() -> None:
    assert metadata("a", "ns") == {"name": "a", "namespace": "ns", "labels": PART_OF}
    assert metadata("a", annotations={"x": "y"}) == {
        "name": "a",
        "labels": PART_OF,
        "annotations": {"x": "y"},
    }


def test_a_service_targets_named_ports_and_can_be_headless() -> None:
    svc = service("s", "ns", LABELS, selector("app"), [("grpc", 10901), ("http", 9090)], True)
    assert svc["spec"]["selector"] == {"app.kubernetes.io/name": "app"}
    assert svc["spec"]["clusterIP"] == "None"
    assert svc["spec"]["ports"][0] == {
        "name": "grpc",
        "port": 10901,
        "targetPort": "grpc",
        "protocol": "TCP",
    }


def test_monitors_are_selected_by_our_prometheus_and_stay_in_their_namespace() -> None:
    sm = service_monitor(
        "s", "ns", LABELS, selector("app"), {"port": "http", "interval": "15s"}, ["model_name"]
    )
    pm = pod_monitor("p", "ns", selector("app"), "metrics")
    for monitor in (sm, pm):
        assert selection_labels().items() <= monitor["metadata"]["labels"].items()
        assert monitor["spec"]["namespaceSelector"] == {"matchNames": ["ns"]}
    assert sm["spec"]["endpoints"] == [{"path": "/metrics", "port": "http", "interval": "15s"}]
    assert sm["spec"]["targetLabels"] == ["model_name"]
    assert pm["spec"]["podMetricsEndpoints"] == [{"port": "metrics", "path": "/metrics"}]


def test_a_workload_runs_its_pod_with_its_labels() -> None:
    pod = {"containers": [{"name": "c"}]}
    dep = workload(
        "Deployment", "d", "ns", LABELS, selector("app"), pod, 3, pod_annotations={"a": "b"}
    )
    assert dep["spec"]["replicas"] == 3
    assert dep["spec"]["selector"] == {"matchLabels": {"app.kubernetes.io/name": "app"}}
    assert dep["spec"]["template"] == {
        "metadata": {"labels": LABELS, "annotations": {"a": "b"}},
        "spec": pod,
    }
    sts = workload(
        "StatefulSet",
        "s",
        "ns",
        LABELS,
        selector("app"),
        pod,
        pod_labels={"x": "y"},
        serviceName="s",
    )
    assert sts["kind"] == "StatefulSet" and sts["spec"]["serviceName"] == "s"
    assert sts["spec"]["template"]["metadata"]["labels"] == {"x": "y"}


def test_rbac_binds_the_role_to_one_account_and_read_only_means_read_only() -> None:
    role, binding = cluster_role_with_binding("r", PART_OF, [read_only("", "pods")], "sa", "ns")
    assert role["rules"] == [
        {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]}
    ]
    assert "namespace" not in role["metadata"] and "namespace" not in binding["metadata"]
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "r",
    }
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "sa", "namespace": "ns"}]


def test_small_objects() -> None:
    assert (
        service_account("sa", "ns", PART_OF, api_token=False)["automountServiceAccountToken"]
        is False
    )
    assert config_map("c", "ns", PART_OF, {"k": "v"})["data"] == {"k": "v"}
    pdb = pod_disruption_budget("p", "ns", PART_OF, selector("app"))
    assert pdb["spec"] == {
        "maxUnavailable": 1,
        "selector": {"matchLabels": {"app.kubernetes.io/name": "app"}},
    }
    term = soft_anti_affinity(selector("app"))["podAntiAffinity"][
        "preferredDuringSchedulingIgnoredDuringExecution"
    ][0]
    assert term["podAffinityTerm"]["topologyKey"] == "kubernetes.io/hostname"
