"""Units of the config (durations, sizes, quantities, names): `parse_*` returns a number or
raises ValueError; each type is a string checked by its parser, its error showing the form. Pure."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator

from components.config.schema import describe, fail
from rules.durations import parse_duration

_POWERS = {p: 2.0 ** (10 * n) for n, p in enumerate("KMGTPE", 1)}
_DECIMAL = {"": 1, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "P": 1e15, "E": 1e18}
# Prometheus' --storage.tsdb.retention.size counts in base 2 either way (KB = KiB = 1024 B).
_BYTES = (
    {"B": 1} | {f"{p}B": f for p, f in _POWERS.items()} | {f"{p}iB": f for p, f in _POWERS.items()}
)


def _scaled(units: dict[str, float]) -> Callable[[str], float]:
    def parse(text: str) -> float:
        match = re.fullmatch(r"(\d+(?:\.\d+)?)([A-Za-z]*)", text)
        if not match or match.group(2) not in units:
            raise ValueError(text)
        return float(match.group(1)) * units[match.group(2)]

    return parse


parse_quantity = _scaled(_DECIMAL | {f"{p}i": f for p, f in _POWERS.items()})  # 50Gi, 512M
parse_cpu = _scaled({"": 1, "m": 0.001})  # cores: 500m, 2
parse_byte_size = _scaled(_BYTES)  # a Prometheus size: 40GiB, 40GB


def checked(
    parse: Callable[[str], float], expected: str, allow_zero: bool = False
) -> AfterValidator:
    """The text must parse, and be positive unless allow_zero."""

    def check(text: str) -> str:
        try:
            amount = parse(text)
        except ValueError:
            raise fail(f"expected {expected}, got {describe(text)}") from None
        if amount <= 0 and not allow_zero:
            raise fail(f"must be greater than zero, got {describe(text)}")
        return text

    return AfterValidator(check)


def matching(pattern: str, expected: str, max_length: int = 253) -> AfterValidator:
    """The text must match pattern (and fit in max_length)."""

    def check(text: str) -> str:
        if len(text) > max_length or not re.fullmatch(pattern, text):
            raise fail(f"expected {expected}, got {describe(text)}")
        return text

    return AfterValidator(check)


_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
Duration = Annotated[str, checked(parse_duration, "a duration like 30s, 5m or 15d")]
Quantity = Annotated[str, checked(parse_quantity, "a Kubernetes quantity like 512Mi or 50Gi")]
Cpu = Annotated[str, checked(parse_cpu, "a CPU quantity like 500m or 2")]
ByteSize = Annotated[str, checked(parse_byte_size, "a size like 40GiB")]
DnsLabel = Annotated[str, matching(_LABEL, "a DNS label (a-z, 0-9, '-'; at most 63)", 63)]
ObjectName = Annotated[str, matching(rf"{_LABEL}(\.{_LABEL})*", "a Kubernetes object name")]
HostPort = Annotated[str, matching(r"[A-Za-z0-9.-]+(:\d{1,5})?", "host[:port] without a scheme")]
