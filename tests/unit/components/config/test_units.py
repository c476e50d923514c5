"""The unit parsers behind config validation."""

from __future__ import annotations

import pytest

from components.config.units import (
    parse_byte_size,
    parse_cpu,
    parse_duration,
    parse_quantity,
)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("15d", 15 * 86400), ("1h30m", 5400), ("30s", 30), ("2w", 14 * 86400), ("500ms", 0.5)],
)
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["", "15 days", "15D", "-5d", "1.5h", "d"])
def test_invalid_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_quantities_and_sizes() -> None:
    assert parse_quantity("50Gi") == 50 * 2**30
    assert parse_quantity("512M") == 512 * 10**6
    assert parse_byte_size("40GiB") == parse_byte_size("40GB") == 40 * 2**30
    assert parse_cpu("250m") == pytest.approx(0.25)
    assert parse_cpu("2") == 2
    for bad in ("50 GB", "50gb", "Gi"):
        with pytest.raises(ValueError):
            parse_quantity(bad)


def test_the_types_say_what_they_expect_and_refuse_zero() -> None:
    from pydantic import TypeAdapter, ValidationError

    from components.config.units import Duration, Quantity

    assert TypeAdapter(Duration).validate_python("90s") == "90s"
    with pytest.raises(
        ValidationError, match=r'expected a duration like 30s, 5m or 15d, got "1 h"'
    ):
        TypeAdapter(Duration).validate_python("1 h")
    with pytest.raises(ValidationError, match='must be greater than zero, got "0Gi"'):
        TypeAdapter(Quantity).validate_python("0Gi")


@pytest.mark.parametrize(
    ("text", "ok"),
    [("monitoring", True), ("a-1", True), ("A", False), ("-a", False), ("a" * 64, False)],
)
def test_dns_labels(text: str, ok: bool) -> None:
    from pydantic import TypeAdapter, ValidationError

    from components.config.units import DnsLabel

    if ok:
        assert TypeAdapter(DnsLabel).validate_python(text) == text
    else:
        with pytest.raises(ValidationError, match="expected a DNS label"):
            TypeAdapter(DnsLabel).validate_python(text)
