"""Config of the model servers and the dev load generator (ai-observability:inference). Pure."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from components.config.schema import Items, PositiveInt, Section, deep_merge, fail, unique
from components.config.units import Duration, Quantity, matching, parse_duration, parse_quantity
from components.config.workload import Resources, Volume, resources

Backend = Literal["vllm", "simulator"]
VLLM_ONLY = ("huggingFaceId", "gpus", "gpuMemoryUtilization", "extraArgs", "modelCache", "shmSize")
SIMULATOR_ONLY = ("simulator",)
DEFAULT_RESOURCES = {
    "vllm": resources("4", "16Gi", "32Gi"),
    "simulator": resources("50m", "64Mi", "256Mi"),
}
# Flags the component sets from the config; extraArgs may not repeat them.
MANAGED_FLAGS = (
    "--model",
    "--served-model-name",
    "--tensor-parallel-size",
    "--max-model-len",
    "--gpu-memory-utilization",
    "--port",
    "--host",
    "--otlp-traces-endpoint",
    "--disable-log-stats",
)
MAX_NAME_LENGTH = 40  # leaves room for suffixes such as -model-cache in object names
ModelName = Annotated[
    str,
    matching(
        re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$"),
        "a DNS-1035 label (lower-case letters, digits and '-', starting with a letter, at most "
        f"{MAX_NAME_LENGTH} characters)",
        MAX_NAME_LENGTH,
    ),
]
HuggingFaceId = Annotated[
    str,
    matching(
        re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$"),
        "a Hugging Face model id like org/model",
    ),
]
NonEmpty = Annotated[str, Field(min_length=1)]


class SimulatorConfig(Section):
    """Latencies of the vLLM simulator (llm-d-inference-sim)."""

    time_to_first_token: Duration = "200ms"
    """Simulated time to first token."""
    inter_token_latency: Duration = "20ms"
    """Simulated time between tokens."""


class ModelCache(Volume):
    """A PVC for the Hugging Face cache, so restarts do not download the weights again."""

    size: Quantity = "100Gi"
    """Size of the cache volume."""
    access_mode: Literal["ReadWriteOnce", "ReadWriteMany"] = "ReadWriteOnce"
    """ReadWriteMany to share it between replicas on different nodes."""

    def claim_spec(self) -> dict[str, Any]:
        """The spec of the PersistentVolumeClaim, with its access mode."""
        return {**super().claim_spec(), "accessModes": [self.access_mode]}


class ModelConfig(Section):
    """One served model."""

    name: ModelName
    """Served model name: the model_name label of its series, and its objects' name."""
    backend: Backend
    """`vllm` or `simulator` (inference.backend when unset)."""
    replicas: PositiveInt = 1
    """Replicas (more than one: a PodDisruptionBudget)."""
    max_model_len: Annotated[int, Field(ge=16)] = 4096
    """Context length (`--max-model-len`)."""
    startup_timeout: Duration = "30m"
    """How long loading and compiling may take before the pod is restarted."""
    resources: Resources
    """Container resources (vllm: 4/16Gi, 32Gi; simulator: 50m/64Mi, 256Mi); GPUs come from gpus."""
    hugging_face_id: HuggingFaceId = ""
    """vllm: the weights to serve, e.g. Qwen/Qwen3-8B (required)."""
    gpus: PositiveInt = 1
    """vllm: GPUs per replica (`--tensor-parallel-size`)."""
    gpu_memory_utilization: Annotated[float, Field(gt=0, le=1)] = 0.9
    """vllm: share of GPU memory vLLM may use."""
    extra_args: Items[NonEmpty] = ()
    """vllm: more `vllm serve` flags (not the ones set from this config)."""
    model_cache: ModelCache | None = None
    """vllm: `{size, storageClass, accessMode}` of a Hugging Face cache volume."""
    shm_size: Quantity = "8Gi"
    """vllm: size of the memory-backed /dev/shm (counts against the memory limit)."""
    simulator: SimulatorConfig = SimulatorConfig()
    """simulator: `{timeToFirstToken, interTokenLatency}`."""

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
            raise fail(
                f"a {self.backend} model does not take {key} (that is a {owner} setting); "
                "remove it or set backend",
                key,
            )
        if self.is_simulator:
            return self
        if "huggingFaceId" not in given:
            raise fail("required for a vllm model, e.g. Qwen/Qwen3-8B", "huggingFaceId")
        for index, arg in enumerate(self.extra_args):
            if arg.split("=", 1)[0] in MANAGED_FLAGS:
                raise fail(
                    f"{arg.split('=', 1)[0]} is set from the model's config; remove it",
                    f"extraArgs[{index}]",
                )
        cache = self.model_cache
        if cache and self.replicas > 1 and cache.access_mode == "ReadWriteOnce":
            raise fail(
                f"a ReadWriteOnce volume cannot be shared by {self.replicas} replicas on "
                "different nodes; use ReadWriteMany or one replica",
                "modelCache.accessMode",
            )
        limit = self.resources.limits.memory
        if parse_quantity(self.shm_size) >= parse_quantity(limit):
            raise fail(
                f"{self.shm_size} of memory-backed /dev/shm does not fit in the memory limit "
                f"{limit} (resources.limits.memory)",
                "shmSize",
            )
        return self

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

    enabled: bool = False
    """Run the load generator."""
    requests_per_second: Annotated[float, Field(gt=0, le=50)] = 0.5
    """Requests per second to each model."""
    max_tokens: PositiveInt = 64
    """max_tokens of each request."""


class InferenceConfig(Section):
    """The model servers of the stack."""

    backend: Backend = "vllm"
    """Default backend of every model."""
    scrape_interval: Duration = "15s"
    """ServiceMonitor interval of the model servers."""
    models: Items[ModelConfig] = ()
    """The served models: `{name, backend, replicas, ...}` (see inference.models[])."""
    load_generator: LoadGeneratorConfig = LoadGeneratorConfig()
    """Synthetic traffic (dev)."""

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
        return self
