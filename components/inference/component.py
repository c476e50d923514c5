"""The model servers (vLLM or the simulator), their monitoring, and the dev load generator."""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi

from components.inference.config import InferenceConfig
from components.inference.loadgen import load_generator_manifests
from components.inference.manifests import HF_TOKEN_KEY, HF_TOKEN_SECRET, Serving, model_manifests
from components.kube.registration import Namespace, child_name, manifest_name, register
from components.kube.resources import secret


@dataclass(frozen=True)
class InferenceArgs:
    """The models, what their servers share, the token for gated weights, the namespace."""

    config: InferenceConfig
    serving: Serving
    namespace: Namespace
    hugging_face_token: str | None = field(default=None, repr=False)


class Inference(pulumi.ComponentResource):
    """One Deployment, Service and ServiceMonitor per model, plus the optional load generator."""

    def __init__(
        self, name: str, args: InferenceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__("ai-observability:inference:Inference", name, None, opts)
        known = {}
        if args.hugging_face_token:
            known[("Secret", HF_TOKEN_SECRET)] = secret(
                child_name(name, "huggingface-token"),
                HF_TOKEN_SECRET,
                args.namespace,
                {HF_TOKEN_KEY: args.hugging_face_token},
                pulumi.ResourceOptions(parent=self),
            )
        cfg, names = args.config, [m.name for m in args.config.models]
        manifests = [m for model in cfg.models for m in model_manifests(model, args.serving)]
        manifests += load_generator_manifests(cfg.load_generator, names, args.namespace.name)
        # A workload waits only for what it mounts or reads, so adding a model adds a constant
        # number of dependencies rather than one per existing model.
        register(self, manifests, lambda m: manifest_name(name, m), [args.namespace], known)
        self.models = names
        self.register_outputs({"models": self.models})
