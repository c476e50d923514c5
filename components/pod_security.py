"""Security contexts every workload of the stack uses. Pure: no pulumi import."""

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
