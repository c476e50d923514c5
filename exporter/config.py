"""The exporter's configuration file: prices, accepted models and evaluators, ingest token.

Every number is finite and within a documented range (RANGES, the price ceiling), every name
can be written as a label value, and every file is UTF-8: a bad file stops the exporter at
start with the key named.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from exporter.default_prices import DEFAULT_GPU_PRICES
from exporter.labels import label_value_problem

CAPACITY_TYPES = ("on_demand", "spot")
MAX_GPUS = 64  # per node and per pod
DEFAULT_MAX_GPU_HOUR_PRICE = 1000.0
MAX_GPU_HOUR_PRICE_LIMIT = 100_000.0
# key -> (lowest, highest, default, integer only)
RANGES: dict[str, tuple[float, float, float, bool]] = {
    "inventory_staleness_seconds": (1, 86_400, 300, False),
    "watch_timeout_seconds": (1, 3_600, 300, True),
    "static_refresh_seconds": (0.1, 86_400, 60, False),
}
KEYS = (
    "gpus",
    "instance_types",
    "default_capacity_type",
    "models",
    "evaluators",
    "ingest_token_file",
    "max_gpu_hour_price",
    "mig_compute_slices",
    "attribution",
    *RANGES,
)
DEFAULT_ATTRIBUTION_LABELS = ("team",)
MAX_ATTRIBUTION_LABELS = 5


class ConfigError(ValueError):
    """A bad setting: `key` names it (empty for the whole document), `reason` says what is wrong."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key}: {reason}" if key else reason)
        self.key = key
        self.reason = reason


@dataclass(frozen=True)
class ExporterConfig:
    """Validated exporter configuration."""

    gpu_prices: Mapping[str, Mapping[str, float]]
    instance_prices: Mapping[str, Mapping[str, float]]
    default_capacity_type: str
    models: frozenset[str]
    evaluators: frozenset[str]
    ingest_token: str | None = field(default=None, repr=False)
    inventory_staleness_seconds: float = 300.0
    watch_timeout_seconds: int = 300
    static_refresh_seconds: float = 60.0
    max_gpu_hour_price: float = DEFAULT_MAX_GPU_HOUR_PRICE
    # product -> compute slices of a whole GPU (MIG), besides exporter.sharing's own table
    mig_compute_slices: Mapping[str, int] = field(default_factory=dict)
    # pod (then namespace) label keys whose values attribute a pod's cost
    attribution_labels: tuple[str, ...] = DEFAULT_ATTRIBUTION_LABELS


def is_number(value: Any) -> bool:
    """A finite int or float (booleans are not numbers here)."""
    valid = isinstance(value, (int, float)) and not isinstance(value, bool)
    return valid and math.isfinite(value)


def parse_price_table(
    raw: Any, key: str, ceiling: float = DEFAULT_MAX_GPU_HOUR_PRICE
) -> dict[str, dict[str, float]]:
    """{name: {capacity type: USD}} with every price finite and within [0, ceiling]."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(key, "expected a map of names to prices")
    table: dict[str, dict[str, float]] = {}
    for name, entry in raw.items():
        where = f"{key}.{name}" if key else str(name)
        if not isinstance(entry, Mapping) or not entry:
            raise ConfigError(where, "expected {on_demand: <USD>, spot: <USD>}")
        prices: dict[str, float] = {}
        for capacity, price in entry.items():
            if capacity not in CAPACITY_TYPES:
                raise ConfigError(
                    f"{where}.{capacity}", "unknown capacity type (expected on_demand or spot)"
                )
            if not is_number(price) or not 0 <= price <= ceiling:
                raise ConfigError(
                    f"{where}.{capacity}",
                    f"must be a non-negative price in USD of at most {ceiling:g}, got {price!r}",
                )
            prices[capacity] = float(price)
        table[str(name)] = prices
    return table


def _names(raw: Any, key: str) -> frozenset[str]:
    if not isinstance(raw, list) or not raw:
        raise ConfigError(key, "expected a non-empty list of names")
    for index, name in enumerate(raw):
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{key}[{index}]", f"expected a non-empty string, got {name!r}")
        problem = label_value_problem(name)
        if problem is not None:
            raise ConfigError(f"{key}[{index}]", f"not usable as a label value: {problem}")
    return frozenset(raw)


LABEL_KEY = re.compile(
    r"([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?"
)


def prometheus_label(key: str) -> str:
    """A Kubernetes label key as a Prometheus label name (app.kubernetes.io/team ->
    app_kubernetes_io_team)."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", key)
    return f"_{name}" if name[0].isdigit() else name


def parse_attribution(raw: Any) -> tuple[str, ...]:
    """attribution: {labels: 1-5 Kubernetes label keys whose Prometheus names are distinct}."""
    if raw is None:
        return DEFAULT_ATTRIBUTION_LABELS
    if not isinstance(raw, Mapping) or set(raw) - {"labels"}:
        raise ConfigError("attribution", "expected a map with labels")
    raw, key = raw.get("labels"), "attribution.labels"
    if raw is None:
        return DEFAULT_ATTRIBUTION_LABELS
    if not isinstance(raw, list) or not 1 <= len(raw) <= MAX_ATTRIBUTION_LABELS:
        raise ConfigError(key, f"expected a list of 1 to {MAX_ATTRIBUTION_LABELS} label keys")
    names: dict[str, str] = {}
    for index, item in enumerate(raw):
        if not isinstance(item, str) or not LABEL_KEY.fullmatch(item):
            raise ConfigError(f"{key}[{index}]", f"not a Kubernetes label key: {item!r}")
        name = prometheus_label(item)
        if name in ("namespace", "pod", "node") or name in names:
            other = names.get(name, name)
            raise ConfigError(
                f"{key}[{index}]", f"{item!r} would be the label {name}, as {other!r}"
            )
        names[name] = item
    return tuple(raw)


def parse_slices(raw: Any) -> dict[str, int]:
    """mig_compute_slices: GPU product -> compute slices of a whole GPU (1-8)."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError("mig_compute_slices", "expected a map of GPU product to slices")
    for product, slices in raw.items():
        if not isinstance(slices, int) or isinstance(slices, bool) or not 1 <= slices <= 8:
            where = f"mig_compute_slices.{product}"
            raise ConfigError(where, f"must be a whole number of slices in [1, 8], got {slices!r}")
    return {str(k): int(v) for k, v in raw.items()}


def _in_range(raw: Mapping[str, Any], key: str) -> float:
    low, high, default, integer = RANGES[key]
    value = raw.get(key, default)
    kind = "a whole number" if integer else "a number"
    valid = is_number(value) and low <= value <= high and (not integer or value == int(value))
    if not valid:
        raise ConfigError(key, f"must be {kind} of seconds in [{low:g}, {high:g}], got {value!r}")
    return float(value)


def _ceiling(raw: Mapping[str, Any]) -> float:
    value = raw.get("max_gpu_hour_price", DEFAULT_MAX_GPU_HOUR_PRICE)
    if not is_number(value) or not 0 < value <= MAX_GPU_HOUR_PRICE_LIMIT:
        raise ConfigError(
            "max_gpu_hour_price",
            f"must be a price in USD in (0, {MAX_GPU_HOUR_PRICE_LIMIT:g}], got {value!r}",
        )
    return float(value)


def read_text(path: Path, key: str) -> str:
    """A UTF-8 file's text; ConfigError naming `key` and the file otherwise."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as error:
        raise ConfigError(key, f"cannot read {path}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(key, f"{path} is not UTF-8 text (byte {error.start})") from None


def _token(raw: Mapping[str, Any], base_dir: Path | None) -> str | None:
    if raw.get("ingest_token_file") is None:
        return None
    token_path = Path(str(raw["ingest_token_file"]))
    if base_dir is not None and not token_path.is_absolute():
        token_path = base_dir / token_path
    token = read_text(token_path, "ingest_token_file").strip()
    if not token:
        raise ConfigError("ingest_token_file", f"{token_path} is empty")
    if not token.isascii() or not token.isprintable() or " " in token:
        raise ConfigError(
            "ingest_token_file", f"{token_path}: the token must be visible ASCII without spaces"
        )
    return token


def parse_config(raw: Any, base_dir: Path | None = None) -> ExporterConfig:
    """Validate a decoded config document."""
    if not isinstance(raw, Mapping):
        raise ConfigError("", "expected a map of settings at the top level")
    for key in raw:
        if key not in KEYS:
            raise ConfigError(str(key), f"unknown key (allowed: {', '.join(KEYS)})")
    capacity = raw.get("default_capacity_type", "on_demand")
    if capacity not in CAPACITY_TYPES:
        raise ConfigError(
            "default_capacity_type",
            f"unknown capacity type {capacity!r} (expected on_demand or spot)",
        )
    ceiling = _ceiling(raw)
    gpu_prices = {
        **DEFAULT_GPU_PRICES,
        **parse_price_table(raw.get("gpus"), "gpus", ceiling),
    }
    return ExporterConfig(
        gpu_prices=gpu_prices,
        # A node-hour: the ceiling for each of up to MAX_GPUS GPUs.
        instance_prices=parse_price_table(
            raw.get("instance_types"), "instance_types", ceiling * MAX_GPUS
        ),
        default_capacity_type=capacity,
        models=_names(raw.get("models"), "models"),
        evaluators=_names(raw.get("evaluators"), "evaluators"),
        ingest_token=_token(raw, base_dir),
        inventory_staleness_seconds=_in_range(raw, "inventory_staleness_seconds"),
        watch_timeout_seconds=int(_in_range(raw, "watch_timeout_seconds")),
        static_refresh_seconds=_in_range(raw, "static_refresh_seconds"),
        max_gpu_hour_price=ceiling,
        mig_compute_slices=parse_slices(raw.get("mig_compute_slices")),
        attribution_labels=parse_attribution(raw.get("attribution")),
    )


def load_config(path: Path) -> ExporterConfig:
    """Read and validate a config file; ConfigError names the file and the key."""
    text = read_text(path, "")  # its message names the file
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(str(path), f"not valid YAML: {error}") from None
    try:
        return parse_config(raw, path.parent)
    except ConfigError as error:
        raise ConfigError(str(path), str(error)) from None
