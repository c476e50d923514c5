"""The histogram buckets the model servers' ServiceMonitor drops at scrape time, declared next to
the SLO thresholds that must keep theirs.

Every rule reads vLLM's buckets per pod before it sums them per model, so each bucket dropped
is 1,000 series fewer per evaluation on a 1,000-pod fleet. Only bounds where no realistic
quantile falls are dropped: latencies under 10 ms or over 80 s to the first token, gaps over 10 s
between tokens, requests (and their queue, prefill and decode phases) over 8 minutes, and every
bucket of vllm:iteration_tokens_total (the rules read its sum and count only). A quantile inside
the kept range is computed exactly as before; one beyond the highest kept bound reads as that
bound (80 s to the first token), as it reads as the top bound of any histogram. An SLO threshold
is never dropped, whatever its value.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rules.catalog import (
    ITERATION_TOKENS_BUCKETS,
    ITL_BUCKETS,
    REQUEST_LATENCY_BUCKETS,
    TTFT_BUCKETS,
)
from rules.config import RulesConfig

# histogram -> (its bounds, the bounds dropped unless an SLO threshold needs one)
DROPPED: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = {
    "vllm:time_to_first_token_seconds": (TTFT_BUCKETS, (0.001, 0.005, 160.0, 640.0, 2560.0)),
    "vllm:inter_token_latency_seconds": (ITL_BUCKETS, (20.0, 40.0, 80.0)),
    **{
        f"vllm:{name}": (REQUEST_LATENCY_BUCKETS, (960.0, 1920.0, 7680.0))
        for name in (
            "e2e_request_latency_seconds",
            "request_queue_time_seconds",
            "request_prefill_time_seconds",
            "request_decode_time_seconds",
        )
    },
    "vllm:iteration_tokens_total": (ITERATION_TOKENS_BUCKETS, ITERATION_TOKENS_BUCKETS),
}
# The SLO thresholds are bounds of this histogram (rules.config checks it).
SLO_HISTOGRAM = "vllm:time_to_first_token_seconds"


def le_pattern(bound: float) -> str:
    """An RE2 pattern for a bound as any exporter or Prometheus version prints it: vLLM writes
    2.5 and 160.0, Prometheus 3 normalises classic-histogram `le` on ingestion."""
    integer, _, fraction = repr(float(bound)).partition(".")
    return integer + (r"(\.0)?" if fraction == "0" else r"\." + fraction)


def promql_string(pattern: str) -> str:
    """A regex as the body of a PromQL string literal (backslashes doubled)."""
    return pattern.replace("\\", "\\\\")


def dropped_buckets(cfg: RulesConfig) -> dict[str, tuple[float, ...]]:
    """histogram -> the bounds its ServiceMonitor drops (none with dropUnusedBuckets off)."""
    if not cfg.drop_unused_buckets:
        return {}
    thresholds = {s.threshold_seconds for s in cfg.slos if s.threshold_seconds is not None}
    result = {}
    for histogram, (_, dropped) in DROPPED.items():
        kept = thresholds if histogram == SLO_HISTOGRAM else set()
        bounds = tuple(b for b in dropped if b not in kept)
        if bounds:
            result[histogram] = bounds
    return result


def _alternatives(bounds: Iterable[float]) -> str:
    return "|".join(le_pattern(b) for b in bounds)


def bucket_relabelings(cfg: RulesConfig) -> list[dict[str, Any]]:
    """The ServiceMonitor endpoint's metricRelabelings: one drop per histogram, matching its
    _bucket series by name and bound."""
    relabelings = []
    for histogram, bounds in dropped_buckets(cfg).items():
        every = set(bounds) == set(DROPPED[histogram][0])
        le = ".*" if every else f"({_alternatives(bounds)})"  # every bucket: +Inf too
        relabelings.append(
            {
                "action": "drop",
                "sourceLabels": ["__name__", "le"],
                "regex": f"{histogram}_bucket;{le}",
            }
        )
    return relabelings
