"""The model servers (vLLM or the simulator), their monitoring, and the dev load generator."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.config import StackConfig
from components.inference_manifests import (
    HF_TOKEN_KEY,
    HF_TOKEN_SECRET,
    inference_manifests,
    mounted_refs,
)
from components.k8s_objects import register_manifest, resource_name

MOUNTED_KINDS = ("PersistentVolumeClaim", "ConfigMap")


@dataclass(frozen=True)
class InferenceArgs:
    """The validated stack config and the inference namespace."""

    config: StackConfig
    namespace: pulumi.Input[str]


class Inference(pulumi.ComponentResource):
    """One Deployment, Service and ServiceMonitor per model, plus the optional load generator."""

    def __init__(
        self, name: str, args: InferenceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:inference:Inference", name, None, opts)
        cfg = args.config
        prerequisites: list[pulumi.Resource] = []
        if cfg.huggingface_token:
            prerequisites.append(
                k8s.core.v1.Secret(
                    f"{name}-huggingface-token",
                    metadata=k8s.meta.v1.ObjectMetaArgs(
                        name=HF_TOKEN_SECRET, namespace=args.namespace
                    ),
                    type="Opaque",
                    string_data={HF_TOKEN_KEY: pulumi.Output.secret(cfg.huggingface_token)},
                    opts=pulumi.ResourceOptions(parent=self),
                )
            )
        manifests = inference_manifests(cfg)
        # Claims and ConfigMaps first: a workload waits only for what it mounts, so adding a
        # model adds a constant number of dependencies rather than one per existing model.
        mounted: dict[tuple[str, str], pulumi.Resource] = {}
        for manifest in (m for m in manifests if m["kind"] in MOUNTED_KINDS):
            mounted[(manifest["kind"], manifest["metadata"]["name"])] = register_manifest(
                resource_name(name, manifest), manifest, pulumi.ResourceOptions(parent=self)
            )
        for manifest in (m for m in manifests if m["kind"] not in MOUNTED_KINDS):
            needs = [mounted[ref] for ref in mounted_refs(manifest) if ref in mounted]
            register_manifest(
                resource_name(name, manifest),
                manifest,
                pulumi.ResourceOptions(parent=self, depends_on=[*prerequisites, *needs]),
            )
        self.models = [m.name for m in cfg.inference.models]
        self.register_outputs({"models": self.models})
