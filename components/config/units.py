"""Units of the config: Prometheus durations and sizes, Kubernetes quantities and names.

Each `parse_*` returns a number or raises ValueError; each type (`Duration`, `Quantity`, ...) is
a string checked by the matching parser, with an error message that shows the expected form.
Pure: no pulumi import.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator

from components.config.schema import describe, fail

_DURATION = re.compile(
    r"^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$"
)
_DURATION_SECONDS = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001)
_QUANTITY = re.compile(r"^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
_QUANTITY_FACTORS = {None: 1, "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15}
_QUANTITY_FACTORS |= {"E": 10**18, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
_QUANTITY_FACTORS |= {"Pi": 2**50, "Ei": 2**60}
_CPU = re.compile(r"^(\d+(?:\.\d+)?)(m)?$")
# Prometheus' --storage.tsdb.retention.size: base-2 units (KB = KiB = 1024 B).
_BYTE_SIZE = re.compile(r"^(\d+(?:\.\d+)?)(B|KB|MB|GB|TB|PB|EB|KiB|MiB|GiB|TiB|PiB|EiB)$")
_BYTE_FACTORS = {"B": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40, "P": 2**50, "E": 2**60}
_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration such as 15d or 1h30m."""
    match = _DURATION.match(text)
    if not text or not match:
        raise ValueError(text)
    return sum(int(n) * u for n, u in zip(match.groups(), _DURATION_SECONDS, strict=True) if n)


def parse_quantity(text: str) -> float:
    """The number a Kubernetes quantity such as 50Gi or 512M stands for."""
    match = _QUANTITY.match(text)
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _QUANTITY_FACTORS[match.group(2)]


def parse_cpu(text: str) -> float:
    """Cores in a Kubernetes CPU quantity (500m, 2)."""
    match = _CPU.match(text)
    if not match:
        raise ValueError(text)
    return float(match.group(1)) / (1000 if match.group(2) else 1)


def parse_byte_size(text: str) -> float:
    """Bytes in a Prometheus size such as 40GiB or 40GB (both base 2)."""
    match = _BYTE_SIZE.match(text)
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _BYTE_FACTORS[match.group(2)[0]]


def checked(parse: Callable[[str], float], expected: str, allow_zero: bool = False):
    """An AfterValidator: the text must parse, and be positive unless allow_zero."""

    def check(text: str) -> str:
        try:
            amount = parse(text)
        except ValueError:
            raise fail(f"expected {expected}, got {describe(text)}") from None
        if amount <= 0 and not allow_zero:
            raise fail(f"must be greater than zero, got {describe(text)}")
        return text

    return AfterValidator(check)


def matching(pattern: re.Pattern[str], expected: str, max_length: int = 253):
    """An AfterValidator: the text must match pattern (and fit in max_length)."""

    def check(text: str) -> str:
        if len(text) > max_length or not pattern.match(text):
            raise fail(f"expected {expected}, got {describe(text)}")
        return text

    return AfterValidator(check)


Duration = Annotated[str, checked(parse_duration, "a duration like 30s, 5m or 15d")]
Quantity = Annotated[str, checked(parse_quantity, "a Kubernetes quantity like 512Mi or 50Gi")]
Cpu = Annotated[str, checked(parse_cpu, "a CPU quantity like 500m or 2")]
ByteSize = Annotated[str, checked(parse_byte_size, "a size like 40GiB")]
DnsLabel = Annotated[
    str,
    matching(
        _DNS_LABEL,
        "a DNS label (lower-case letters, digits and '-', starting and ending with a letter "
        "or digit, at most 63 characters)",
        63,
    ),
]
ObjectName = Annotated[str, matching(_DNS_SUBDOMAIN, "a Kubernetes object name")]
HttpUrl = Annotated[str, matching(re.compile(r"^https?://\S+$"), "an http(s) URL")]
