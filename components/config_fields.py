"""Typed readers for raw config values that name the full key path in every error.

Pure: no pulumi import. The loader turns ConfigError into pulumi.RunError.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping
from typing import Any

PROJECT = "ai-observability"

_DURATION = re.compile(
    r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$"
)
_DURATION_SECONDS = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001)
_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
_QUANTITY_FACTORS = {
    None: 1,
    "k": 10**3,
    "M": 10**6,
    "G": 10**9,
    "T": 10**12,
    "P": 10**15,
    "E": 10**18,
    "Ki": 2**10,
    "Mi": 2**20,
    "Gi": 2**30,
    "Ti": 2**40,
    "Pi": 2**50,
    "Ei": 2**60,
}
_CPU = re.compile(r"^(\d+(?:\.\d+)?)(m)?$")
# Prometheus' --storage.tsdb.retention.size: base-2 units (KB = KiB = 1024 B).
_BYTE_SIZE = re.compile(r"^(\d+(?:\.\d+)?)(B|KB|MB|GB|TB|PB|EB|KiB|MiB|GiB|TiB|PiB|EiB)$")
_BYTE_FACTORS = {"B": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40, "P": 2**50, "E": 2**60}
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


class ConfigError(ValueError):
    """A config value is wrong; the message starts with the full key path."""

    def __init__(self, path: str, message: str) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path


def key_path(parent: str, key: str | int) -> str:
    """Join a key or a list index onto a key path: a.b + c -> a.b.c, a + 1 -> a[1]."""
    if isinstance(key, int):
        return f"{parent}[{key}]"
    return f"{parent}.{key}" if not parent.endswith(":") else f"{parent}{key}"


def top_key(name: str) -> str:
    """The full key of a top-level project config key: ai-observability:name."""
    return f"{PROJECT}:{name}"


def describe(value: Any) -> str:
    """Show a value the way a user wrote it, with its type when that is the problem."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return f"a {'map' if isinstance(value, dict) else 'list'}"
    return str(value)


def read_object(value: Any, path: str, allowed: Iterable[str]) -> Mapping[str, Any]:
    """Check that value is a map whose keys are all in allowed; None means an empty map."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigError(path, f"expected a map of settings, got {describe(value)}")
    allowed = list(allowed)
    for key in value:
        if key not in allowed:
            raise ConfigError(key_path(path, str(key)), unknown_key_message(str(key), allowed))
    return value


def unknown_key_message(key: str, allowed: list[str]) -> str:
    """Explain an unknown key, suggesting the nearest allowed one."""
    close = difflib.get_close_matches(key, allowed, n=1)
    hint = f'; did you mean "{close[0]}"?' if close else ""
    return f"unknown key (allowed: {', '.join(sorted(allowed))}){hint}"


def read_str(obj: Mapping[str, Any], key: str, path: str, default: str) -> str:
    """A string value, or default when absent."""
    value = obj.get(key, default)
    if not isinstance(value, str):
        raise ConfigError(key_path(path, key), f"expected a string, got {describe(value)}")
    return value


def read_bool(obj: Mapping[str, Any], key: str, path: str, default: bool) -> bool:
    """A boolean value, or default when absent."""
    value = obj.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(key_path(path, key), f"expected true or false, got {describe(value)}")
    return value


def read_int(obj: Mapping[str, Any], key: str, path: str, default: int, minimum: int = 1) -> int:
    """An integer value of at least minimum, or default when absent."""
    value = obj.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(key_path(path, key), f"expected an integer, got {describe(value)}")
    if value < minimum:
        what = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise ConfigError(key_path(path, key), f"must be {what}, got {value}")
    return value


def read_choice(
    obj: Mapping[str, Any], key: str, path: str, default: str, choices: Iterable[str]
) -> str:
    """A string value that must be one of choices."""
    value = read_str(obj, key, path, default)
    choices = list(choices)
    if value not in choices:
        raise ConfigError(
            key_path(path, key), f"expected one of {', '.join(choices)}, got {describe(value)}"
        )
    return value


def read_str_list(
    obj: Mapping[str, Any], key: str, path: str, default: tuple[str, ...]
) -> tuple[str, ...]:
    """A list of strings, or default when absent."""
    value = obj.get(key, list(default))
    if not isinstance(value, list):
        raise ConfigError(key_path(path, key), f"expected a list of strings, got {describe(value)}")
    for index, item in enumerate(value):
        if not isinstance(item, str) or not item:
            raise ConfigError(
                key_path(key_path(path, key), index),
                f"expected a non-empty string, got {describe(item)}",
            )
    return tuple(value)


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration such as 15d or 1h30m; ValueError if it is not one."""
    match = _DURATION.match(text)
    if not text or not match:
        raise ValueError(text)
    return sum(
        int(part) * unit
        for part, unit in zip(match.groups(), _DURATION_SECONDS, strict=True)
        if part
    )


def read_duration(
    obj: Mapping[str, Any], key: str, path: str, default: str, example: str = "15d"
) -> str:
    """A positive Prometheus duration (15d, 6h, 30s, 1h30m)."""
    value = read_str(obj, key, path, default)
    try:
        seconds = parse_duration(value)
    except ValueError:
        raise ConfigError(
            key_path(path, key), f"expected a duration like {example}, got {describe(value)}"
        ) from None
    if seconds <= 0:
        raise ConfigError(
            key_path(path, key), f"must be a positive duration, got {describe(value)}"
        )
    return value


def parse_quantity(text: str) -> float:
    """The number a Kubernetes quantity such as 50Gi or 512M stands for; ValueError if invalid."""
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _QUANTITY_FACTORS[match.group(2)]


def read_quantity(obj: Mapping[str, Any], key: str, path: str, default: str) -> str:
    """A positive Kubernetes memory or storage quantity (50Gi, 512Mi)."""
    value = read_str(obj, key, path, default)
    try:
        amount = parse_quantity(value)
    except ValueError:
        raise ConfigError(
            key_path(path, key), f"expected a Kubernetes quantity like 50Gi, got {describe(value)}"
        ) from None
    if amount <= 0:
        raise ConfigError(key_path(path, key), f"must be greater than zero, got {describe(value)}")
    return value


def parse_cpu(text: str) -> float:
    """Cores in a Kubernetes CPU quantity (500m, 2); ValueError if invalid."""
    match = _CPU.match(text)
    if not match:
        raise ValueError(text)
    return float(match.group(1)) / (1000 if match.group(2) else 1)


def read_cpu(obj: Mapping[str, Any], key: str, path: str, default: str) -> str:
    """A positive Kubernetes CPU quantity (250m, 2)."""
    value = read_str(obj, key, path, default)
    try:
        cores = parse_cpu(value)
    except ValueError:
        raise ConfigError(
            key_path(path, key), f"expected a CPU quantity like 500m or 2, got {describe(value)}"
        ) from None
    if cores <= 0:
        raise ConfigError(key_path(path, key), f"must be greater than zero, got {describe(value)}")
    return value


def parse_byte_size(text: str) -> float:
    """Bytes in a Prometheus size such as 40GiB or 40GB (both base 2); ValueError if invalid."""
    match = _BYTE_SIZE.match(text)
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _BYTE_FACTORS[match.group(2)[0]]


def read_byte_size(obj: Mapping[str, Any], key: str, path: str, default: str) -> str:
    """An optional Prometheus byte size (40GiB); the empty string means unset."""
    value = read_str(obj, key, path, default)
    if value == "":
        return value
    try:
        amount = parse_byte_size(value)
    except ValueError:
        raise ConfigError(
            key_path(path, key), f"expected a size like 40GiB, got {describe(value)}"
        ) from None
    if amount <= 0:
        raise ConfigError(key_path(path, key), f"must be greater than zero, got {describe(value)}")
    return value


def read_string_map(raw: Any, path: str) -> dict[str, str]:
    """A map of names to strings (labels, annotations, node selectors); None means empty."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ConfigError(path, f"expected a map of names to strings, got {describe(raw)}")
    for key, value in raw.items():
        if not isinstance(value, str):
            raise ConfigError(key_path(path, str(key)), f"expected a string, got {describe(value)}")
    return dict(raw)


def check_dns_label(value: Any, path: str) -> str:
    """A Kubernetes object name that must be an RFC 1123 DNS label."""
    if not isinstance(value, str):
        raise ConfigError(path, f"expected a string, got {describe(value)}")
    if len(value) > 63 or not _DNS_LABEL.match(value):
        raise ConfigError(
            path,
            "must be a DNS label (lower-case letters, digits and '-', starting and ending "
            f"with a letter or digit, at most 63 characters), got {describe(value)}",
        )
    return value


def read_dns_label(obj: Mapping[str, Any], key: str, path: str, default: str) -> str:
    """A string that must be a valid Kubernetes name (DNS label)."""
    return check_dns_label(obj.get(key, default), key_path(path, key))
