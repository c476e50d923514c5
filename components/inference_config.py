"""Typed configuration of the model servers (ai-observability:inference) and of tracing.

Pure: no pulumi import.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from components.config_fields import (
    ConfigError,
    describe,
    key_path,
    parse_duration,
    parse_quantity,
    read_bool,
    read_choice,
    read_duration,
    read_int,
    read_object,
    read_quantity,
    read_str,
    top_key,
)
from components.config_resources import Resources, Storage, parse_resources, parse_storage

BACKENDS = ("vllm", "simulator")
ACCESS_MODES = ("ReadWriteOnce", "ReadWriteMany")
_DNS_1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_HF_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)?$")
# Settings that only make sense on one backend: mixing them is a config error.
VLLM_ONLY = ("huggingFaceId", "gpus", "gpuMemoryUtilization", "extraArgs", "modelCache", "shmSize")
SIMULATOR_ONLY = ("simulator",)
MAX_NAME_LENGTH = 40  # leaves room for suffixes such as -model-cache in object names


@dataclass(frozen=True)
class SimulatorConfig:
    """Latencies of the vLLM simulator (llm-d-inference-sim)."""

    time_to_first_token: str = "200ms"
    inter_token_latency: str = "20ms"


@dataclass(frozen=True)
class ModelCache:
    """A PVC for the Hugging Face cache, so restarts do not download the weights again."""

    storage: Storage
    access_mode: str = "ReadWriteOnce"


@dataclass(frozen=True)
class ModelConfig:
    """One served model."""

    name: str
    backend: str
    replicas: int = 1
    max_model_len: int = 4096
    huggingface_id: str = ""
    gpus: int = 1
    gpu_memory_utilization: float = 0.9
    extra_args: tuple[str, ...] = ()
    model_cache: ModelCache | None = None
    shm_size: str = "8Gi"
    startup_timeout: str = "30m"
    simulator: SimulatorConfig = SimulatorConfig()
    resources: Resources | None = None

    @property
    def is_simulator(self) -> bool:
        """Whether this model runs on the GPU-less simulator."""
        return self.backend == "simulator"

    @property
    def startup_failure_threshold(self) -> int:
        """Startup probe failures allowed at a 10 s period to cover startup_timeout."""
        return max(1, math.ceil(parse_duration(self.startup_timeout) / 10))


@dataclass(frozen=True)
class LoadGeneratorConfig:
    """Synthetic chat traffic to every model, so dashboards show live numbers in dev."""

    enabled: bool = False
    requests_per_second: float = 0.5
    max_tokens: int = 64


@dataclass(frozen=True)
class InferenceConfig:
    """The model servers of the stack."""

    backend: str = "vllm"
    scrape_interval: str = "15s"
    models: tuple[ModelConfig, ...] = ()
    load_generator: LoadGeneratorConfig = LoadGeneratorConfig()


VLLM_RESOURCES = Resources("4", "16Gi", "32Gi")
SIMULATOR_RESOURCES = Resources("50m", "64Mi", "256Mi")


def _read_float(
    obj: Mapping[str, Any], key: str, path: str, default: float, low: float, high: float
) -> float:
    value = obj.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ConfigError(key_path(path, key), f"expected a number, got {describe(value)}")
    if not low < value <= high:
        raise ConfigError(
            key_path(path, key), f"must be above {low} and at most {high}, got {value}"
        )
    return float(value)


def parse_model(raw: Any, path: str, default_backend: str) -> ModelConfig:
    """One entry of ai-observability:inference.models."""
    keys = [
        "name",
        "backend",
        "replicas",
        "maxModelLen",
        "startupTimeout",
        "resources",
        *VLLM_ONLY,
        *SIMULATOR_ONLY,
    ]
    obj = read_object(raw, path, keys)
    if "name" not in obj:
        raise ConfigError(key_path(path, "name"), "required")
    name = read_str(obj, "name", path, "")
    if len(name) > MAX_NAME_LENGTH or not _DNS_1035.match(name):
        raise ConfigError(
            key_path(path, "name"),
            "must be a DNS-1035 label (lower-case letters, digits and '-', starting with a letter, "
            f"at most {MAX_NAME_LENGTH} characters), got {describe(name)}",
        )
    backend = read_choice(obj, "backend", path, default_backend, BACKENDS)
    foreign = VLLM_ONLY if backend == "simulator" else SIMULATOR_ONLY
    for key in foreign:
        if key in obj:
            raise ConfigError(
                key_path(path, key),
                f"a {backend} model does not take {key} (that is a "
                f"{'vLLM' if backend == 'simulator' else 'simulator'} setting); "
                f"remove it or set {key_path(path, 'backend')}",
            )
    d = ModelConfig(name=name, backend=backend)
    replicas = read_int(obj, "replicas", path, d.replicas)
    default_resources = SIMULATOR_RESOURCES if backend == "simulator" else VLLM_RESOURCES
    cfg = ModelConfig(
        name=name,
        backend=backend,
        replicas=replicas,
        max_model_len=read_int(obj, "maxModelLen", path, d.max_model_len, minimum=16),
        startup_timeout=read_duration(obj, "startupTimeout", path, d.startup_timeout, "30m"),
        resources=parse_resources(
            obj.get("resources"), key_path(path, "resources"), default_resources
        ),
    )
    if backend == "simulator":
        sim_path = key_path(path, "simulator")
        sim = read_object(obj.get("simulator"), sim_path, ["timeToFirstToken", "interTokenLatency"])
        ds = SimulatorConfig()
        return replace(
            cfg,
            simulator=SimulatorConfig(
                time_to_first_token=read_duration(
                    sim, "timeToFirstToken", sim_path, ds.time_to_first_token, "200ms"
                ),
                inter_token_latency=read_duration(
                    sim, "interTokenLatency", sim_path, ds.inter_token_latency, "20ms"
                ),
            ),
        )
    if "huggingFaceId" not in obj:
        raise ConfigError(
            key_path(path, "huggingFaceId"), "required for a vllm model, e.g. Qwen/Qwen3-8B"
        )
    hf_id = read_str(obj, "huggingFaceId", path, "")
    if not _HF_ID.match(hf_id):
        raise ConfigError(
            key_path(path, "huggingFaceId"),
            f"expected a Hugging Face model id like org/model, got {describe(hf_id)}",
        )
    extra = obj.get("extraArgs", [])
    extra_path = key_path(path, "extraArgs")
    if not isinstance(extra, list) or not all(isinstance(a, str) and a for a in extra):
        raise ConfigError(
            extra_path, f"expected a list of command-line arguments, got {describe(extra)}"
        )
    for index, arg in enumerate(extra):
        flag = arg.split("=", 1)[0]
        if flag in MANAGED_FLAGS:
            raise ConfigError(
                key_path(extra_path, index), f"{flag} is set from the model's config; remove it"
            )
    cache = None
    if "modelCache" in obj:
        cache_path = key_path(path, "modelCache")
        cache_obj = read_object(
            obj["modelCache"], cache_path, ["size", "storageClass", "accessMode"]
        )
        storage = parse_storage(
            {k: v for k, v in cache_obj.items() if k != "accessMode"},
            cache_path,
            Storage(enabled=True, size="100Gi"),
        )
        access = read_choice(cache_obj, "accessMode", cache_path, "ReadWriteOnce", ACCESS_MODES)
        if replicas > 1 and access == "ReadWriteOnce":
            raise ConfigError(
                key_path(cache_path, "accessMode"),
                f"a ReadWriteOnce volume cannot be shared by {replicas} replicas on "
                "different nodes; use ReadWriteMany or one replica",
            )
        cache = ModelCache(storage=storage, access_mode=access)
    shm = read_quantity(obj, "shmSize", path, d.shm_size)
    resources = cfg.resources or VLLM_RESOURCES
    if parse_quantity(shm) >= parse_quantity(resources.memory_limit):
        raise ConfigError(
            key_path(path, "shmSize"),
            f"{shm} of memory-backed /dev/shm does not fit in the memory limit "
            f"{resources.memory_limit} ({key_path(path, 'resources.limits.memory')})",
        )
    return replace(
        cfg,
        huggingface_id=hf_id,
        gpus=read_int(obj, "gpus", path, d.gpus),
        gpu_memory_utilization=_read_float(
            obj, "gpuMemoryUtilization", path, d.gpu_memory_utilization, 0.0, 1.0
        ),
        extra_args=tuple(extra),
        model_cache=cache,
        shm_size=shm,
    )


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


def parse_inference(raw: Any) -> InferenceConfig:
    """ai-observability:inference."""
    path = top_key("inference")
    obj = read_object(raw, path, ["backend", "scrapeInterval", "models", "loadGenerator"])
    d = InferenceConfig()
    backend = read_choice(obj, "backend", path, d.backend, BACKENDS)
    models_raw = obj.get("models", [])
    models_path = key_path(path, "models")
    if not isinstance(models_raw, list):
        raise ConfigError(models_path, f"expected a list of models, got {describe(models_raw)}")
    models = []
    seen: dict[str, int] = {}
    for index, item in enumerate(models_raw):
        model = parse_model(item, key_path(models_path, index), backend)
        if model.name in seen:
            raise ConfigError(
                key_path(key_path(models_path, index), "name"),
                f'"{model.name}" is already the name of {models_path}[{seen[model.name]}]; '
                "model names must be unique",
            )
        seen[model.name] = index
        models.append(model)
    load_path = key_path(path, "loadGenerator")
    load = read_object(
        obj.get("loadGenerator"), load_path, ["enabled", "requestsPerSecond", "maxTokens"]
    )
    dl = LoadGeneratorConfig()
    load_cfg = LoadGeneratorConfig(
        enabled=read_bool(load, "enabled", load_path, dl.enabled),
        requests_per_second=_read_float(
            load, "requestsPerSecond", load_path, dl.requests_per_second, 0.0, 50.0
        ),
        max_tokens=read_int(load, "maxTokens", load_path, dl.max_tokens),
    )
    if load_cfg.enabled and not models:
        raise ConfigError(key_path(load_path, "enabled"), f"true, but {models_path} is empty")
    return InferenceConfig(
        backend=backend,
        scrape_interval=read_duration(obj, "scrapeInterval", path, d.scrape_interval, "15s"),
        models=tuple(models),
        load_generator=load_cfg,
    )


def parse_huggingface_token(raw: Any, is_secret: bool, inference: InferenceConfig) -> str | None:
    """ai-observability:huggingFaceToken (secret, optional): for gated models."""
    path = top_key("huggingFaceToken")
    if raw is None:
        return None
    if not is_secret:
        raise ConfigError(
            path,
            "must be stored encrypted: `pulumi config set --secret huggingFaceToken <token>`",
        )
    if not isinstance(raw, str) or not raw.strip():
        raise ConfigError(path, "expected a non-empty token")
    if not any(not m.is_simulator for m in inference.models):
        raise ConfigError(path, "set, but no model runs on vllm; remove it")
    return raw
