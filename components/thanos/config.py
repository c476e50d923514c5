"""Config of Thanos (ai-observability:thanos) and of its bucket's credentials. Pure."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import AfterValidator, model_validator

from components.config.errors import unknown_key_message
from components.config.schema import PositiveInt, Section, fail, required, secret
from components.config.units import matching, parse_duration
from components.config.workload import Resources, Volume, resources

Provider = Literal["s3", "gcs", "azure"]
# objectStorage keys per provider, besides the ones every provider takes.
COMMON_KEYS = ("provider", "auth", "prefix", "serviceAccountAnnotations", "podLabels")
PROVIDER_KEYS = {
    "s3": ("bucket", "endpoint", "region", "insecure"),
    "gcs": ("bucket",),
    "azure": ("storageAccount", "container", "endpoint", "userAssignedId"),
}
REQUIRED_KEYS = {
    "s3": ("bucket", "endpoint"),
    "gcs": ("bucket",),
    "azure": ("storageAccount", "container"),
}
CREDENTIAL_KEYS = {
    "s3": ("accessKey", "secretKey"),
    "gcs": ("serviceAccountKey",),
    "azure": ("storageAccountKey",),
}
# Thanos downsamples raw blocks older than 40h to 5m, and 5m blocks older than 10d to 1h: a
# shorter retention deletes the data before it is downsampled.
MIN_RETENTION = {"raw": (40 * 3600, "40h"), "fiveMinutes": (10 * 86400, "10d")}

Bucket = Annotated[
    str,
    matching(
        re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"),
        "a bucket name (3-63 lower-case letters, digits, . and -)",
    ),
]
Endpoint = Annotated[
    str,
    matching(
        re.compile(r"^[A-Za-z0-9.-]+(:\d{1,5})?$"),
        "host[:port] without a scheme, e.g. s3.us-east-1.amazonaws.com",
    ),
]
AzureAccount = Annotated[
    str, matching(re.compile(r"^[a-z0-9]{3,24}$"), "3-24 lower-case letters and digits")
]
AzureContainer = Annotated[
    str,
    matching(re.compile(r"^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$"), "an Azure container name"),
]


def _retention(text: str) -> str:
    if text in ("0d", "0s", "0"):
        return "0d"
    try:
        parse_duration(text)
    except ValueError:
        raise fail(f'expected a duration like 90d (0d keeps forever), got "{text}"') from None
    return text


Retention = Annotated[str, AfterValidator(_retention)]


class ObjectStorageConfig(Section):
    """The bucket Thanos writes blocks to (credentials: thanosObjectStorageCredentials)."""

    provider: Provider = required("one of s3, gcs, azure")
    """`s3` (AWS or S3-compatible), `gcs` or `azure`."""
    bucket: Bucket = ""
    """Bucket name (s3, gcs)."""
    endpoint: Endpoint = ""
    """host[:port], no scheme (s3; optional for azure)."""
    region: str = ""
    """s3 region."""
    insecure: bool = False
    """s3 over plain HTTP."""
    storage_account: AzureAccount = ""
    """Azure storage account."""
    container: AzureContainer = ""
    """Azure container."""
    user_assigned_id: str = ""
    """Azure with workloadIdentity: client id of a user-assigned identity."""
    prefix: Annotated[str, AfterValidator(lambda text: text.strip("/"))] = ""
    """Path prefix inside the bucket."""
    auth: Literal["keys", "workloadIdentity"] = "keys"
    """`keys` (thanosObjectStorageCredentials) or `workloadIdentity` (IRSA, GKE, Azure)."""
    service_account_annotations: Mapping[str, str] = {}
    """Added to the service accounts of Prometheus, Store Gateway and Compactor."""
    pod_labels: Mapping[str, str] = {}
    """Added to those pods (e.g. `azure.workload.identity/use: "true"`)."""

    @model_validator(mode="after")
    def _provider_keys(self) -> ObjectStorageConfig:
        allowed = [*COMMON_KEYS, *PROVIDER_KEYS[self.provider]]
        for name in self.model_fields_set:
            key = type(self).model_fields[name].alias or name
            if key not in allowed:
                raise fail(unknown_key_message(key, allowed), key)
        for key in REQUIRED_KEYS[self.provider]:
            if not getattr(self, _attribute(key)):
                raise fail(f"required for provider {self.provider}", key)
        if self.user_assigned_id and self.auth != "workloadIdentity":
            raise fail("only used with auth: workloadIdentity", "userAssignedId")
        return self


def _attribute(key: str) -> str:
    return re.sub(r"[A-Z]", lambda m: "_" + m.group().lower(), key)


class QueryConfig(Section):
    """Thanos Query."""

    replicas: PositiveInt = 1
    """Query replicas (more than one: a PodDisruptionBudget and anti-affinity)."""
    resources: Resources = resources("100m", "256Mi", "1Gi")
    """Query's container resources."""


class StoreGatewayConfig(Section):
    """Thanos Store Gateway (with a bucket)."""

    replicas: PositiveInt = 1
    """Store Gateway replicas."""
    storage: Volume = Volume(size="20Gi")
    """`{size, storageClass}` of each replica's index cache volume."""
    resources: Resources = resources("100m", "512Mi", "2Gi")
    """Store Gateway's container resources."""


class RetentionConfig(Section):
    """How long the compactor keeps each resolution (0d keeps it forever)."""

    raw: Retention = "30d"
    """Raw samples (at least 40h: they are downsampled at 40h)."""
    five_minutes: Retention = "90d"
    """5-minute downsampled blocks (at least 10d)."""
    one_hour: Retention = "1y"
    """1-hour downsampled blocks."""

    @model_validator(mode="after")
    def _long_enough_to_downsample(self) -> RetentionConfig:
        for key, (minimum, text) in MIN_RETENTION.items():
            value = getattr(self, _attribute(key))
            if 0 < parse_duration(value) < minimum:
                raise fail(f"{value} is shorter than {text}; use 0d to keep forever", key)
        return self


class CompactorConfig(Section):
    """Thanos Compactor (with a bucket; always one replica)."""

    storage: Volume = Volume(size="100Gi")
    """`{size, storageClass}` of its work volume."""
    retention: RetentionConfig = RetentionConfig()
    """Retention per resolution."""
    resources: Resources = resources("100m", "512Mi", "2Gi")
    """Compactor's container resources."""


class SidecarConfig(Section):
    """The Thanos sidecar in each Prometheus pod."""

    resources: Resources = resources("50m", "128Mi", "512Mi")
    """Sidecar's container resources."""


class ThanosConfig(Section):
    """Thanos sidecar, Query, Store Gateway and Compactor."""

    enabled: bool = True
    """Sidecar and Query (Grafana's datasource); false points Grafana at Prometheus."""
    long_term_storage: bool = True
    """Upload to a bucket, run Store Gateway and Compactor; needs objectStorage."""
    protect_volumes: bool = False
    """`protect` and `retainOnDelete` on the Store Gateway and Compactor StatefulSets."""
    object_storage: ObjectStorageConfig | None = None
    """The bucket (required with longTermStorage)."""
    query: QueryConfig = QueryConfig()
    """Thanos Query."""
    store_gateway: StoreGatewayConfig = StoreGatewayConfig()
    """Thanos Store Gateway."""
    compactor: CompactorConfig = CompactorConfig()
    """Thanos Compactor."""
    sidecar: SidecarConfig = SidecarConfig()
    """The sidecar."""

    @model_validator(mode="after")
    def _bucket_when_needed(self) -> ThanosConfig:
        if self.long_term_storage and not self.enabled:
            raise fail(
                "needs Thanos; set thanos.enabled to true or this to false", "longTermStorage"
            )
        if self.long_term_storage and self.object_storage is None:
            raise fail(
                "required: long-term storage needs a bucket (provider s3, gcs or azure); an "
                "environment without one sets thanos.longTermStorage: false",
                "objectStorage",
            )
        if not self.long_term_storage and self.object_storage is not None:
            raise fail(
                "set, but thanos.longTermStorage is false; remove one of them", "objectStorage"
            )
        return self

    @property
    def has_bucket(self) -> bool:
        """Whether Store Gateway and Compactor run (they need a bucket)."""
        return self.enabled and self.long_term_storage and self.object_storage is not None


class ObjectStorageCredentials(Section):
    """The bucket's keys, with auth: keys (s3: accessKey and secretKey; gcs: serviceAccountKey,
    the JSON key file; azure: storageAccountKey)."""

    access_key: str | None = secret()
    """s3 access key id."""
    secret_key: str | None = secret()
    """s3 secret access key."""
    service_account_key: str | None = secret()
    """gcs: the JSON key file of a service account."""
    storage_account_key: str | None = secret()
    """azure: the storage account key."""

    def check(self, storage: ObjectStorageConfig | None, given: bool) -> None:
        """Exactly the keys the bucket's provider needs with auth: keys."""
        where = "thanosObjectStorageCredentials"
        if storage is None or storage.auth == "workloadIdentity":
            if given:
                reason = (
                    "no bucket is configured" if storage is None else "auth is workloadIdentity"
                )
                raise fail(f"set, but {reason}; remove it", where)
            return
        needed = CREDENTIAL_KEYS[storage.provider]
        for key in (k for k in type(self).model_fields if getattr(self, k) is not None):
            alias = type(self).model_fields[key].alias or key
            if alias not in needed:
                raise fail(unknown_key_message(alias, list(needed)), f"{where}.{alias}")
        for key in needed:
            value = getattr(self, _attribute(key))
            if value is None or not value.strip():
                raise fail(
                    f"required by the {storage.provider} bucket with auth: keys; set it with "
                    f"`pulumi config set --secret --path {where}.{key} <value>` (or use auth: "
                    "workloadIdentity)",
                    f"{where}.{key}",
                )
        if storage.provider == "gcs":
            try:
                document = json.loads(self.service_account_key or "")
            except ValueError:
                document = None
            if not isinstance(document, dict) or document.get("type") != "service_account":
                raise fail(
                    "expected the JSON key file of a Google service account",
                    f"{where}.serviceAccountKey",
                )

    def as_keys(self) -> dict[str, str]:
        """Key (as in the stack file) -> value of every credential set."""
        return {k: v for k, v in self.model_dump(by_alias=True).items() if v is not None}
