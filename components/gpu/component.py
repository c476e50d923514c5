"""GPU telemetry: the NVIDIA GPU Operator with the DCGM exporter and our counters list."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components import versions
from components.gpu.config import GpuConfig
from components.gpu.counters import COUNTERS_KEY, counters_csv
from components.gpu.values import COUNTERS_CONFIGMAP, gpu_operator_values
from components.kube.meta import PART_OF
from components.kube.objects import config_map
from components.kube.registration import Namespace, child_name, register
from components.kube.resources import pinned_release, project_namespace
from components.kube.security import pod_security_labels

RELEASE_NAME = "gpu-operator"


@dataclass(frozen=True)
class GpuTelemetryArgs:
    """The GPU config, the namespace to create, and the environment label."""

    config: GpuConfig
    namespace: str
    environment: str


class GpuTelemetry(pulumi.ComponentResource):
    """Namespace (Pod Security: privileged), counters ConfigMap, and the gpu-operator release."""

    namespace: Namespace
    release: k8s.helm.v3.Release

    def __init__(
        self, name: str, args: GpuTelemetryArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:gpu:GpuTelemetry", name, None, opts)
        self.namespace = project_namespace(
            child_name(name, "namespace"),
            args.namespace,
            "gpu-operator",
            args.environment,
            # The driver, toolkit and exporter pods are privileged by design.
            pod_security_labels("privileged", audit="privileged"),
            pulumi.ResourceOptions(parent=self),
        )
        counters = config_map(
            COUNTERS_CONFIGMAP, args.namespace, PART_OF, {COUNTERS_KEY: counters_csv()}
        )
        registered = register(
            self, [counters], lambda m: child_name(name, "dcgm-counters"), [self.namespace]
        )
        self.release = pinned_release(
            child_name(name, "gpu-operator"),
            RELEASE_NAME,
            versions.GPU_OPERATOR,
            self.namespace,
            gpu_operator_values(args.config),
            # The operator mounts the counters file into the exporter pods.
            pulumi.ResourceOptions(parent=self, depends_on=list(registered.values())),
            # NVIDIA's upgrade notes for operator.upgradeCRD.
            disable_openapi_validation=True,
        )
        self.register_outputs(
            {"namespace": self.namespace.output, "releaseStatus": self.release.status}
        )
