"""The Grafana password and the receiver endpoints never appear in plain text in any input."""

from __future__ import annotations

import base64

from tests.support.harness import (
    FAKE_GRAFANA_PASSWORD,
    FAKE_INGEST_TOKEN,
    ProgramRun,
    iter_strings,
    stack_secrets,
)


def secret_values(stack: str) -> list[str]:
    return [FAKE_GRAFANA_PASSWORD, FAKE_INGEST_TOKEN, *stack_secrets(stack).values()]


def test_secrets_only_travel_inside_secret_values(stack_run: ProgramRun) -> None:
    secrets = secret_values(stack_run.stack)
    forms = {s: [s, base64.b64encode(s.encode()).decode()] for s in secrets}
    seen_inside_secret: set[str] = set()
    for resource in stack_run.resources:
        for text, inside_secret in iter_strings(resource.inputs):
            for secret, encodings in forms.items():
                if any(form in text for form in encodings):
                    assert inside_secret, f"{secret[:6]}... in plain text in {resource.name}"
                    seen_inside_secret.add(secret)
    # The check above is only meaningful if the secrets did reach the cluster, as secrets.
    assert seen_inside_secret == set(secrets)


def test_generated_credentials_are_secret_outputs(stack_run: ProgramRun) -> None:
    assert stack_run.outputs["grafanaAdminPassword"] == FAKE_GRAFANA_PASSWORD
    assert stack_run.outputs["exporterIngestToken"] == FAKE_INGEST_TOKEN
    assert {"grafanaAdminPassword", "exporterIngestToken"} <= stack_run.secret_outputs


def test_helm_values_hold_no_secret_at_all(stack_run: ProgramRun) -> None:
    values = stack_run.one(
        "kubernetes:helm.sh/v3:Release", "monitoring-kube-prometheus-stack"
    ).inputs["values"]
    flat = [text for text, _ in iter_strings(values)]
    for secret in secret_values(stack_run.stack):
        assert not any(secret in text for text in flat)
    assert "adminPassword" not in values["grafana"]
