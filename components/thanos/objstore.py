"""Thanos object-storage configuration (objstore.yml) as a pure function of the config.

The result can hold credentials, so it only reaches the cluster inside a Kubernetes Secret.
Field names follow Thanos' docs/storage.md at v0.42.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from components.thanos.config import ObjectStorageConfig

THANOS_TYPES = {"s3": "S3", "gcs": "GCS", "azure": "AZURE"}


def _s3(storage: ObjectStorageConfig, credentials: Mapping[str, str]) -> dict[str, Any]:
    config: dict[str, Any] = {
        "bucket": storage.bucket,
        "endpoint": storage.endpoint,
        "insecure": storage.insecure,
    }
    if storage.region:
        config["region"] = storage.region
    if storage.auth == "workloadIdentity":
        config["aws_sdk_auth"] = True  # IRSA / instance profile through the AWS SDK chain
    else:
        config["access_key"] = credentials["accessKey"]
        config["secret_key"] = credentials["secretKey"]
    return config


def _gcs(storage: ObjectStorageConfig, credentials: Mapping[str, str]) -> dict[str, Any]:
    config: dict[str, Any] = {"bucket": storage.bucket}
    if storage.auth == "keys":
        config["service_account"] = credentials["serviceAccountKey"]
    return config  # without a key: Workload Identity / metadata server


def _azure(storage: ObjectStorageConfig, credentials: Mapping[str, str]) -> dict[str, Any]:
    config: dict[str, Any] = {
        "storage_account": storage.storage_account,
        "container": storage.container,
    }
    if storage.endpoint:
        config["endpoint"] = storage.endpoint
    if storage.auth == "keys":
        config["storage_account_key"] = credentials["storageAccountKey"]
    elif storage.user_assigned_id:
        config["user_assigned_id"] = storage.user_assigned_id
    return config


_BUILDERS = {"s3": _s3, "gcs": _gcs, "azure": _azure}


def objstore_config(storage: ObjectStorageConfig, credentials: Mapping[str, str]) -> dict[str, Any]:
    """The objstore.yml document as a dict."""
    document: dict[str, Any] = {
        "type": THANOS_TYPES[storage.provider],
        "config": _BUILDERS[storage.provider](storage, credentials),
    }
    if storage.prefix:
        document["prefix"] = storage.prefix
    return document


def render_objstore(storage: ObjectStorageConfig, credentials: Mapping[str, str]) -> str:
    """objstore.yml as text."""
    return yaml.safe_dump(objstore_config(storage, credentials), sort_keys=False)
