"""The Grafana password and the receiver endpoints never appear in plain text in any input."""

from __future__ import annotations

import base64

import pytest

from scripts.stack_secrets import documented_secrets, needed_secrets
from tests.support.harness import (
    FAKE_GRAFANA_PASSWORD,
    FAKE_INGEST_TOKEN,
    GLOBAL_STACKS,
    STACKS,
    ProgramRun,
    iter_strings,
    stack_secrets,
)
from tests.support.paths import ROOT


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


@pytest.mark.parametrize("stack", STACKS)
def test_every_secret_a_stack_needs_is_documented_in_its_file(stack: str) -> None:
    """The stack file's comments tell the user every secret to set (the harness sets those)."""
    assert set(needed_secrets(stack)) <= set(documented_secrets(stack))


def test_the_stacks_are_the_stack_files() -> None:
    stacks = set(STACKS) | set(GLOBAL_STACKS)
    assert stacks == {p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml")}
    assert set(GLOBAL_STACKS) == {"global"}
    assert {"dev", "staging", "prod"} <= set(STACKS)
