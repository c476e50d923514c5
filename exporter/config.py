"""The exporter's configuration file: prices, accepted models and evaluators, ingest token."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from exporter.default_prices import DEFAULT_GPU_PRICES

CAPACITY_TYPES = ("on_demand", "spot")
KEYS = (
    "gpus",
    "instance_types",
    "default_capacity_type",
    "models",
    "evaluators",
    "ingest_token_file",
    "inventory_staleness_seconds",
    "watch_timeout_seconds",
    "static_refresh_seconds",
)


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


def parse_price_table(raw: Any, key: str) -> dict[str, dict[str, float]]:
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
            valid = isinstance(price, (int, float)) and not isinstance(price, bool)
            if not valid or not math.isfinite(price) or price < 0:
                raise ConfigError(
                    f"{where}.{capacity}", f"must be a non-negative price in USD, got {price!r}"
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
    return frozenset(raw)


def _positive(raw: Mapping[str, Any], key: str, default: float) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ConfigError(key, f"must be a positive number of seconds, got {value!r}")
    return float(value)


def parse_config(raw: Any, base_dir: Path | None = None) -> ExporterConfig:
    """Validate a decoded config document."""
    if not isinstance(raw, Mapping):
        raise ConfigError("", "expected a map of settings at the top level")
    for key in raw:
        if key not in KEYS:
            raise ConfigError(key, f"unknown key (allowed: {', '.join(KEYS)})")
    capacity = raw.get("default_capacity_type", "on_demand")
    if capacity not in CAPACITY_TYPES:
        raise ConfigError(
            "default_capacity_type",
            f"unknown capacity type {capacity!r} (expected on_demand or spot)",
        )
    token = None
    if raw.get("ingest_token_file") is not None:
        token_path = Path(str(raw["ingest_token_file"]))
        if base_dir is not None and not token_path.is_absolute():
            token_path = base_dir / token_path
        try:
            token = token_path.read_text().strip()
        except OSError as error:
            raise ConfigError(
                "ingest_token_file", f"cannot read {token_path}: {error.strerror}"
            ) from None
        if not token:
            raise ConfigError("ingest_token_file", f"{token_path} is empty")
    gpu_prices = {**DEFAULT_GPU_PRICES, **parse_price_table(raw.get("gpus"), "gpus")}
    return ExporterConfig(
        gpu_prices=gpu_prices,
        instance_prices=parse_price_table(raw.get("instance_types"), "instance_types"),
        default_capacity_type=capacity,
        models=_names(raw.get("models"), "models"),
        evaluators=_names(raw.get("evaluators"), "evaluators"),
        ingest_token=token,
        inventory_staleness_seconds=_positive(raw, "inventory_staleness_seconds", 300),
        watch_timeout_seconds=int(_positive(raw, "watch_timeout_seconds", 300)),
        static_refresh_seconds=_positive(raw, "static_refresh_seconds", 60),
    )


def load_config(path: Path) -> ExporterConfig:
    """Read and validate a config file; ConfigError names the file and the key."""
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as error:
        raise ConfigError(str(path), f"cannot read: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise ConfigError(str(path), f"not valid YAML: {error}") from None
    try:
        return parse_config(raw, path.parent)
    except ConfigError as error:
        raise ConfigError(str(path), str(error)) from None
