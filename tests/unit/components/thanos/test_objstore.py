"""objstore.yml for each provider, and config errors for incomplete provider settings."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from components.thanos.config import ObjectStorageConfig
from components.thanos.objstore import render_objstore
from tests.support.harness import REMOVE, run_failing_program, stack_secrets

GCS_KEY = json.dumps({"type": "service_account", "project_id": "p", "private_key": "k"})


def rendered(storage: ObjectStorageConfig, credentials: dict[str, str]) -> dict[str, Any]:
    return yaml.safe_load(render_objstore(storage, credentials))


def test_s3_with_keys() -> None:
    doc = rendered(
        ObjectStorageConfig(
            provider="s3", bucket="b-1", endpoint="minio.storage.svc:9000", insecure=True
        ),
        {"accessKey": "AK", "secretKey": "SK"},
    )
    assert doc == {
        "type": "S3",
        "config": {
            "bucket": "b-1",
            "endpoint": "minio.storage.svc:9000",
            "insecure": True,
            "access_key": "AK",
            "secret_key": "SK",
        },
    }


def test_s3_with_workload_identity_has_no_keys() -> None:
    storage = ObjectStorageConfig(
        provider="s3",
        bucket="b-1",
        endpoint="s3.eu-west-1.amazonaws.com",
        region="eu-west-1",
        auth="workloadIdentity",
        prefix="cluster-a",
    )
    doc = rendered(storage, {})
    assert doc["config"]["aws_sdk_auth"] is True
    assert doc["config"]["region"] == "eu-west-1"
    assert "access_key" not in doc["config"] and "secret_key" not in doc["config"]
    assert doc["prefix"] == "cluster-a"


def test_gcs() -> None:
    with_key = rendered(
        ObjectStorageConfig(provider="gcs", bucket="metrics"), {"serviceAccountKey": GCS_KEY}
    )
    assert with_key == {"type": "GCS", "config": {"bucket": "metrics", "service_account": GCS_KEY}}
    identity = rendered(
        ObjectStorageConfig(provider="gcs", bucket="metrics", auth="workloadIdentity"), {}
    )
    assert identity == {"type": "GCS", "config": {"bucket": "metrics"}}


def test_azure() -> None:
    storage = ObjectStorageConfig(provider="azure", storage_account="acct1", container="metrics")
    doc = rendered(storage, {"storageAccountKey": "KEY=="})
    assert doc == {
        "type": "AZURE",
        "config": {
            "storage_account": "acct1",
            "container": "metrics",
            "storage_account_key": "KEY==",
        },
    }
    managed = ObjectStorageConfig(
        provider="azure",
        storage_account="acct1",
        container="metrics",
        auth="workloadIdentity",
        user_assigned_id="00000000-0000-0000-0000-000000000001",
    )
    assert rendered(managed, {})["config"]["user_assigned_id"].endswith("0001")


STAGING = stack_secrets("staging")
PROD = stack_secrets("prod")

CASES: list[tuple[str, str, dict[str, Any], str]] = [
    (
        "bucket-missing-in-staging",
        "staging",
        {"overrides": {"thanos.objectStorage": REMOVE}},
        "ai-observability:thanos.objectStorage: required",
    ),
    (
        "provider-missing",
        "staging",
        {"overrides": {"thanos.objectStorage.provider": REMOVE}},
        "ai-observability:thanos.objectStorage.provider: required",
    ),
    (
        "provider-unknown",
        "staging",
        {"overrides": {"thanos.objectStorage.provider": "minio"}},
        "ai-observability:thanos.objectStorage.provider: expected one of s3, gcs, azure",
    ),
    (
        "s3-without-bucket",
        "staging",
        {"overrides": {"thanos.objectStorage.bucket": REMOVE}},
        "ai-observability:thanos.objectStorage.bucket: required for provider s3",
    ),
    (
        "s3-without-endpoint",
        "prod",
        {"overrides": {"thanos.objectStorage.endpoint": REMOVE}, "secrets": PROD},
        "ai-observability:thanos.objectStorage.endpoint: required for provider s3",
    ),
    (
        "s3-endpoint-with-scheme",
        "prod",
        {
            "overrides": {"thanos.objectStorage.endpoint": "https://s3.amazonaws.com"},
            "secrets": PROD,
        },
        "ai-observability:thanos.objectStorage.endpoint: expected host[:port] without a scheme",
    ),
    (
        "bucket-name-invalid",
        "staging",
        {"overrides": {"thanos.objectStorage.bucket": "My_Bucket"}},
        "ai-observability:thanos.objectStorage.bucket: expected a bucket name",
    ),
    (
        "azure-without-container",
        "prod",
        {
            "overrides": {
                "thanos.objectStorage": {
                    "provider": "azure",
                    "storageAccount": "acct1",
                    "auth": "workloadIdentity",
                }
            },
            "secrets": PROD,
        },
        "ai-observability:thanos.objectStorage.container: required for provider azure",
    ),
    (
        "azure-without-account",
        "prod",
        {
            "overrides": {"thanos.objectStorage": {"provider": "azure", "container": "metrics"}},
            "secrets": PROD,
        },
        "ai-observability:thanos.objectStorage.storageAccount: required for provider azure",
    ),
    (
        "gcs-does-not-take-an-endpoint",
        "prod",
        {
            "overrides": {
                "thanos.objectStorage": {
                    "provider": "gcs",
                    "bucket": "metrics",
                    "endpoint": "x:1",
                    "auth": "workloadIdentity",
                }
            },
            "secrets": PROD,
        },
        "ai-observability:thanos.objectStorage.endpoint: unknown key",
    ),
    (
        "s3-keys-missing-secret-key",
        "staging",
        {"secrets": {k: v for k, v in STAGING.items() if not k.endswith("secretKey")}},
        "ai-observability:thanosObjectStorageCredentials.secretKey: required by the s3 bucket",
    ),
    (
        "s3-keys-missing-entirely",
        "staging",
        {"secrets": {k: v for k, v in STAGING.items() if k.startswith("alertmanager")}},
        "ai-observability:thanosObjectStorageCredentials.accessKey: required by the s3 bucket",
    ),
    (
        "credentials-in-plain-text",
        "staging",
        {
            "overrides": {k: v for k, v in STAGING.items() if k.startswith("thanos")},
            "secrets": {k: v for k, v in STAGING.items() if k.startswith("alertmanager")},
        },
        "ai-observability:thanosObjectStorageCredentials: must be stored encrypted",
    ),
    (
        "credentials-with-workload-identity",
        "prod",
        {"secrets": {**PROD, "thanosObjectStorageCredentials.accessKey": "AK"}},
        "ai-observability:thanosObjectStorageCredentials: set, but auth is workloadIdentity",
    ),
    (
        "gcs-key-not-json",
        "prod",
        {
            "overrides": {"thanos.objectStorage": {"provider": "gcs", "bucket": "metrics"}},
            "secrets": {**PROD, "thanosObjectStorageCredentials.serviceAccountKey": "not json"},
        },
        "ai-observability:thanosObjectStorageCredentials.serviceAccountKey: expected a service account's JSON key",
    ),
    (
        "raw-retention-too-short",
        "staging",
        {"overrides": {"thanos.compactor.retention.raw": "1d"}},
        "ai-observability:thanos.compactor.retention.raw: 1d is shorter than 40h",
    ),
    (
        "bucket-without-long-term-storage",
        "dev",
        {"overrides": {"thanos.objectStorage": {"provider": "gcs", "bucket": "metrics"}}},
        "ai-observability:thanos.objectStorage: set, but thanos.longTermStorage",
    ),
    (
        "long-term-storage-without-thanos",
        "dev",
        {"overrides": {"thanos.enabled": False, "thanos.longTermStorage": True}},
        "ai-observability:thanos.longTermStorage: needs Thanos",
    ),
]


@pytest.mark.parametrize(
    ("stack", "kwargs", "prefix"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_incomplete_object_storage_settings(
    stack: str, kwargs: dict[str, Any], prefix: str
) -> None:
    message, registered = run_failing_program(stack, **kwargs)
    assert message.startswith(prefix), message
    assert registered == []
    for secret in (*STAGING.values(), *PROD.values()):
        assert secret not in message


@pytest.mark.pulumi_program
def test_gcs_with_a_real_key_builds() -> None:
    from tests.support.harness import run_program

    run = run_program(
        "prod",
        overrides={"thanos.objectStorage": {"provider": "gcs", "bucket": "metrics"}},
        secrets={**PROD, "thanosObjectStorageCredentials.serviceAccountKey": GCS_KEY},
    )
    assert "thanosQueryUrl" in run.outputs
