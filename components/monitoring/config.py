"""Config of ai-observability:prometheus, :alertmanager (and its secrets) and :grafana. Pure."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import model_validator

from components.config.schema import Items, PositiveInt, Section, doc, fail, secret
from components.config.units import ByteSize, Duration, matching, parse_byte_size, parse_quantity
from components.config.workload import Resources, Storage, resources

SlackChannel = Annotated[str, matching(r"[#@]?[a-z0-9][a-z0-9._-]{0,79}", "a channel like #ai")]
Login = Annotated[str, matching(r"[A-Za-z0-9_.@-]{1,64}", "a login (letters, digits, _ . @ -)")]
GROUP_BY = ("alertname", "namespace", "model_name")
URL = (r"https?://\S+", "an http(s) URL")
ENDPOINTS = {"webhook": URL, "slack": URL, "pagerduty": (r"[A-Za-z0-9]{32}", "a 32-character key")}


class PrometheusConfig(Section):
    """Prometheus inside kube-prometheus-stack."""

    replicas: PositiveInt = doc(1, "Prometheus replicas (soft anti-affinity spreads them)")
    retention: Duration = doc("15d", "how long samples are kept (`y w d h m s ms`)")
    retention_size: ByteSize | None = doc(None, "size cap (`GiB`...); about 80% of the volume")
    scrape_interval: Duration = doc("30s", "default scrape interval")
    evaluation_interval: Duration = doc("30s", "rule evaluation interval")
    storage: Storage = doc(Storage(enabled=False, size="50Gi"), "a PVC per replica")
    resources: Resources = doc(resources("500m", "2Gi", "4Gi"), "container resources")
    node_exporter: bool = doc(True, "deploy node-exporter (host network and filesystem)")
    scrape_control_plane: bool = doc(False, "scrape controller-manager, scheduler, etcd, proxy")

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

    admin_user: Login = doc("admin", "Grafana admin login (the password is generated)")
    persistence: Storage = doc(Storage(enabled=False, size="10Gi"), "a PVC for Grafana's database")
    resources: Resources = doc(resources("100m", "256Mi", "512Mi"), "container resources")


class ReceiverConfig(Section):
    """Where one class of alerts goes; its endpoint is a secret (alertmanagerSecrets)."""

    type: Literal["none", "webhook", "slack", "pagerduty"] = doc("none", "receiver type")
    channel: SlackChannel | None = doc(None, "Slack channel (slack only, required there)")

    @model_validator(mode="after")
    def _channel_for_slack_only(self) -> ReceiverConfig:
        if (self.type == "slack") != (self.channel is not None):
            slack = self.type == "slack"
            raise fail("required by slack, e.g. #ai-alerts" if slack else "slack only", "channel")
        return self

    @property
    def needs_secret(self) -> bool:
        """Whether this receiver needs an endpoint secret."""
        return self.type != "none"


class Receivers(Section):
    """A receiver per role."""

    paging: ReceiverConfig = doc(ReceiverConfig(), "critical alerts")
    ticket: ReceiverConfig = doc(ReceiverConfig(), "warnings")
    heartbeat: ReceiverConfig = doc(ReceiverConfig(), "the Watchdog dead man's switch")
    default: ReceiverConfig = doc(ReceiverConfig(), "everything else")


class AlertmanagerConfig(Section):
    """Alertmanager routing and its pods."""

    replicas: PositiveInt = doc(1, "Alertmanager replicas")
    group_by: Items[str] = doc(GROUP_BY, "keeps alertname and model_name, or is [...]")
    group_wait: Duration = doc("30s", "wait before the first notification of a group")
    group_interval: Duration = doc("5m", "wait before notifying about new alerts of a group")
    repeat_interval: Duration = doc("4h", "repeat a firing alert")
    heartbeat_repeat_interval: Duration = doc("1m", "how often Watchdog reaches the heartbeat")
    receivers: Receivers = doc(Receivers(), "`{type, channel}` per role")
    resources: Resources = doc(resources("50m", "64Mi", "256Mi"), "container resources")

    @model_validator(mode="after")
    def _groups_keep_models_apart(self) -> AlertmanagerConfig:
        for label, what in (("alertname", "kinds"), ("model_name", "models")):
            if "..." not in self.group_by and label not in self.group_by:
                message = f'must contain "{label}" so that alerts of different {what}'
                raise fail(f"{message} are not grouped together", "groupBy")
        return self


class AlertmanagerSecrets(Section):
    """Endpoint of each receiver whose type is not none (a URL, or a PagerDuty key)."""

    paging: str | None = secret("endpoint of the paging receiver")
    ticket: str | None = secret("endpoint of the ticket receiver")
    heartbeat: str | None = secret("endpoint of the heartbeat receiver")
    default: str | None = secret("endpoint of the default receiver")

    def check(self, receivers: Receivers) -> None:
        """Each receiver that needs an endpoint has a valid one, and no other has one."""
        for role, receiver in receivers:
            value, at = getattr(self, role), f"alertmanagerSecrets.{role}"
            if not receiver.needs_secret and value is not None:
                raise fail(f"set, but alertmanager.receivers.{role}.type is none; remove it", at)
            if receiver.needs_secret and not (value or "").strip():
                how = f"`pulumi config set --secret --path {at} <value>`"
                raise fail(f"required by the {receiver.type} receiver; set it with {how}", at)
            form, name = ENDPOINTS.get(receiver.type, ("", ""))
            if receiver.needs_secret and not re.fullmatch(form, value):
                raise fail(f"the {receiver.type} receiver needs {name}", at)  # never echo a secret

    def endpoints(self) -> dict[str, str]:
        """Role -> endpoint of every receiver that has one."""
        return {k: v for k, v in self.model_dump().items() if v is not None}
