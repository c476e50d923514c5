"""Prometheus durations (5m, 1h30m, 15d) in seconds: shared by the rules and the config."""

from __future__ import annotations

import re

_DURATION = re.compile(
    "".join(rf"(?:(\d+){unit})?" for unit in ("y", "w", "d", "h", "m", "s", "ms"))
)
_DURATION_SECONDS = (365 * 86400, 7 * 86400, 86400, 3600, 60, 1, 0.001)


def parse_duration(text: str) -> float:
    """Seconds in a Prometheus duration such as 15d or 1h30m; ValueError if it is none."""
    match = _DURATION.fullmatch(text)
    if not text or not match:
        raise ValueError(text)
    return sum(int(n) * u for n, u in zip(match.groups(), _DURATION_SECONDS, strict=True) if n)
