"""The model servers (vLLM or the simulator), their monitoring, and the dev load generator."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from components.inference.config import InferenceConfig
from components.inference.loadgen import load_generator_manifests
from components.inference.manifests import (
    HF_TOKEN_KEY,
    HF_TOKEN_SECRET,
    Serving,
    model_manifests,
    mounted_refs,
)
from components.kube.registration import child_name, manifest_name, register_manifest, secret

MOUNTED_KINDS = ("PersistentVolumeClaim", "ConfigMap")


@dataclass(frozen=True)
class InferenceArgs:
    """The models, what their servers share, the token for gated weights, the namespace."""

    config: InferenceConfig
    serving: Serving
    namespace: pulumi.Input[str]
    hugging_face_token: str | None = field(default=None, repr=False)


class Inference(pulumi.ComponentResource):
    """One Deployment, Service and ServiceMonitor per model, plus the optional load generator."""

    def __init__(
        self, name: str, args: InferenceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:inference:Inference", name, None, opts)
        prerequisites: list[pulumi.Resource] = []
        if args.hugging_face_token:
            token = secret(
                child_name(name, "huggingface-token"),
                HF_TOKEN_SECRET,
                args.namespace,
                {HF_TOKEN_KEY: args.hugging_face_token},
                pulumi.ResourceOptions(parent=self),
            )
            prerequisites.append(token)
        cfg, serving = args.config, args.serving
        manifests = [m for model in cfg.models for m in model_manifests(model, serving)]
        manifests += load_generator_manifests(
            cfg.load_generator, [m.name for m in cfg.models], serving.namespace
        )
        # Claims and ConfigMaps first: a workload waits only for what it mounts, so adding a
        # model adds a constant number of dependencies rather than one per existing model.
        mounted: dict[tuple[str, str], pulumi.Resource] = {}
        for manifest in (m for m in manifests if m["kind"] in MOUNTED_KINDS):
            mounted[(manifest["kind"], manifest["metadata"]["name"])] = register_manifest(
                manifest_name(name, manifest), manifest, pulumi.ResourceOptions(parent=self)
            )
        for manifest in (m for m in manifests if m["kind"] not in MOUNTED_KINDS):
            needs = [mounted[ref] for ref in mounted_refs(manifest) if ref in mounted]
            register_manifest(
                manifest_name(name, manifest),
                manifest,
                pulumi.ResourceOptions(parent=self, depends_on=[*prerequisites, *needs]),
            )
        self.models = [m.name for m in cfg.models]
        self.register_outputs({"models": self.models})
