"""The Kubernetes provider every resource of the stack goes through."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.config import StackConfig


def cluster_provider(cfg: StackConfig) -> k8s.Provider:
    """A provider pinned to the stack's kubeconfig context, with server-side apply."""
    return k8s.Provider(
        "kubernetes",
        k8s.ProviderArgs(context=cfg.kube_context, enable_server_side_apply=True),
        opts=pulumi.ResourceOptions(),
    )
