"""The one ordering rule: a workload waits for what it mounts, reads and runs as."""

from __future__ import annotations

from components.kube.references import bindings, prerequisites, references

POD = {
    "serviceAccountName": "exporter",
    "volumes": [
        {"name": "config", "configMap": {"name": "settings"}},
        {"name": "token", "secret": {"secretName": "ingest-token"}},
        {"name": "cache", "persistentVolumeClaim": {"claimName": "model-cache"}},
        {"name": "tmp", "emptyDir": {}},
    ],
    "containers": [
        {
            "name": "app",
            "env": [
                {"name": "HF_TOKEN", "valueFrom": {"secretKeyRef": {"name": "hf", "key": "token"}}},
                {"name": "PLAIN", "value": "x"},
            ],
            "envFrom": [{"configMapRef": {"name": "env"}}],
        }
    ],
}
DEPLOYMENT = {
    "kind": "Deployment",
    "metadata": {"name": "exporter"},
    "spec": {"template": {"spec": POD}},
}
BINDING = {
    "kind": "ClusterRoleBinding",
    "metadata": {"name": "read-nodes"},
    "subjects": [{"kind": "ServiceAccount", "name": "exporter", "namespace": "monitoring"}],
}


def test_a_workload_references_what_its_pods_mount_read_and_run_as() -> None:
    assert references(DEPLOYMENT) == [
        ("ServiceAccount", "exporter"),
        ("ConfigMap", "settings"),
        ("Secret", "ingest-token"),
        ("PersistentVolumeClaim", "model-cache"),
        ("Secret", "hf"),
        ("ConfigMap", "env"),
    ]


def test_other_objects_reference_nothing_and_a_collector_its_account() -> None:
    service = {"kind": "Service", "metadata": {"name": "s"}, "spec": {"selector": {"a": "b"}}}
    assert references(service) == []
    collector = {
        "kind": "OpenTelemetryCollector",
        "metadata": {"name": "c"},
        "spec": {"serviceAccount": "otel"},
    }
    assert references(collector) == [("ServiceAccount", "otel")]


def test_a_workload_also_waits_for_the_bindings_of_its_account() -> None:
    assert bindings([BINDING, DEPLOYMENT]) == {"exporter": [("ClusterRoleBinding", "read-nodes")]}
    assert ("ClusterRoleBinding", "read-nodes") in prerequisites(DEPLOYMENT, [BINDING, DEPLOYMENT])
    other = {**BINDING, "subjects": [{"kind": "ServiceAccount", "name": "someone-else"}]}
    assert ("ClusterRoleBinding", "read-nodes") not in prerequisites(DEPLOYMENT, [other])
