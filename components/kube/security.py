"""Security contexts and Pod Security admission labels. Pure: no pulumi import."""

from __future__ import annotations

from typing import Any


def pod_security_context(user: int) -> dict[str, Any]:
    """Non-root pod running as user (and group, fsGroup) with the runtime's seccomp profile."""
    return {
        "runAsNonRoot": True,
        "runAsUser": user,
        "runAsGroup": user,
        "fsGroup": user,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def container_security_context(read_only_root: bool = True) -> dict[str, Any]:
    """No privilege escalation, no capabilities, read-only root filesystem unless told."""
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": read_only_root,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
    }


def pod_security_labels(enforce: str, audit: str = "restricted") -> dict[str, str]:
    """Pod Security admission labels: enforce a level; audit and warn against `audit`."""
    return {
        "pod-security.kubernetes.io/enforce": enforce,
        "pod-security.kubernetes.io/audit": audit,
        "pod-security.kubernetes.io/warn": audit,
    }
