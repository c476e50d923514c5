"""Config of Thanos (ai-observability:thanos) and of its bucket's credentials. Pure."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from components.config.errors import unknown_key_message
from components.config.schema import Items, PositiveInt, Section, doc, fail, required, secret
from components.config.units import HostPort, checked, matching, parse_duration
from components.config.workload import Resources, Volume, resources

# objectStorage keys every provider takes, those of each provider, the ones each requires, and
# the credentials each needs with auth: keys.
COMMON_KEYS = ("provider", "auth", "prefix", "serviceAccountAnnotations", "podLabels")
PROVIDER_KEYS = {"s3": "bucket endpoint region insecure", "gcs": "bucket"}
PROVIDER_KEYS["azure"] = "storageAccount container endpoint userAssignedId"
REQUIRED_KEYS = {"s3": "bucket endpoint", "gcs": "bucket", "azure": "storageAccount container"}
CREDENTIAL_KEYS = {"s3": "accessKey secretKey", "gcs": "serviceAccountKey"}
CREDENTIAL_KEYS["azure"] = "storageAccountKey"
# Thanos downsamples raw blocks older than 40h to 5m, and 5m blocks older than 10d to 1h: a
# shorter retention deletes the data before it is downsampled.
Cidr = Annotated[str, Field(pattern=r"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$")]
_HOST_PORT = re.compile(r"[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?:(\d{1,5})")
MIN_RETENTION = {"raw": (40 * 3600, "40h"), "five_minutes": (10 * 86400, "10d")}

Bucket = Annotated[str, matching(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", "a bucket name")]
AzureAccount = Annotated[str, matching(r"[a-z0-9]{3,24}", "3-24 lower-case letters and digits")]
AzureContainer = Annotated[str, matching(r"[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]", "a container")]
# A duration where 0d keeps forever.
Retention = Annotated[str, checked(parse_duration, "a duration like 90d or 0d", allow_zero=True)]


class ObjectStorageConfig(Section):
    """The bucket Thanos writes blocks to (credentials: thanosObjectStorageCredentials)."""

    provider: Literal["s3", "gcs", "azure"] = required("s3, gcs or azure", "s3, gcs or azure")
    bucket: Bucket = doc("", "bucket name (s3, gcs)")
    endpoint: HostPort = doc("", "host[:port], no scheme (s3; optional for azure)")
    region: str = doc("", "s3 region")
    insecure: bool = doc(False, "s3 over plain HTTP")
    storage_account: AzureAccount = doc("", "Azure storage account")
    container: AzureContainer = doc("", "Azure container")
    user_assigned_id: str = doc("", "Azure with workloadIdentity: a user-assigned identity's id")
    prefix: Annotated[str, AfterValidator(lambda t: t.strip("/"))] = doc("", "path in the bucket")
    auth: Literal["keys", "workloadIdentity"] = doc("keys", "credentials: secret keys or identity")
    service_account_annotations: Mapping[str, str] = doc({}, "on its service accounts (IRSA...)")
    pod_labels: Mapping[str, str] = doc({}, "on those pods (e.g. azure.workload.identity/use)")

    @model_validator(mode="after")
    def _provider_keys(self) -> ObjectStorageConfig:
        names = {f.alias: n for n, f in type(self).model_fields.items()}
        allowed = [*COMMON_KEYS, *PROVIDER_KEYS[self.provider].split()]
        for key in (k for k, n in names.items() if n in self.model_fields_set and k not in allowed):
            raise fail(unknown_key_message(key, allowed), key)
        for key in (k for k in REQUIRED_KEYS[self.provider].split() if not getattr(self, names[k])):
            raise fail(f"required for provider {self.provider}", key)
        if self.user_assigned_id and self.auth != "workloadIdentity":
            raise fail("only used with auth: workloadIdentity", "userAssignedId")
        return self


class QueryConfig(Section):
    """Thanos Query."""

    replicas: PositiveInt = doc(1, "replicas (more than one: a PodDisruptionBudget)")
    resources: Resources = doc(resources("100m", "256Mi", "1Gi"), "container resources")


class ExposeStoreApiConfig(Section):
    """This cluster's Thanos Query gRPC for a global view, behind TLS."""

    enabled: bool = doc(False, "a LoadBalancer Service for the StoreAPI (TLS only)")
    address: str = doc("", "host:port the view dials (a DNS name for the load balancer)")
    global_stack: str = doc("", "the global view's stack (its CA and this cluster's certificate)")
    provider: Literal["aws", "gcp", "azure", "none"] = doc("none", "internal LB annotations")
    annotations: Mapping[str, str] = doc({}, "more annotations of the Service")
    source_ranges: Items[Cidr] = doc((), "loadBalancerSourceRanges: where the view's Query runs")
    mutual_tls: bool = doc(True, "only clients with a certificate from the view's CA")

    @model_validator(mode="after")
    def _complete(self) -> ExposeStoreApiConfig:
        if not self.enabled:
            return self
        found = _HOST_PORT.fullmatch(self.address)
        if not found or not 1 <= int(found[2]) <= 65535:
            message = f'"{self.address}" is not host:port: the name the global view dials'
            raise fail(f"{message}, e.g. thanos-grpc.prod-eu.example.internal:10901", "address")
        if not self.global_stack:
            message = "required: the global view's stack (org/project/stack) issues this "
            raise fail(f"{message}cluster's server certificate; TLS is not optional", "globalStack")
        return self

    @property
    def port(self) -> int:
        """The Service's port: the address's."""
        return int(self.address.rsplit(":", 1)[1])


class ClusterQueryConfig(QueryConfig):
    """A cluster's Thanos Query, which may expose its StoreAPI to a global view."""

    expose_store_api: ExposeStoreApiConfig = doc(
        ExposeStoreApiConfig(), "`{enabled, address, globalStack, provider, ...}` (TLS only)"
    )


class StoreGatewayConfig(Section):
    """Thanos Store Gateway (with a bucket)."""

    replicas: PositiveInt = doc(1, "replicas")
    storage: Volume = doc(Volume(size="20Gi"), "`{size, storageClass}` of each replica's cache")
    resources: Resources = doc(resources("100m", "512Mi", "2Gi"), "container resources")


class RetentionConfig(Section):
    """How long the compactor keeps each resolution (0d keeps it forever)."""

    raw: Retention = doc("30d", "raw samples (at least 40h)")
    five_minutes: Retention = doc("90d", "5-minute downsampled blocks (at least 10d)")
    one_hour: Retention = doc("1y", "1-hour downsampled blocks")

    @model_validator(mode="after")
    def _long_enough_to_downsample(self) -> RetentionConfig:
        for name, (minimum, text) in MIN_RETENTION.items():
            value = getattr(self, name)
            if 0 < parse_duration(value) < minimum:
                key = type(self).model_fields[name].alias or name
                raise fail(f"{value} is shorter than {text}; use 0d to keep forever", key)
        return self


class CompactorConfig(Section):
    """Thanos Compactor (with a bucket; always one replica)."""

    storage: Volume = doc(Volume(size="100Gi"), "`{size, storageClass}` of its work volume")
    retention: RetentionConfig = doc(RetentionConfig(), "retention per resolution")
    resources: Resources = doc(resources("100m", "512Mi", "2Gi"), "container resources")


class SidecarConfig(Section):
    """The Thanos sidecar in each Prometheus pod."""

    resources: Resources = doc(resources("50m", "128Mi", "512Mi"), "container resources")


class ThanosConfig(Section):
    """Thanos sidecar, Query, Store Gateway and Compactor."""

    enabled: bool = doc(True, "sidecar and Query (Grafana's datasource)")
    long_term_storage: bool = doc(True, "upload to a bucket; Store Gateway and Compactor")
    protect_volumes: bool = doc(False, "protect and retain the Store and Compactor StatefulSets")
    object_storage: ObjectStorageConfig | None = doc(None, "the bucket (with longTermStorage)")
    query: ClusterQueryConfig = doc(ClusterQueryConfig(), "Thanos Query")
    store_gateway: StoreGatewayConfig = doc(StoreGatewayConfig(), "Thanos Store Gateway")
    compactor: CompactorConfig = doc(CompactorConfig(), "Thanos Compactor")
    sidecar: SidecarConfig = doc(SidecarConfig(), "the sidecar")

    @model_validator(mode="after")
    def _bucket_when_needed(self) -> ThanosConfig:
        if self.long_term_storage and not self.enabled:
            raise fail("needs Thanos; set thanos.enabled or set this false", "longTermStorage")
        if self.long_term_storage and self.object_storage is None:
            raise fail(
                "required: long-term storage needs a bucket (provider s3, gcs or azure); an "
                "environment without one sets thanos.longTermStorage: false",
                "objectStorage",
            )
        if not self.long_term_storage and self.object_storage is not None:
            raise fail("set, but thanos.longTermStorage is false; remove one", "objectStorage")
        return self

    @model_validator(mode="after")
    def _exposed_query(self) -> ThanosConfig:
        if self.query.expose_store_api.enabled and not self.enabled:
            raise fail("needs Thanos; set thanos.enabled", "query.exposeStoreApi.enabled")
        return self

    @property
    def has_bucket(self) -> bool:
        """Whether Store Gateway and Compactor run (they need a bucket)."""
        return self.enabled and self.long_term_storage and self.object_storage is not None


class ObjectStorageCredentials(Section):
    """The bucket's keys with auth: keys."""

    access_key: str | None = secret("s3 access key id")
    secret_key: str | None = secret("s3 secret access key")
    service_account_key: str | None = secret("gcs: a service account's JSON key file")
    storage_account_key: str | None = secret("azure: the storage account key")

    def check(self, bucket: ObjectStorageConfig | None, given: bool) -> None:
        """Exactly the keys the bucket's provider needs with auth: keys."""
        where, keys = "thanosObjectStorageCredentials", self.as_keys()
        if bucket is None or bucket.auth == "workloadIdentity":
            if given:
                reason = "no bucket is configured" if bucket is None else "auth is workloadIdentity"
                raise fail(f"set, but {reason}; remove it", where)
            return
        needed = CREDENTIAL_KEYS[bucket.provider].split()
        for key in (k for k in keys if k not in needed):
            raise fail(unknown_key_message(key, needed), f"{where}.{key}")
        for key in (k for k in needed if not keys.get(k, "").strip()):
            how = f"`pulumi config set --secret --path {where}.{key} <value>`"
            message = f"required by the {bucket.provider} bucket with auth: keys; set it with {how}"
            raise fail(f"{message} (or use auth: workloadIdentity)", f"{where}.{key}")
        if bucket.provider == "gcs" and not _is_service_account_key(keys["serviceAccountKey"]):
            raise fail("expected a service account's JSON key file", f"{where}.serviceAccountKey")

    def as_keys(self) -> dict[str, str]:
        """Key (as in the stack file) -> value of every credential set."""
        return {k: v for k, v in self.model_dump(by_alias=True).items() if v is not None}


def _is_service_account_key(text: str) -> bool:
    with contextlib.suppress(ValueError):
        document = json.loads(text)
        return isinstance(document, dict) and document.get("type") == "service_account"
    return False
