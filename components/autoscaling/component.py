"""Autoscaling: KEDA in its own namespace and one ScaledObject per autoscaled model."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components import versions
from components.autoscaling.manifests import scaled_objects
from components.autoscaling.values import RELEASE_NAME, keda_values
from components.inference.config import InferenceConfig
from components.kube.registration import Namespace, child_name, manifest_name, register
from components.kube.resources import pinned_release, project_namespace
from components.kube.security import pod_security_labels


@dataclass(frozen=True)
class AutoscalingArgs:
    """The models, KEDA's namespace (created here), where the models run, and the in-cluster
    URL of the Prometheus API the triggers query."""

    inference: InferenceConfig
    namespace: str
    environment: str
    inference_namespace: Namespace
    server_address: str


class Autoscaling(pulumi.ComponentResource):
    """The KEDA namespace (restricted) and release, and the models' ScaledObjects."""

    namespace: Namespace
    release: k8s.helm.v3.Release

    def __init__(
        self, name: str, args: AutoscalingArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:autoscaling:Autoscaling", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.namespace = project_namespace(
            child_name(name, "namespace"),
            args.namespace,
            "autoscaling",
            args.environment,
            pod_security_labels("restricted"),
            child,
        )
        keda = child_name(name, "keda")
        self.release = pinned_release(
            keda, RELEASE_NAME, versions.KEDA, self.namespace, keda_values(), child
        )
        models = args.inference.models
        manifests = scaled_objects(models, args.inference_namespace.name, args.server_address)
        # The chart installs the ScaledObject CRD and the webhook that validates them.
        register(
            self,
            manifests,
            lambda m: manifest_name(name, m),
            [args.inference_namespace],
            crds={"ScaledObject": self.release},
        )
        self.scaled_models = [m["metadata"]["name"] for m in manifests]
        self.register_outputs(
            {"namespace": self.namespace.output, "scaledModels": self.scaled_models}
        )
