"""What an object needs before it can start: the one ordering rule of the project. Pure.

A workload waits for the ConfigMaps, Secrets and PersistentVolumeClaims its pods mount or read,
for its ServiceAccount, and for the bindings that grant that account its permissions. Nothing
else is ordered inside a component (Kubernetes reconciles the rest); across components, a
component waits for the one that installs the CRDs of its custom resources.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Ref = tuple[str, str]
"""(kind, name) of an object."""
WORKLOADS = ("Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet")


def ref(manifest: Mapping[str, Any]) -> Ref:
    """The (kind, name) of a manifest."""
    return manifest["kind"], manifest["metadata"]["name"]


def _pod_spec(manifest: Mapping[str, Any]) -> Mapping[str, Any]:
    if manifest["kind"] in WORKLOADS:
        return manifest.get("spec", {}).get("template", {}).get("spec", {})
    return {}


def references(manifest: Mapping[str, Any]) -> list[Ref]:
    """The objects a workload's pods mount, read or run as (empty for other objects)."""
    pod = _pod_spec(manifest)
    account = pod.get("serviceAccountName") or manifest.get("spec", {}).get("serviceAccount")
    found: list[Ref] = [("ServiceAccount", account)] if account else []
    for volume in pod.get("volumes", []):
        if "configMap" in volume:
            found.append(("ConfigMap", volume["configMap"]["name"]))
        if "secret" in volume:
            found.append(("Secret", volume["secret"]["secretName"]))
        if "persistentVolumeClaim" in volume:
            found.append(("PersistentVolumeClaim", volume["persistentVolumeClaim"]["claimName"]))
    for container in [*pod.get("initContainers", []), *pod.get("containers", [])]:
        for env in container.get("env", []):
            source = env.get("valueFrom", {})
            for key, kind in (("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")):
                if key in source:
                    found.append((kind, source[key]["name"]))
        for source in container.get("envFrom", []):
            for key, kind in (("secretRef", "Secret"), ("configMapRef", "ConfigMap")):
                if key in source:
                    found.append((kind, source[key]["name"]))
    return list(dict.fromkeys(found))


def bindings(manifests: Iterable[Mapping[str, Any]]) -> dict[str, list[Ref]]:
    """ServiceAccount name -> the (Cluster)RoleBindings that grant it permissions."""
    granted: dict[str, list[Ref]] = {}
    for manifest in manifests:
        if manifest["kind"] in ("ClusterRoleBinding", "RoleBinding"):
            for subject in manifest.get("subjects", []):
                if subject["kind"] == "ServiceAccount":
                    granted.setdefault(subject["name"], []).append(ref(manifest))
    return granted


def prerequisites(manifest: Mapping[str, Any], manifests: Iterable[Mapping[str, Any]]) -> list[Ref]:
    """What must exist before this object: its references, and the bindings of its account."""
    needed = references(manifest)
    granted = bindings(manifests)
    for kind, name in list(needed):
        if kind == "ServiceAccount":
            needed += granted.get(name, [])
    return needed
