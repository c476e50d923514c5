"""The Kubernetes provider every resource of the stack goes through."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s


def cluster_provider(kube_context: str) -> k8s.Provider:
    """A provider pinned to the stack's kubeconfig context, with server-side apply."""
    return k8s.Provider(
        "kubernetes",
        k8s.ProviderArgs(context=kube_context, enable_server_side_apply=True),
        opts=pulumi.ResourceOptions(),
    )
