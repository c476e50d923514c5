"""What one synthetic vLLM pod exposes: the series the rules and dashboards read, with vLLM's
names, labels and buckets (vllm/v1/metrics/loggers.py; rules/catalog.py holds the buckets)."""

from __future__ import annotations

import math
from collections.abc import Iterator

from bench.fleet_model import Pod, Series, labels, pod_target
from rules.catalog import (
    ITERATION_TOKENS_BUCKETS,
    ITL_BUCKETS,
    REQUEST_LATENCY_BUCKETS,
    TTFT_BUCKETS,
    token_buckets,
)

FINISHED_REASONS = ("stop", "length", "abort", "error", "repetition")
INFERENCE_HANDLER = "/v1/chat/completions"  # one of INFERENCE_HANDLERS, which the SLO counts
MAX_MODEL_LEN = 8192  # the token-count histograms' buckets end at 5000


def histogram(
    name: str, target: str, buckets: tuple[float, ...], scale: float, rps: float
) -> Iterator[Series]:
    """A histogram: observations at rps per second, exponential with mean `scale`."""
    for upper in (*buckets, math.inf):
        share = 1.0 if math.isinf(upper) else 1.0 - math.exp(-upper / scale)
        le = "+Inf" if math.isinf(upper) else repr(float(upper))
        yield Series(f'{name}_bucket{{{target},le="{le}"}}', 0.0, rps * share)
    yield Series(f"{name}_count{{{target}}}", 0.0, rps)
    yield Series(f"{name}_sum{{{target}}}", 0.0, rps * scale)


def engine_series(pod: Pod, target: str, rps: float) -> Iterator[Series]:
    """The engine internals rules/engine.py reads: phase times, request shapes, engine steps,
    preemptions, the prefix cache and why requests wait (no speculative decoding)."""
    latency = REQUEST_LATENCY_BUCKETS
    yield from histogram("vllm:request_queue_time_seconds", target, latency, 0.5, rps)
    yield from histogram("vllm:request_prefill_time_seconds", target, latency, 0.3, rps)
    yield from histogram("vllm:request_decode_time_seconds", target, latency, 7.0, rps)
    tokens = token_buckets(MAX_MODEL_LEN)
    yield from histogram("vllm:request_prompt_tokens", target, tokens, 600.0, rps)
    yield from histogram("vllm:request_generation_tokens", target, tokens, 250.0, rps)
    steps = ITERATION_TOKENS_BUCKETS
    yield from histogram("vllm:iteration_tokens_total", target, steps, 64.0, rps * 50)
    yield Series(f"vllm:num_preemptions_total{{{target}}}", 0.0, rps * 0.001)
    yield Series(f"vllm:prefix_cache_queries_total{{{target}}}", 0.0, rps * 600)
    yield Series(f"vllm:prefix_cache_hits_total{{{target}}}", 0.0, rps * 300)
    yield Series(f"vllm:external_prefix_cache_queries_total{{{target}}}", 0.0)
    yield Series(f"vllm:external_prefix_cache_hits_total{{{target}}}", 0.0)
    phase = pod.index / 10
    for reason, base in (("capacity", 1.5), ("deferred", 0.5)):
        yield Series(
            f'vllm:num_requests_waiting_by_reason{{{target},reason="{reason}"}}',
            base,
            amplitude=base,
            phase=phase,
        )


def vllm_series(pod: Pod) -> Iterator[Series]:
    """The series one vLLM pod exposes that the rules and dashboards read."""
    target = labels(**pod_target(pod), engine="0")
    rps = 2.0 + (pod.index % 7) * 0.25
    ttft_scale = 0.15 + 0.05 * (pod.model % 10)  # a different TTFT per model
    phase = pod.index / 10
    yield Series(f"up{{{labels(**pod_target(pod))}}}", 1.0)
    yield Series(f"vllm:num_requests_running{{{target}}}", 8.0, amplitude=4.0, phase=phase)
    yield Series(f"vllm:num_requests_waiting{{{target}}}", 2.0, amplitude=2.0, phase=phase)
    yield Series(f"vllm:kv_cache_usage_perc{{{target}}}", 0.5, amplitude=0.3, phase=phase)
    yield Series(f"vllm:generation_tokens_total{{{target}}}", 0.0, rps * 250)
    yield Series(f"vllm:prompt_tokens_total{{{target}}}", 0.0, rps * 600)
    shares = {"stop": 0.9, "length": 0.08, "abort": 0.01, "error": 0.005, "repetition": 0.005}
    for reason in FINISHED_REASONS:
        yield Series(
            f'vllm:request_success_total{{{target},finished_reason="{reason}"}}',
            0.0,
            rps * shares[reason],
        )
    yield from histogram("vllm:time_to_first_token_seconds", target, TTFT_BUCKETS, ttft_scale, rps)
    yield from histogram("vllm:inter_token_latency_seconds", target, ITL_BUCKETS, 0.03, rps * 250)
    yield from histogram(
        "vllm:e2e_request_latency_seconds", target, REQUEST_LATENCY_BUCKETS, 8.0, rps
    )
    yield from engine_series(pod, target, rps)
    http = labels(**pod_target(pod), handler=INFERENCE_HANDLER, method="POST")
    for status, share in (("2xx", 0.985), ("4xx", 0.01), ("5xx", 0.005)):
        yield Series(f'http_requests_total{{{http},status="{status}"}}', 0.0, rps * share)
