"""Invalid config stops the program with pulumi.RunError naming the key, before any resource."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.harness import REMOVE, receiver_secrets, run_failing_program

PROD_SECRETS = {f"alertmanagerSecrets.{k}": v for k, v in receiver_secrets("prod").items()}

# (id, stack, run_program keyword arguments, text the message must start with, text it must contain)
CASES: list[tuple[str, str, dict[str, Any], str, str]] = [
    (
        "attribution-labels-collide",
        "dev",
        {"overrides": {"exporter.attribution": {"labels": ["team", "team"]}}},
        "ai-observability:exporter.attribution.labels[1]: 'team' would be the label team",
        "as 'team'",
    ),
    (
        "mig-slices-out-of-range",
        "dev",
        {"overrides": {"exporter.migComputeSlices": {"NVIDIA-A100-SXM4-80GB": 9}}},
        "ai-observability:exporter.migComputeSlices.NVIDIA-A100-SXM4-80GB: must be a whole",
        "[1, 8], got 9",
    ),
    (
        "flat-key-without-path",
        "dev",
        {"raw_config": {"ai-observability:prometheus.retention": "15d"}},
        "ai-observability:prometheus.retention: unknown key",
        "pulumi config set --path",
    ),
    (
        "unknown-nested-key",
        "dev",
        {"overrides": {"prometheus.retension": "15d"}},
        "ai-observability:prometheus.retension: unknown key",
        'did you mean "retention"',
    ),
    (
        "unknown-top-level-key",
        "dev",
        {"overrides": {"grafanna": {"adminUser": "x"}}},
        "ai-observability:grafanna: unknown key",
        'did you mean "grafana"',
    ),
    (
        "replicas-wrong-type",
        "dev",
        {"overrides": {"prometheus.replicas": "two"}},
        "ai-observability:prometheus.replicas: expected an integer",
        'got "two"',
    ),
    (
        "replicas-negative",
        "prod",
        {"overrides": {"prometheus.replicas": -2}, "secrets": PROD_SECRETS},
        "ai-observability:prometheus.replicas: must be a positive integer",
        "got -2",
    ),
    (
        "retention-bad-duration",
        "dev",
        {"overrides": {"prometheus.retention": "15 days"}},
        "ai-observability:prometheus.retention: expected a duration like 30s, 5m or 15d",
        'got "15 days"',
    ),
    (
        "retention-negative",
        "dev",
        {"overrides": {"prometheus.retention": "-5d"}},
        "ai-observability:prometheus.retention: expected a duration",
        '"-5d"',
    ),
    (
        "retention-zero",
        "dev",
        {"overrides": {"prometheus.retention": "0d"}},
        "ai-observability:prometheus.retention: must be greater than zero",
        '"0d"',
    ),
    (
        "retention-size-bad-unit",
        "dev",
        {"overrides": {"prometheus.retentionSize": "50 gigs"}},
        "ai-observability:prometheus.retentionSize: expected a size like 40GiB",
        '"50 gigs"',
    ),
    (
        "retention-size-larger-than-volume",
        "prod",
        {"overrides": {"prometheus.retentionSize": "600GiB"}, "secrets": PROD_SECRETS},
        "ai-observability:prometheus.retentionSize: 600GiB does not fit in the volume",
        "prometheus.storage.size = 500Gi",
    ),
    (
        "storage-size-not-a-quantity",
        "staging",
        {"overrides": {"prometheus.storage.size": "50 GB"}},
        "ai-observability:prometheus.storage.size: expected a Kubernetes quantity",
        '"50 GB"',
    ),
    (
        "namespace-not-a-dns-label",
        "dev",
        {"overrides": {"namespaces.monitoring": "Monitoring_NS"}},
        "ai-observability:namespaces.monitoring: expected a DNS label",
        '"Monitoring_NS"',
    ),
    (
        "namespace-reused",
        "dev",
        {"overrides": {"namespaces.inference": "monitoring"}},
        'ai-observability:namespaces.inference: "monitoring" is already used',
        "namespaces.monitoring",
    ),
    (
        "cluster-not-a-dns-label",
        "dev",
        {"overrides": {"cluster": "Prod_Cluster"}},
        "ai-observability:cluster: expected a DNS label",
        '"Prod_Cluster"',
    ),
    (
        "environment-missing",
        "dev",
        {"overrides": {"environment": REMOVE}},
        "ai-observability:environment: required",
        "Pulumi.<stack>.yaml",
    ),
    (
        "kube-context-missing",
        "dev",
        {"overrides": {"kubernetes:context": REMOVE}},
        "kubernetes:context: required",
        "kubeconfig context",
    ),
    (
        "prometheus-not-a-map",
        "dev",
        {"overrides": {"prometheus": "fast"}},
        "ai-observability:prometheus: expected a map",
        '"fast"',
    ),
    (
        "bool-wrong-type",
        "prod",
        {"overrides": {"grafana.persistence.enabled": "yes"}, "secrets": PROD_SECRETS},
        "ai-observability:grafana.persistence.enabled: expected true or false",
        '"yes"',
    ),
    (
        "memory-limit-below-request",
        "dev",
        {"overrides": {"prometheus.resources.limits.memory": "256Mi"}},
        "ai-observability:prometheus.resources.limits.memory: limit 256Mi is below the request",
        "512Mi",
    ),
    (
        "group-by-merges-models",
        "dev",
        {"overrides": {"alertmanager.groupBy": ["alertname", "namespace"]}},
        'ai-observability:alertmanager.groupBy: must contain "model_name"',
        "different models",
    ),
    (
        "unknown-receiver-type",
        "dev",
        {"overrides": {"alertmanager.receivers.ticket.type": "email"}},
        "ai-observability:alertmanager.receivers.ticket.type: expected one of",
        'got "email"',
    ),
    (
        "slack-without-channel",
        "prod",
        {"overrides": {"alertmanager.receivers.ticket.channel": REMOVE}, "secrets": PROD_SECRETS},
        "ai-observability:alertmanager.receivers.ticket.channel: required by slack",
        "#ai-alerts",
    ),
    (
        "prod-missing-paging-secret",
        "prod",
        {"secrets": {k: v for k, v in PROD_SECRETS.items() if not k.endswith(".paging")}},
        "ai-observability:alertmanagerSecrets.paging: required by the pagerduty receiver",
        "pulumi config set --secret --path alertmanagerSecrets.paging",
    ),
    (
        "prod-receiver-secrets-in-plain-text",
        "prod",
        {"overrides": PROD_SECRETS, "secrets": {}},
        "ai-observability:alertmanagerSecrets: must be stored encrypted",
        "--secret",
    ),
    (
        "secret-for-a-receiver-of-type-none",
        "dev",
        {"secrets": {"alertmanagerSecrets.paging": "https://hooks.example.test/x"}},
        "ai-observability:alertmanagerSecrets.paging: set, but",
        "receivers.paging.type is none",
    ),
]


@pytest.mark.parametrize(
    ("stack", "kwargs", "prefix", "detail"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_invalid_config_stops_before_any_resource(
    stack: str, kwargs: dict[str, Any], prefix: str, detail: str
) -> None:
    message, registered = run_failing_program(stack, **kwargs)
    assert message.startswith(prefix), message
    assert detail in message, message
    assert registered == [], [r.type for r in registered]


def test_bad_secret_is_named_but_never_echoed() -> None:
    secrets = {f"alertmanagerSecrets.{k}": v for k, v in receiver_secrets("staging").items()}
    secrets["alertmanagerSecrets.ticket"] = "xoxb-not-a-url-but-a-token-1234"
    message, registered = run_failing_program("staging", secrets=secrets)
    assert message.startswith("ai-observability:alertmanagerSecrets.ticket: the slack receiver")
    assert "xoxb-not-a-url-but-a-token-1234" not in message
    assert registered == []


def test_there_are_at_least_twelve_distinct_invalid_configurations() -> None:
    key_paths = {prefix.split(": ")[0] for _, _, _, prefix, _ in CASES}
    assert len(key_paths) >= 12, sorted(key_paths)


def test_secret_keys_from_the_cli_environment_count_as_secret(monkeypatch) -> None:
    """The CLI names secret keys in PULUMI_CONFIG_SECRET_KEYS rather than through set_all_config."""
    import json

    from tests.support.harness import run_program

    monkeypatch.setenv(
        "PULUMI_CONFIG_SECRET_KEYS", json.dumps(["ai-observability:alertmanagerSecrets"])
    )
    run = run_program("prod", overrides=PROD_SECRETS, secrets={})
    assert run.outputs["environment"] == "prod"
