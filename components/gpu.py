"""GPU telemetry: the NVIDIA GPU Operator with the DCGM exporter and our counters list."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components import versions
from components.config import StackConfig
from components.dcgm_counters import COUNTERS_KEY, counters_csv
from components.gpu_values import COUNTERS_CONFIGMAP, gpu_operator_values
from components.helm_release import pinned_release
from components.namespaces import project_namespace

RELEASE_NAME = "gpu-operator"


@dataclass(frozen=True)
class GpuTelemetryArgs:
    """The validated stack config."""

    config: StackConfig


class GpuTelemetry(pulumi.ComponentResource):
    """Namespace (Pod Security: privileged), counters ConfigMap, and the gpu-operator release."""

    namespace: pulumi.Output[str]
    release: k8s.helm.v3.Release

    def __init__(
        self, name: str, args: GpuTelemetryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:gpu:GpuTelemetry", name, None, opts)
        cfg = args.config
        child = pulumi.ResourceOptions(parent=self)
        namespace = project_namespace(
            f"{name}-namespace",
            cfg.namespaces.gpu_operator,
            "gpu-operator",
            cfg.environment,
            # The driver, toolkit and exporter pods are privileged by design.
            {
                "pod-security.kubernetes.io/enforce": "privileged",
                "pod-security.kubernetes.io/audit": "privileged",
                "pod-security.kubernetes.io/warn": "privileged",
            },
            child,
        )
        self.namespace = namespace.metadata.apply(lambda m: m.name)
        counters = k8s.core.v1.ConfigMap(
            f"{name}-dcgm-counters",
            metadata=k8s.meta.v1.ObjectMetaArgs(name=COUNTERS_CONFIGMAP, namespace=self.namespace),
            data={COUNTERS_KEY: counters_csv()},
            opts=child,
        )
        self.release = pinned_release(
            f"{name}-gpu-operator",
            RELEASE_NAME,
            versions.GPU_OPERATOR,
            self.namespace,
            gpu_operator_values(cfg.gpu),
            pulumi.ResourceOptions(parent=self, depends_on=[counters]),
            # NVIDIA's upgrade notes for operator.upgradeCRD.
            disable_openapi_validation=True,
        )
        self.register_outputs({"namespace": self.namespace, "releaseStatus": self.release.status})
