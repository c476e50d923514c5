"""Config of the model servers and the dev load generator (ai-observability:inference). Pure."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from components.autoscaling.config import ModelAutoscaling
from components.config.schema import Items, PositiveInt, Section, deep_merge, doc, fail, unique
from components.config.units import Duration, Quantity, matching, parse_duration, parse_quantity
from components.config.workload import Resources, Volume, resources

Backend = Literal["vllm", "simulator"]
VLLM_ONLY = ("huggingFaceId", "gpus", "gpuMemoryUtilization", "extraArgs", "modelCache", "shmSize")
VLLM_ONLY += ("prefixCache", "speculative", "detailedTraces", "loraAdapters")
SIMULATOR_ONLY = ("simulator",)
DEFAULT_RESOURCES = {"vllm": resources("4", "16Gi", "32Gi")}
DEFAULT_RESOURCES["simulator"] = resources("50m", "64Mi", "256Mi")
# Flags set from the config; extraArgs may not repeat them.
MANAGED_FLAGS = {"--model", "--served-model-name", "--tensor-parallel-size", "--max-model-len"}
MANAGED_FLAGS |= {"--gpu-memory-utilization", "--port", "--host", "--otlp-traces-endpoint"}
MANAGED_FLAGS |= {"--disable-log-stats", "--no-enable-prefix-caching"}
MANAGED_FLAGS |= {
    "--speculative-config",
    "--collect-detailed-traces",
    "--enable-lora",
    "--lora-modules",
}
# 40 characters leave room for suffixes such as -model-cache in object names.
ModelName = Annotated[
    str, matching(r"[a-z]([-a-z0-9]*[a-z0-9])?", "a DNS-1035 label (a-z, 0-9, '-'; at most 40)", 40)
]
_HF_PART = r"[A-Za-z0-9][A-Za-z0-9._-]*"
HuggingFaceId = Annotated[str, matching(rf"{_HF_PART}(/{_HF_PART})?", "a model id like org/model")]


class SimulatorConfig(Section):
    """Latencies of the vLLM simulator (llm-d-inference-sim)."""

    time_to_first_token: Duration = doc("200ms", "simulated time to first token")
    inter_token_latency: Duration = doc("20ms", "simulated time between tokens")


class PrefixCacheConfig(Section):
    """vLLM's automatic prefix caching (on by default) and the alert on its hit ratio."""

    enabled: bool = doc(True, "reuse the KV cache of shared prompt prefixes")
    min_hit_ratio: float | None = doc(
        None, "alert under this hit ratio (none: no alert)", ge=0, le=1
    )


class SpeculativeConfig(Section):
    """Speculative decoding, passed to vLLM as --speculative-config."""

    method: Annotated[str, matching(r"[a-z0-9_]+", "a vLLM method like ngram or eagle")] = doc(
        "ngram", "e.g. ngram (no draft model), eagle, eagle3, draft_model"
    )
    model: HuggingFaceId | None = doc(None, "the draft model (methods that need one)")
    num_speculative_tokens: PositiveInt = doc(text="tokens drafted per step")


class LoraAdapter(Section):
    """A LoRA adapter served next to the base model (clients ask for it by name)."""

    name: ModelName = doc(text="the model name clients use for the adapter")
    source: Annotated[str, Field(min_length=1)] = doc(text="Hugging Face id or path of its weights")


class ModelCache(Volume):
    """A PVC for the Hugging Face cache, so restarts do not download the weights again."""

    size: Quantity = doc("100Gi", "size of the cache volume")
    access_mode: Literal["ReadWriteOnce", "ReadWriteMany"] = doc("ReadWriteOnce", "RWX to share")

    def claim_spec(self) -> dict[str, Any]:
        """The spec of the PersistentVolumeClaim, with its access mode."""
        return {**super().claim_spec(), "accessModes": [self.access_mode]}


class ModelConfig(Section):
    """One served model."""

    name: ModelName = doc(text="served model name: model_name of its series, name of its objects")
    backend: Backend = doc(text="`vllm` or `simulator` (inference.backend when unset)")
    replicas: PositiveInt = doc(1, "replicas (more than one: a PodDisruptionBudget)")
    max_model_len: Annotated[int, Field(ge=16)] = doc(4096, "context length")
    startup_timeout: Duration = doc("30m", "loading and compiling time before a restart")
    resources: Resources = doc(text="vllm: 4/16Gi, 32Gi; simulator: 50m/64Mi, 256Mi (GPUs: gpus)")
    hugging_face_id: HuggingFaceId = doc("", "vllm (required): the weights, e.g. Qwen/Qwen3-8B")
    gpus: PositiveInt = doc(1, "vllm: GPUs per replica (tensor parallel size)")
    gpu_memory_utilization: Annotated[float, Field(gt=0, le=1)] = doc(0.9, "vllm: GPU memory share")
    extra_args: Items[Annotated[str, Field(min_length=1)]] = doc((), "vllm: more serve flags")
    model_cache: ModelCache | None = doc(None, "vllm: `{size, storageClass, accessMode}`")
    shm_size: Quantity = doc("8Gi", "vllm: memory-backed /dev/shm (within the memory limit)")
    simulator: SimulatorConfig = doc(SimulatorConfig(), "simulator: its latencies")
    prefix_cache: PrefixCacheConfig = doc(PrefixCacheConfig(), "vllm: `{enabled, minHitRatio}`")
    speculative: SpeculativeConfig | None = doc(
        None, "vllm: `{method, model, numSpeculativeTokens}`"
    )
    detailed_traces: bool = doc(False, "vllm: phase spans in each request's trace (needs tracing)")
    lora_adapters: Items[LoraAdapter] = doc((), "vllm: `{name, source}` adapters (--enable-lora)")
    autoscaling: ModelAutoscaling = doc(ModelAutoscaling(), "KEDA on the model's own signals")

    @model_validator(mode="before")
    @classmethod
    def _backend_resources(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and data.get("backend") in DEFAULT_RESOURCES:
            default = DEFAULT_RESOURCES[data["backend"]].model_dump(exclude_none=True)
            given = data.get("resources", {})
            merged = deep_merge(default, given) if isinstance(given, Mapping) else given
            return {**data, "resources": merged}
        return data

    @model_validator(mode="after")
    def _backend_settings(self) -> ModelConfig:
        given = {type(self).model_fields[n].alias for n in self.model_fields_set}
        foreign, owner = (VLLM_ONLY, "vLLM") if self.is_simulator else (SIMULATOR_ONLY, "simulator")
        for key in (k for k in foreign if k in given):
            message = f"a {self.backend} model does not take {key} (a {owner} setting)"
            raise fail(f"{message}; remove it or set backend", key)
        if self.autoscaling.enabled and "replicas" in given:
            message = "the autoscaler sets the replicas of this model; remove it and use "
            raise fail(f"{message}autoscaling.minReplicas and maxReplicas", "replicas")
        if not self.is_simulator:
            self._vllm_settings(given)
        return self

    def _vllm_settings(self, given: set[str | None]) -> None:
        if "huggingFaceId" not in given:
            raise fail("required for a vllm model, e.g. Qwen/Qwen3-8B", "huggingFaceId")
        for index, flag in enumerate(arg.split("=", 1)[0] for arg in self.extra_args):
            if flag in MANAGED_FLAGS:
                raise fail(f"{flag} is set from this config; remove it", f"extraArgs[{index}]")
        if not self.prefix_cache.enabled and "--enable-prefix-caching" in self.extra_args:
            raise fail("false, but extraArgs has --enable-prefix-caching", "prefixCache.enabled")
        if self.prefix_cache.min_hit_ratio is not None and not self.prefix_cache.enabled:
            raise fail("set, but prefixCache.enabled is false", "prefixCache.minHitRatio")
        unique([a.name for a in self.lora_adapters], "loraAdapters")
        cache = self.model_cache
        if cache and self.peak_replicas > 1 and cache.access_mode == "ReadWriteOnce":
            message = f"{self.peak_replicas} replicas on different nodes cannot share a"
            message += " ReadWriteOnce volume; use ReadWriteMany"
            raise fail(message, "modelCache.accessMode")
        limit = self.resources.limits.memory
        if parse_quantity(self.shm_size) >= parse_quantity(limit):
            message = f"{self.shm_size} of memory-backed /dev/shm does not fit in the memory limit"
            raise fail(f"{message} {limit} (resources.limits.memory)", "shmSize")

    @property
    def peak_replicas(self) -> int:
        """The most replicas the model can run: maxReplicas when autoscaled."""
        return self.autoscaling.ceiling if self.autoscaling.enabled else self.replicas

    @property
    def peak_gpus(self) -> int:
        """GPUs the model holds at its peak (a simulator holds none)."""
        return 0 if self.is_simulator else self.peak_replicas * self.gpus

    @property
    def is_simulator(self) -> bool:
        """Whether this model runs on the GPU-less simulator."""
        return self.backend == "simulator"

    @property
    def startup_failure_threshold(self) -> int:
        """Startup probe failures allowed at a 10 s period to cover startup_timeout."""
        return max(1, math.ceil(parse_duration(self.startup_timeout) / 10))


class LoadGeneratorConfig(Section):
    """Synthetic chat traffic to every model, so dashboards show live numbers in dev."""

    enabled: bool = doc(False, "run the load generator")
    requests_per_second: Annotated[float, Field(gt=0, le=50)] = doc(0.5, "per model")
    max_tokens: PositiveInt = doc(64, "max_tokens of each request")
    max_concurrency: Annotated[int, Field(ge=1, le=256)] = doc(
        16, "requests in flight per model before arrivals are dropped (open loop)"
    )


class InferenceConfig(Section):
    """The model servers of the stack."""

    backend: Backend = doc("vllm", "default backend of every model")
    scrape_interval: Duration = doc("15s", "ServiceMonitor interval of the model servers")
    models: Items[ModelConfig] = doc((), "the served models (see inference.models[] below)")
    gpu_quota: PositiveInt | None = doc(None, "GPUs all models may hold at peak (none: no cap)")
    load_generator: LoadGeneratorConfig = doc(LoadGeneratorConfig(), "synthetic traffic (dev)")

    @model_validator(mode="before")
    @classmethod
    def _default_backend(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and isinstance(data.get("models"), list):
            backend = data.get("backend", "vllm")
            models = [
                {"backend": backend, **m} if isinstance(m, Mapping) else m for m in data["models"]
            ]
            return {**data, "models": models}
        return data

    @model_validator(mode="after")
    def _models(self) -> InferenceConfig:
        unique([m.name for m in self.models], "models")
        if self.load_generator.enabled and not self.models:
            raise fail("true, but inference.models is empty", "loadGenerator.enabled")
        self._within_gpu_quota()
        return self

    def _within_gpu_quota(self) -> None:
        """Each model's replicas (maxReplicas when autoscaled) x its GPUs, added up in order,
        fit the quota; the model that crosses it is named."""
        held = 0
        for index, model in enumerate(self.models):
            if self.gpu_quota is None or model.peak_gpus == 0:
                continue
            held += model.peak_gpus
            if held > self.gpu_quota:
                key = "autoscaling.maxReplicas" if model.autoscaling.enabled else "replicas"
                message = f"{model.peak_replicas} replicas x {model.gpus} GPUs"
                others = held - model.peak_gpus
                raise fail(
                    f"{message} with the {others} GPUs of the models before it exceed "
                    f"inference.gpuQuota ({self.gpu_quota})",
                    f"models[{index}].{key}",
                )
