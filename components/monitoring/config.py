"""Config of the monitoring core: ai-observability:prometheus, :alertmanager (and its secrets),
:grafana. Pure."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import model_validator

from components.config.schema import Items, PositiveInt, Section, fail, secret
from components.config.units import ByteSize, Duration, matching, parse_byte_size, parse_quantity
from components.config.workload import Resources, Storage, resources

ReceiverType = Literal["none", "webhook", "slack", "pagerduty"]
SlackChannel = Annotated[
    str,
    matching(re.compile(r"^[#@]?[a-z0-9][a-z0-9._-]{0,79}$"), "a Slack channel like #ai-alerts"),
]
Login = Annotated[
    str, matching(re.compile(r"^[A-Za-z0-9_.@-]{1,64}$"), "a login name (letters, digits, _ . @ -)")
]


class PrometheusConfig(Section):
    """Prometheus inside kube-prometheus-stack."""

    replicas: PositiveInt = 1
    """Prometheus replicas (soft anti-affinity spreads them)."""
    retention: Duration = "15d"
    """How long Prometheus keeps samples (`y w d h m s ms`)."""
    retention_size: ByteSize | None = None
    """Size cap (`B KB MB GB TB`, base 2); keep it at about 80% of the volume."""
    scrape_interval: Duration = "30s"
    """Default scrape interval."""
    evaluation_interval: Duration = "30s"
    """Rule evaluation interval."""
    storage: Storage = Storage(enabled=False, size="50Gi")
    """A PVC per replica (emptyDir when disabled)."""
    resources: Resources = resources("500m", "2Gi", "4Gi")
    """`{requests: {cpu, memory}, limits: {memory, cpu?}}`; a memory limit is always set."""
    node_exporter: bool = True
    """Deploy node-exporter (needs the host's network and filesystem)."""
    scrape_control_plane: bool = False
    """Scrape controller-manager, scheduler, etcd, kube-proxy (managed clusters hide them)."""

    @model_validator(mode="after")
    def _retention_fits_the_volume(self) -> PrometheusConfig:
        size, volume = self.retention_size, self.storage
        if size and volume.enabled and parse_byte_size(size) >= parse_quantity(volume.size):
            raise fail(
                f"{size} does not fit in the volume (prometheus.storage.size = {volume.size}); "
                "keep it at about 80% of the volume so the WAL and compaction have room",
                "retentionSize",
            )
        return self


class GrafanaConfig(Section):
    """Grafana inside kube-prometheus-stack."""

    admin_user: Login = "admin"
    """Grafana admin login (the password is generated)."""
    persistence: Storage = Storage(enabled=False, size="10Gi")
    """A PVC for Grafana's database."""
    resources: Resources = resources("100m", "256Mi", "512Mi")
    """Grafana's container resources."""


class ReceiverConfig(Section):
    """Where one class of alerts goes; its endpoint is a secret (alertmanagerSecrets)."""

    type: ReceiverType = "none"
    """`none`, `webhook`, `slack` or `pagerduty`."""
    channel: SlackChannel | None = None
    """Slack channel (slack only, required there)."""

    @model_validator(mode="after")
    def _channel_for_slack_only(self) -> ReceiverConfig:
        if self.type == "slack" and self.channel is None:
            raise fail("required for a slack receiver, e.g. #ai-alerts", "channel")
        if self.type != "slack" and self.channel is not None:
            raise fail(f"only a slack receiver has a channel, not {self.type}", "channel")
        return self

    @property
    def needs_secret(self) -> bool:
        """Whether this receiver needs an endpoint secret."""
        return self.type != "none"


class Receivers(Section):
    """A receiver per role: paging (critical), ticket (warning), heartbeat (Watchdog), default."""

    paging: ReceiverConfig = ReceiverConfig()
    """Critical alerts."""
    ticket: ReceiverConfig = ReceiverConfig()
    """Warnings."""
    heartbeat: ReceiverConfig = ReceiverConfig()
    """The Watchdog dead man's switch."""
    default: ReceiverConfig = ReceiverConfig()
    """Everything else."""


class AlertmanagerConfig(Section):
    """Alertmanager routing and its pods."""

    replicas: PositiveInt = 1
    """Alertmanager replicas."""
    group_by: Items[str] = ("alertname", "namespace", "model_name")
    """Must contain `alertname` and `model_name` (or be `["..."]`)."""
    group_wait: Duration = "30s"
    """Route timing: wait before the first notification of a group."""
    group_interval: Duration = "5m"
    """Route timing: wait before notifying about new alerts of a group."""
    repeat_interval: Duration = "4h"
    """Route timing: repeat a firing alert."""
    heartbeat_repeat_interval: Duration = "1m"
    """How often Watchdog reaches the heartbeat receiver."""
    receivers: Receivers = Receivers()
    """Receiver per role: `{type, channel}`."""
    resources: Resources = resources("50m", "64Mi", "256Mi")
    """Alertmanager's container resources."""

    @model_validator(mode="after")
    def _groups_keep_models_apart(self) -> AlertmanagerConfig:
        if "..." not in self.group_by:
            for label, what in (("alertname", "kinds"), ("model_name", "models")):
                if label not in self.group_by:
                    raise fail(
                        f'must contain "{label}" so that alerts of different {what} are not '
                        "grouped together",
                        "groupBy",
                    )
        return self


class AlertmanagerSecrets(Section):
    """Endpoint of each receiver whose type is not none (a URL, or a PagerDuty key)."""

    paging: str | None = secret()
    """Endpoint of the paging receiver."""
    ticket: str | None = secret()
    """Endpoint of the ticket receiver."""
    heartbeat: str | None = secret()
    """Endpoint of the heartbeat receiver."""
    default: str | None = secret()
    """Endpoint of the default receiver."""

    def check(self, receivers: Receivers) -> None:
        """Each receiver that needs an endpoint has a valid one, and no other has one."""
        for role in Receivers.model_fields:
            receiver, value = getattr(receivers, role), getattr(self, role)
            if not receiver.needs_secret:
                if value is not None:
                    raise fail(
                        f"set, but alertmanager.receivers.{role}.type is none; remove it or "
                        "choose a receiver type",
                        f"alertmanagerSecrets.{role}",
                    )
            elif value is None or not value.strip():
                raise fail(
                    f"required by the {receiver.type} receiver alertmanager.receivers.{role}; "
                    f"set it with `pulumi config set --secret --path alertmanagerSecrets.{role} "
                    "<value>`",
                    f"alertmanagerSecrets.{role}",
                )
            elif receiver.type in ("webhook", "slack") and not re.match(r"^https?://\S+$", value):
                # Never echo the value: it is a secret.
                raise fail(
                    f"the {receiver.type} receiver needs an http(s) URL",
                    f"alertmanagerSecrets.{role}",
                )
            elif receiver.type == "pagerduty" and not re.match(r"^[A-Za-z0-9]{32}$", value):
                raise fail(
                    "expected a 32-character PagerDuty integration key",
                    f"alertmanagerSecrets.{role}",
                )

    def endpoints(self) -> dict[str, str]:
        """Role -> endpoint of every receiver that has one."""
        return {k: v for k, v in self.model_dump().items() if v is not None}
