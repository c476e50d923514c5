"""What a `pulumi up` on an already deployed stack would replace: the URN of every resource and
the inputs whose change makes the Kubernetes, Helm or random provider replace it.

tests/program/deployed/<stack>.json holds these for the last release before the redesign (from
its snapshot); unlike the snapshot it is never refreshed, so every later change is measured
against what users really have deployed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.harness import Registration

DEPLOYED = Path(__file__).resolve().parents[1] / "program" / "deployed"
# Inputs a change of which replaces the resource (beyond metadata.name and metadata.namespace of
# every Kubernetes object): immutable fields, a release's identity, a password's generator.
REPLACING = {
    "kubernetes:apps/v1:Deployment": ("spec.selector",),
    "kubernetes:apps/v1:StatefulSet": (
        "spec.selector",
        "spec.serviceName",
        "spec.volumeClaimTemplates",
    ),
    "kubernetes:core/v1:Service": ("spec.clusterIP",),
    "kubernetes:core/v1:Secret": ("type",),
    "kubernetes:core/v1:PersistentVolumeClaim": ("spec.accessModes", "spec.storageClassName"),
    "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding": ("roleRef",),
    "kubernetes:helm.sh/v3:Release": ("name", "namespace", "chart", "repositoryOpts"),
    "random:index/randomPassword:RandomPassword": ("length", "special", "upper", "lower"),
}


def _dig(inputs: dict[str, Any], path: str) -> Any:
    node: Any = inputs
    for key in path.split("."):
        node = node.get(key) if isinstance(node, dict) else None
    return node


def replacing_inputs(type_: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """The inputs of a resource whose change would replace it."""
    paths = REPLACING.get(type_, ())
    if type_.startswith("kubernetes:") and not type_.startswith("kubernetes:helm.sh"):
        paths = ("metadata.name", "metadata.namespace", *paths)
    return {path: _dig(inputs, path) for path in paths}


def deployed(stack: str) -> dict[str, dict[str, Any]]:
    """URN -> {type, replacing inputs} of the stack as released before the redesign."""
    return json.loads((DEPLOYED / f"{stack}.json").read_text())


def alias_urns(resource: Registration) -> set[str]:
    """The URNs a resource's aliases stand for, a spec resolved against its (former) parent the
    way the mock monitor builds URNs (pulumi.runtime.mocks.MockMonitor.make_urn)."""
    urns = set()
    for alias in resource.aliases:
        if isinstance(alias, str):
            urns.add(alias)
            continue
        parent = "" if alias["noParent"] else alias["parentUrn"] or resource.parent
        type_ = alias["type"] or resource.type
        if parent:
            type_ = parent.split("::")[2].split("$")[-1] + "$" + type_
        stack_and_project = resource.urn.split("::")[:2]
        urns.add("::".join([*stack_and_project, type_, alias["name"] or resource.name]))
    return urns
