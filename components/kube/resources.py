"""Pulumi resources every concern creates the same way: a Secret of Pulumi secrets, a namespace
with the project's labels, and a Helm release of a pinned chart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.kube.meta import PART_OF
from components.kube.registration import Namespace
from components.versions import ChartPin


def secret(
    name: str,
    secret_name: str,
    namespace: Namespace,
    data: Mapping[str, pulumi.Input[str]],
    opts: pulumi.ResourceOptions,
) -> k8s.core.v1.Secret:
    """An Opaque Secret whose values are Pulumi secrets (never plain in state or previews)."""
    return k8s.core.v1.Secret(
        name,
        metadata=k8s.meta.v1.ObjectMetaArgs(name=secret_name, namespace=namespace.output),
        type="Opaque",
        string_data={key: pulumi.Output.secret(value) for key, value in data.items()},
        opts=opts,
    )


def project_namespace(
    name: str,
    namespace_name: str,
    concern: str,
    environment: str,
    labels: Mapping[str, str],
    opts: pulumi.ResourceOptions,
) -> Namespace:
    """A namespace with the project's labels (part-of, concern, environment) and `labels` (Pod
    Security); objects placed through the returned reference wait for it."""
    created = k8s.core.v1.Namespace(
        name,
        metadata=k8s.meta.v1.ObjectMetaArgs(
            name=namespace_name,
            labels={
                **PART_OF,
                "ai-observability/concern": concern,
                "ai-observability/environment": environment,
                **labels,
            },
        ),
        opts=opts,
    )
    return Namespace(namespace_name, created.metadata.apply(lambda m: m.name))


def pinned_release(
    name: str,
    release_name: str,
    chart: ChartPin,
    namespace: Namespace,
    values: Mapping[str, Any],
    opts: pulumi.ResourceOptions,
    **extra: Any,
) -> k8s.helm.v3.Release:
    """helm.v3.Release (Helm hooks run, unlike helm.v4.Chart) of a pinned chart with an
    explicit release name."""
    return k8s.helm.v3.Release(
        name,
        k8s.helm.v3.ReleaseArgs(
            name=release_name,
            chart=chart.name,
            version=chart.version,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=chart.repository),
            namespace=namespace.output,
            values=dict(values),
            # CRDs and first image pulls take a while on a fresh cluster.
            timeout=900,
            max_history=10,
            cleanup_on_fail=True,
            **extra,
        ),
        opts=opts,
    )
