"""Typed configuration of Thanos (ai-observability:thanos) and its object-storage credentials.

Pure: no pulumi import. Parsed by components.config.parse_stack_config.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from components.config_fields import (
    ConfigError,
    describe,
    key_path,
    parse_duration,
    read_bool,
    read_choice,
    read_duration,
    read_int,
    read_object,
    read_str,
    read_string_map,
    top_key,
)
from components.config_resources import Resources, Storage, parse_resources, parse_storage

PROVIDERS = ("s3", "gcs", "azure")
AUTH_MODES = ("keys", "workloadIdentity")
# Which objectStorage keys each provider takes (besides provider, auth, prefix and the
# workload-identity helpers, which all take).
PROVIDER_KEYS: dict[str, tuple[str, ...]] = {
    "s3": ("bucket", "endpoint", "region", "insecure"),
    "gcs": ("bucket",),
    "azure": ("storageAccount", "container", "endpoint", "userAssignedId"),
}
REQUIRED_KEYS: dict[str, tuple[str, ...]] = {
    "s3": ("bucket", "endpoint"),
    "gcs": ("bucket",),
    "azure": ("storageAccount", "container"),
}
CREDENTIAL_KEYS: dict[str, tuple[str, ...]] = {
    "s3": ("accessKey", "secretKey"),
    "gcs": ("serviceAccountKey",),
    "azure": ("storageAccountKey",),
}
_COMMON_KEYS = ("provider", "auth", "prefix", "serviceAccountAnnotations", "podLabels")
_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_AZURE_ACCOUNT = re.compile(r"^[a-z0-9]{3,24}$")
_AZURE_CONTAINER = re.compile(r"^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$")
_ENDPOINT = re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$")
# Thanos downsamples raw blocks older than 40h to 5m and 5m blocks older than 10d to 1h: a
# shorter retention deletes the data before it can be downsampled.
MIN_RAW_RETENTION_SECONDS = 40 * 3600
MIN_5M_RETENTION_SECONDS = 10 * 86400


@dataclass(frozen=True)
class ObjectStorageConfig:
    """The bucket Thanos writes blocks to, without credentials."""

    provider: str
    bucket: str = ""
    endpoint: str = ""
    region: str = ""
    insecure: bool = False
    storage_account: str = ""
    container: str = ""
    user_assigned_id: str = ""
    prefix: str = ""
    auth: str = "keys"
    service_account_annotations: Mapping[str, str] = field(default_factory=dict)
    pod_labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class CompactorRetention:
    """How long the compactor keeps each resolution (0d keeps it forever)."""

    raw: str = "30d"
    five_minutes: str = "90d"
    one_hour: str = "1y"


@dataclass(frozen=True)
class ThanosConfig:
    """Thanos sidecar, Query, Store Gateway and Compactor."""

    enabled: bool = True
    long_term_storage: bool = True
    protect_volumes: bool = False
    object_storage: ObjectStorageConfig | None = None
    query_replicas: int = 1
    query_resources: Resources = Resources("100m", "256Mi", "1Gi")
    store_replicas: int = 1
    store_storage: Storage = Storage(enabled=True, size="20Gi")
    store_resources: Resources = Resources("100m", "512Mi", "2Gi")
    compactor_storage: Storage = Storage(enabled=True, size="100Gi")
    compactor_resources: Resources = Resources("100m", "512Mi", "2Gi")
    retention: CompactorRetention = CompactorRetention()
    sidecar_resources: Resources = Resources("50m", "128Mi", "512Mi")

    @property
    def has_bucket(self) -> bool:
        """Whether Store Gateway and Compactor run (they need a bucket)."""
        return self.enabled and self.long_term_storage and self.object_storage is not None


def parse_object_storage(raw: Any, path: str) -> ObjectStorageConfig:
    """ai-observability:thanos.objectStorage."""
    if not isinstance(raw, Mapping):
        read_object(raw, path, [])  # a clear error for a non-map
    if "provider" not in raw:
        raise ConfigError(key_path(path, "provider"), f"required: one of {', '.join(PROVIDERS)}")
    provider = read_choice(raw, "provider", path, "", PROVIDERS)
    read_object(raw, path, [*_COMMON_KEYS, *PROVIDER_KEYS[provider]])
    for key in REQUIRED_KEYS[provider]:
        if not raw.get(key):
            raise ConfigError(key_path(path, key), f"required for provider {provider}")
    cfg = ObjectStorageConfig(
        provider=provider,
        bucket=read_str(raw, "bucket", path, ""),
        endpoint=read_str(raw, "endpoint", path, ""),
        region=read_str(raw, "region", path, ""),
        insecure=read_bool(raw, "insecure", path, False),
        storage_account=read_str(raw, "storageAccount", path, ""),
        container=read_str(raw, "container", path, ""),
        user_assigned_id=read_str(raw, "userAssignedId", path, ""),
        prefix=read_str(raw, "prefix", path, "").strip("/"),
        auth=read_choice(raw, "auth", path, "keys", AUTH_MODES),
        service_account_annotations=read_string_map(
            raw.get("serviceAccountAnnotations", {}), key_path(path, "serviceAccountAnnotations")
        ),
        pod_labels=read_string_map(raw.get("podLabels", {}), key_path(path, "podLabels")),
    )
    if cfg.bucket and not _BUCKET.match(cfg.bucket):
        raise ConfigError(
            key_path(path, "bucket"),
            f"expected a bucket name (3-63 lower-case letters, digits, . and -), "
            f"got {describe(cfg.bucket)}",
        )
    if cfg.endpoint and not _ENDPOINT.match(cfg.endpoint):
        raise ConfigError(
            key_path(path, "endpoint"),
            f"expected host[:port] without a scheme, e.g. s3.us-east-1.amazonaws.com, "
            f"got {describe(cfg.endpoint)}",
        )
    if cfg.storage_account and not _AZURE_ACCOUNT.match(cfg.storage_account):
        raise ConfigError(
            key_path(path, "storageAccount"),
            f"expected 3-24 lower-case letters and digits, got {describe(cfg.storage_account)}",
        )
    if cfg.container and not _AZURE_CONTAINER.match(cfg.container):
        raise ConfigError(
            key_path(path, "container"),
            f"expected an Azure container name, got {describe(cfg.container)}",
        )
    if cfg.user_assigned_id and cfg.auth != "workloadIdentity":
        raise ConfigError(key_path(path, "userAssignedId"), "only used with auth: workloadIdentity")
    return cfg


def parse_retention(raw: Any, path: str) -> CompactorRetention:
    """ai-observability:thanos.compactor.retention."""
    obj = read_object(raw, path, ["raw", "fiveMinutes", "oneHour"])
    d = CompactorRetention()
    retention = CompactorRetention(
        raw=_read_retention(obj, "raw", path, d.raw),
        five_minutes=_read_retention(obj, "fiveMinutes", path, d.five_minutes),
        one_hour=_read_retention(obj, "oneHour", path, d.one_hour),
    )
    for key, value, minimum, why in (
        (
            "raw",
            retention.raw,
            MIN_RAW_RETENTION_SECONDS,
            "40h (raw blocks are downsampled at 40h)",
        ),
        (
            "fiveMinutes",
            retention.five_minutes,
            MIN_5M_RETENTION_SECONDS,
            "10d (5m blocks are downsampled to 1h at 10d)",
        ),
    ):
        seconds = parse_duration(value)
        if 0 < seconds < minimum:
            raise ConfigError(
                key_path(path, key), f"{value} is shorter than {why}; use 0d to keep forever"
            )
    return retention


def _read_retention(obj: Mapping[str, Any], key: str, path: str, default: str) -> str:
    """A duration, where 0d means keep forever."""
    value = read_str(obj, key, path, default)
    if value in ("0d", "0s", "0"):
        return "0d"
    return read_duration(obj, key, path, default, "90d")


def parse_thanos(raw: Any) -> ThanosConfig:
    """ai-observability:thanos."""
    path = top_key("thanos")
    keys = [
        "enabled",
        "longTermStorage",
        "protectVolumes",
        "objectStorage",
        "query",
        "storeGateway",
        "compactor",
        "sidecar",
    ]
    obj = read_object(raw, path, keys)
    d = ThanosConfig()
    enabled = read_bool(obj, "enabled", path, d.enabled)
    long_term = read_bool(obj, "longTermStorage", path, d.long_term_storage)
    storage_path = key_path(path, "objectStorage")
    object_storage = None
    if long_term and not enabled:
        raise ConfigError(
            key_path(path, "longTermStorage"),
            f"needs Thanos; set {key_path(path, 'enabled')} to true or this to false",
        )
    if enabled and long_term:
        if obj.get("objectStorage") is None:
            raise ConfigError(
                storage_path,
                "required: long-term storage needs a bucket (provider s3, gcs or azure); "
                f"an environment without one sets {key_path(path, 'longTermStorage')}: false",
            )
        object_storage = parse_object_storage(obj["objectStorage"], storage_path)
    elif obj.get("objectStorage") is not None:
        raise ConfigError(
            storage_path,
            f"set, but {key_path(path, 'longTermStorage')} is false; remove one of them",
        )

    query_path, store_path = key_path(path, "query"), key_path(path, "storeGateway")
    compactor_path, sidecar_path = key_path(path, "compactor"), key_path(path, "sidecar")
    query = read_object(obj.get("query"), query_path, ["replicas", "resources"])
    store = read_object(obj.get("storeGateway"), store_path, ["replicas", "storage", "resources"])
    compactor = read_object(
        obj.get("compactor"), compactor_path, ["storage", "retention", "resources"]
    )
    sidecar = read_object(obj.get("sidecar"), sidecar_path, ["resources"])
    return ThanosConfig(
        enabled=enabled,
        long_term_storage=long_term,
        protect_volumes=read_bool(obj, "protectVolumes", path, d.protect_volumes),
        object_storage=object_storage,
        query_replicas=read_int(query, "replicas", query_path, d.query_replicas),
        query_resources=parse_resources(
            query.get("resources"), key_path(query_path, "resources"), d.query_resources
        ),
        store_replicas=read_int(store, "replicas", store_path, d.store_replicas),
        store_storage=_volume(
            store.get("storage"), key_path(store_path, "storage"), d.store_storage
        ),
        store_resources=parse_resources(
            store.get("resources"), key_path(store_path, "resources"), d.store_resources
        ),
        compactor_storage=_volume(
            compactor.get("storage"), key_path(compactor_path, "storage"), d.compactor_storage
        ),
        compactor_resources=parse_resources(
            compactor.get("resources"), key_path(compactor_path, "resources"), d.compactor_resources
        ),
        retention=parse_retention(
            compactor.get("retention"), key_path(compactor_path, "retention")
        ),
        sidecar_resources=parse_resources(
            sidecar.get("resources"), key_path(sidecar_path, "resources"), d.sidecar_resources
        ),
    )


def _volume(raw: Any, path: str, default: Storage) -> Storage:
    """A volume that always exists: only size and storageClass are settable."""
    read_object(raw, path, ["size", "storageClass"])
    return parse_storage(raw, path, default)


def parse_object_storage_credentials(
    raw: Any, is_secret: bool, thanos: ThanosConfig
) -> dict[str, str]:
    """ai-observability:thanosObjectStorageCredentials (secret): keys of the bucket's provider."""
    path = top_key("thanosObjectStorageCredentials")
    storage = thanos.object_storage
    if raw is not None and not is_secret:
        raise ConfigError(
            path,
            "holds bucket credentials and must be stored encrypted: set each entry with "
            "`pulumi config set --secret --path thanosObjectStorageCredentials.<key> <value>`",
        )
    if storage is None or storage.auth == "workloadIdentity":
        if raw is not None:
            reason = "no bucket is configured" if storage is None else "auth is workloadIdentity"
            raise ConfigError(path, f"set, but {reason}; remove it")
        return {}
    needed = CREDENTIAL_KEYS[storage.provider]
    obj = read_object(raw, path, needed)
    credentials: dict[str, str] = {}
    for key in needed:
        value = obj.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ConfigError(
                key_path(path, key),
                f"required by the {storage.provider} bucket with auth: keys; set it with "
                f"`pulumi config set --secret --path thanosObjectStorageCredentials.{key} <value>` "
                "(or use auth: workloadIdentity)",
            )
        credentials[key] = value
    if storage.provider == "gcs":
        try:
            key_json = json.loads(credentials["serviceAccountKey"])
        except ValueError:
            key_json = None
        if not isinstance(key_json, dict) or key_json.get("type") != "service_account":
            raise ConfigError(
                key_path(path, "serviceAccountKey"),
                "expected the JSON key file of a Google service account",
            )
    return credentials
