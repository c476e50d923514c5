"""Monitoring config: receivers and their secret endpoints, group-by, retention vs volume."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from components.monitoring.config import (
    AlertmanagerConfig,
    AlertmanagerSecrets,
    PrometheusConfig,
    ReceiverConfig,
    Receivers,
)

PAGERDUTY_KEY = "0123456789abcdef0123456789abcdef"


def receivers(**types: str) -> Receivers:
    return Receivers.model_validate(
        {
            role: {"type": t, **({"channel": "#ai"} if t == "slack" else {})}
            for role, t in types.items()
        }
    )


def test_each_receiver_needing_an_endpoint_has_a_valid_one() -> None:
    secrets = AlertmanagerSecrets(paging=PAGERDUTY_KEY, ticket="https://hooks.example.test/x")
    secrets.check(receivers(paging="pagerduty", ticket="slack"))
    assert secrets.endpoints() == {
        "paging": PAGERDUTY_KEY,
        "ticket": "https://hooks.example.test/x",
    }


@pytest.mark.parametrize(
    ("types", "secrets", "message"),
    [
        ({"paging": "webhook"}, {}, "required by the webhook receiver"),
        ({}, {"paging": "https://x.test"}, "set, but alertmanager.receivers.paging.type is none"),
        ({"paging": "pagerduty"}, {"paging": "short"}, "needs a 32-character key"),
        ({"ticket": "slack"}, {"ticket": "not a url"}, r"needs an http\(s\) URL"),
    ],
)
def test_wrong_endpoints_are_refused_without_echoing_them(types, secrets, message) -> None:
    with pytest.raises(Exception, match=message) as caught:
        AlertmanagerSecrets(**secrets).check(receivers(**types))
    for value in secrets.values():
        assert value not in str(caught.value)


def test_a_slack_receiver_needs_a_channel_and_only_slack_has_one() -> None:
    with pytest.raises(ValidationError, match="required by slack"):
        ReceiverConfig.model_validate({"type": "slack"})
    with pytest.raises(ValidationError, match="slack only"):
        ReceiverConfig.model_validate({"type": "webhook", "channel": "#ai"})


def test_group_by_keeps_models_and_alert_kinds_apart() -> None:
    with pytest.raises(ValidationError, match='must contain "model_name"'):
        AlertmanagerConfig.model_validate({"groupBy": ["alertname"]})
    assert AlertmanagerConfig.model_validate({"groupBy": ["..."]}).group_by == ("...",)


def test_retention_size_must_fit_the_volume() -> None:
    with pytest.raises(ValidationError, match="does not fit in the volume"):
        PrometheusConfig.model_validate({"retentionSize": "60GiB", "storage": {"enabled": True}})
    fits = PrometheusConfig.model_validate({"retentionSize": "40GiB", "storage": {"enabled": True}})
    assert fits.retention_size == "40GiB"
    # Without a volume (emptyDir) there is nothing to compare with.
    assert PrometheusConfig.model_validate({"retentionSize": "60GiB"}).storage.enabled is False
