"""`pulumi up` on a stack deployed before the redesign replaces nothing: every deployed URN is
still registered (or aliased), with the inputs whose change would replace it unchanged."""

from __future__ import annotations

import pytest

from tests.support.deployed import DEPLOYED, alias_urns, deployed, replacing_inputs
from tests.support.harness import STACKS, Registration, run_program
from tests.support.programs import program_run

# Removed on purpose, with the reason; a removal deletes, it never replaces.
REMOVED = {
    "dev": {
        "urn:pulumi:dev::ai-observability::ai-observability:hardening:NetworkPolicies$kubernetes:"
        "networking.k8s.io/v1:NetworkPolicy::network-policies-monitoring-allow-thanos-store": "dev has no bucket, so no Store Gateway to allow traffic to",
    },
    "staging": {},
    "prod": {},
}


# The stacks deployed before the redesign (a stack added since has nothing to keep).
DEPLOYED_STACKS = [s for s in STACKS if (DEPLOYED / f"{s}.json").exists()]


def registered_or_aliased(stack: str) -> dict[str, Registration]:
    """URN -> the resource registered under it now, or aliasing it."""
    run = program_run(stack)
    current = {r.urn: r for r in run.resources}
    for resource in run.resources:
        current.update(dict.fromkeys(alias_urns(resource), resource))
    return current


@pytest.mark.parametrize("stack", DEPLOYED_STACKS)
def test_every_deployed_resource_is_still_registered_or_aliased(stack: str) -> None:
    removed = REMOVED.get(stack, {})
    missing = set(deployed(stack)) - set(registered_or_aliased(stack)) - set(removed)
    assert not missing, f"deleted or renamed without an alias: {sorted(missing)}"
    assert set(removed) <= set(deployed(stack))  # the exceptions are real resources


@pytest.mark.parametrize("stack", DEPLOYED_STACKS)
def test_no_deployed_resource_is_replaced(stack: str) -> None:
    current = registered_or_aliased(stack)
    for urn, before in deployed(stack).items():
        if urn in REMOVED.get(stack, {}):
            continue
        now = current[urn]
        assert now.type == before["type"], urn
        assert replacing_inputs(now.type, now.inputs) == before["replacing"], urn


def test_an_alias_spec_resolves_to_the_old_urn() -> None:
    """Control for the test above: a child moved to another component keeps its old URN
    through an alias naming its former parent."""
    old_parent = "urn:pulumi:prod::ai-observability::ai-observability:hardening:NetworkPolicies::np"
    moved = Registration(
        type="kubernetes:networking.k8s.io/v1:NetworkPolicy",
        name="np-monitoring-default-deny-ingress",
        urn="urn:pulumi:prod::ai-observability::ai-observability:monitoring:MonitoringCore$"
        "kubernetes:networking.k8s.io/v1:NetworkPolicy::np-monitoring-default-deny-ingress",
        custom=True,
        inputs={},
        parent="urn:pulumi:prod::ai-observability::ai-observability:monitoring:MonitoringCore::m",
        provider="",
        dependencies=[],
        protect=False,
        retain_on_delete=False,
        aliases=[{"name": "", "type": "", "parentUrn": old_parent, "noParent": False}],
    )
    assert alias_urns(moved) == {
        "urn:pulumi:prod::ai-observability::ai-observability:hardening:NetworkPolicies$"
        "kubernetes:networking.k8s.io/v1:NetworkPolicy::np-monitoring-default-deny-ingress"
    }


def test_the_harness_records_aliases_as_the_engine_receives_them(tmp_path) -> None:
    """A real pulumi.Alias on a moved child reaches the mock monitor and resolves to the URN
    the child had under its former parent."""
    program = tmp_path / "__main__.py"
    program.write_text(
        "import pulumi\n"
        "import pulumi_kubernetes as k8s\n"
        "old = pulumi.ComponentResource('ai-observability:hardening:NetworkPolicies', 'np')\n"
        "new = pulumi.ComponentResource('ai-observability:monitoring:MonitoringCore', 'm')\n"
        "k8s.core.v1.ConfigMap('np-cm', metadata={'name': 'cm'},\n"
        "    opts=pulumi.ResourceOptions(parent=new, aliases=[pulumi.Alias(parent=old)]))\n"
    )
    run = run_program("dev", program_path=program)
    moved = run.one("kubernetes:core/v1:ConfigMap")
    assert "MonitoringCore$" in moved.urn
    assert alias_urns(moved) == {
        "urn:pulumi:dev::ai-observability::ai-observability:hardening:NetworkPolicies$"
        "kubernetes:core/v1:ConfigMap::np-cm"
    }
