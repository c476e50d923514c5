"""Thanos config: a bucket when long-term storage is on, provider keys, retention minimums."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from components.thanos.config import ObjectStorageConfig, ObjectStorageCredentials, ThanosConfig


def test_long_term_storage_needs_a_bucket_and_a_bucket_needs_long_term_storage() -> None:
    with pytest.raises(ValidationError, match="long-term storage needs a bucket"):
        ThanosConfig.model_validate({})
    with pytest.raises(ValidationError, match=r"set, but thanos\.longTermStorage is false"):
        ThanosConfig.model_validate(
            {"longTermStorage": False, "objectStorage": {"provider": "gcs", "bucket": "abc"}}
        )


def test_each_provider_takes_its_own_keys() -> None:
    with pytest.raises(ValidationError, match="unknown key"):
        ObjectStorageConfig.model_validate({"provider": "gcs", "bucket": "abc", "region": "x"})
    with pytest.raises(ValidationError, match="required for provider azure"):
        ObjectStorageConfig.model_validate({"provider": "azure", "container": "metrics"})
    azure = ObjectStorageConfig.model_validate(
        {"provider": "azure", "storageAccount": "acct1", "container": "metrics"}
    )
    assert azure.storage_account == "acct1"


def test_retention_keeps_data_long_enough_to_downsample() -> None:
    with pytest.raises(ValidationError, match="shorter than 40h"):
        ThanosConfig.model_validate(
            {"longTermStorage": False, "compactor": {"retention": {"raw": "1d"}}}
        )
    forever = ThanosConfig.model_validate(
        {"longTermStorage": False, "compactor": {"retention": {"raw": "0d"}}}
    )
    assert forever.compactor.retention.raw == "0d"


def test_credentials_are_exactly_those_of_the_provider() -> None:
    s3 = ObjectStorageConfig.model_validate(
        {"provider": "s3", "bucket": "abc", "endpoint": "s3.test"}
    )
    ObjectStorageCredentials(access_key="a", secret_key="s").check(s3, True)
    with pytest.raises(Exception, match="required by the s3 bucket"):
        ObjectStorageCredentials(access_key="a").check(s3, True)
    with pytest.raises(Exception, match="unknown key"):
        ObjectStorageCredentials(access_key="a", secret_key="s", storage_account_key="k").check(
            s3, True
        )
    identity = s3.model_copy(update={"auth": "workloadIdentity"})
    with pytest.raises(Exception, match="auth is workloadIdentity"):
        ObjectStorageCredentials(access_key="a").check(identity, True)
