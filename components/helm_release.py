"""A Helm release of a pinned chart, with the settings every release of the stack shares."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.versions import ChartPin


def pinned_release(
    resource_name: str,
    release_name: str,
    chart: ChartPin,
    namespace: pulumi.Input[str],
    values: dict[str, Any],
    opts: pulumi.ResourceOptions,
    **extra: Any,
) -> k8s.helm.v3.Release:
    """helm.v3.Release (Helm hooks run, unlike helm.v4.Chart) with an explicit release name."""
    return k8s.helm.v3.Release(
        resource_name,
        k8s.helm.v3.ReleaseArgs(
            name=release_name,
            chart=chart.name,
            version=chart.version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=chart.repository),
            namespace=namespace,
            values=values,
            # CRDs and first image pulls take a while on a fresh cluster.
            timeout=900,
            max_history=10,
            cleanup_on_fail=True,
            **extra,
        ),
        opts=opts,
    )
