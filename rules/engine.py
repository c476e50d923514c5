"""Engine internals per model (model_name): where each second of a request goes (queue, prefill,
decode), the prefix cache, preemptions, request shapes, tokens per engine step, speculative
decoding and why requests wait. Facts from vLLM's vllm/v1/metrics/loggers.py: prefix-cache
counters count tokens; vllm:iteration_tokens_total is a histogram whose name ends in _total;
token-length buckets follow each model's --max-model-len, so their quantiles are per model."""

from __future__ import annotations

from typing import Any

from rules._builders import alert, group, record
from rules.config import RulesConfig
from rules.inference import bucket_rate
from rules.stack import StackFacts

# ai:<name>:p50/p99 from each histogram; <name>_bucket:rate records its bucket rates once.
PHASES = {
    "queue": "vllm:request_queue_time_seconds",
    "prefill": "vllm:request_prefill_time_seconds",
    "decode": "vllm:request_decode_time_seconds",
}
LENGTHS = {
    "prompt_length_tokens": "vllm:request_prompt_tokens",
    "generation_length_tokens": "vllm:request_generation_tokens",
}
QUANTILES = ("p50", "p99")


def _per_model_rate(series: str, window: str) -> str:
    return f"sum by (model_name) (rate({series}[{window}]))"


def _ratio(numerator: str, denominator: str, window: str) -> str:
    """A ratio of two per-model rates; absent while the denominator is 0 (nothing to judge)."""
    return f"{_per_model_rate(numerator, window)} / ({_per_model_rate(denominator, window)} > 0)"


def _quantiles(name: str, histogram: str, window: str) -> list[dict[str, Any]]:
    rules = [record(f"ai:{name}_bucket:rate", bucket_rate(histogram, window))]
    for q in QUANTILES:
        quantile = int(q[1:]) / 100
        rules.append(
            record(f"ai:{name}:{q}", f"histogram_quantile({quantile}, ai:{name}_bucket:rate)")
        )
    return rules


def recording_rules(cfg: RulesConfig) -> list[dict[str, Any]]:
    """ai:* engine series, one per model (per phase or reason where they say so)."""
    w = cfg.rate_window
    rules = [
        record(
            "ai:prefix_cache_hit_ratio",
            _ratio("vllm:prefix_cache_hits_total", "vllm:prefix_cache_queries_total", w),
        ),
        # Registered always, 0 without a KV connector: absent then, not a 0% hit ratio.
        record(
            "ai:external_prefix_cache_hit_ratio",
            _ratio(
                "vllm:external_prefix_cache_hits_total",
                "vllm:external_prefix_cache_queries_total",
                w,
            ),
        ),
        record("ai:preemptions_per_second", _per_model_rate("vllm:num_preemptions_total", w)),
    ]
    for phase, histogram in PHASES.items():
        rules += _quantiles(f"{phase}_time_seconds", histogram, w)
    # Seconds spent in each phase per second, read once (the cost split reuses it); requests
    # per second are the +Inf bucket rates recorded above (a histogram's count).
    for phase, histogram in PHASES.items():
        requests = f'sum by (model_name) (ai:{phase}_time_seconds_bucket:rate{{le="+Inf"}})'
        rules += [
            record(
                "ai:request_phase_seconds:rate",
                _per_model_rate(f"{histogram}_sum", w),
                {"phase": phase},
            ),
            record(
                "ai:request_phase_seconds:avg",
                f'ai:request_phase_seconds:rate{{phase="{phase}"}}\n'
                f"/ on (model_name) group_left () ({requests} > 0)",
                {"phase": phase},
            ),
        ]
    for name, histogram in LENGTHS.items():
        rules += _quantiles(name, histogram, w)
    steps = "vllm:iteration_tokens_total"
    rules += [
        record("ai:batch_tokens:avg", _ratio(f"{steps}_sum", f"{steps}_count", w)),
        # Only where speculative decoding is on: the counters exist nowhere else.
        record(
            "ai:spec_decode_acceptance_ratio",
            _ratio(
                "vllm:spec_decode_num_accepted_tokens_total",
                "vllm:spec_decode_num_draft_tokens_total",
                w,
            ),
        ),
        record(
            "ai:requests_waiting_by_reason",
            "sum by (model_name, reason) (vllm:num_requests_waiting_by_reason)",
        ),
    ]
    return rules


def _prefix_cache_alert(cfg: RulesConfig, facts: StackFacts) -> list[dict[str, Any]]:
    """One branch per model with prefix caching on and a threshold (a workload without shared
    prefixes never hits, so the threshold is the model's own)."""
    if not facts.prefix_cache_hit_ratio:
        return []
    branches = " or ".join(
        f'ai:prefix_cache_hit_ratio{{model_name="{model}"}} < {ratio:g}'
        for model, ratio in sorted(facts.prefix_cache_hit_ratio.items())
    )
    return [
        alert(
            "PrefixCacheHitRateLow",
            f"""
            ({branches})
            and on (model_name)
            ai:prompt_tokens_per_second > 0
            """,
            cfg.prefix_cache_for,
            "warning",
            "The prefix cache of a model rarely hits.",
            "{{ $labels.model_name }} finds {{ $value | humanizePercentage }} of its prompt "
            "tokens in the prefix cache, under its threshold: prompts lost their shared "
            "prefix, or the cache is too small for the working set.",
            cfg.runbook_base_url,
        )
    ]


def alerts(cfg: RulesConfig, facts: StackFacts) -> list[dict[str, Any]]:
    """Preemptions, queueing that dominates latency, speculative decoding, prefix cache."""
    rb = cfg.runbook_base_url
    return [
        *_prefix_cache_alert(cfg, facts),
        alert(
            "HighPreemptionRate",
            f"ai:preemptions_per_second > {cfg.preemptions_per_second:g}",
            cfg.preemptions_for,
            "warning",
            "A model's requests are being preempted.",
            "{{ $labels.model_name }} preempts {{ $value | humanize }} requests a second "
            f"(threshold {cfg.preemptions_per_second:g}): its KV cache is too small for the "
            "load, and preempted requests recompute their prefill.",
            rb,
        ),
        alert(
            "QueueTimeDominates",
            f"ai:queue_time_seconds:p99 > {cfg.queue_share:g} * ai:e2e_latency_seconds:p99",
            cfg.queue_share_for,
            "warning",
            "Requests spend most of their time waiting for the engine.",
            "P99 queue time of {{ $labels.model_name }} is {{ $value | humanizeDuration }}, "
            f"more than {cfg.queue_share:.0%} of its p99 end-to-end latency: the model needs "
            "more replicas, not a faster GPU.",
            rb,
        ),
        alert(
            "SpeculativeDecodingIneffective",
            f"ai:spec_decode_acceptance_ratio < {cfg.spec_decode_acceptance:g}",
            cfg.spec_decode_for,
            "info",
            "The draft model's tokens are mostly rejected.",
            "{{ $labels.model_name }} accepts {{ $value | humanizePercentage }} of its draft "
            f"tokens (threshold {cfg.spec_decode_acceptance:.0%}): speculative decoding costs "
            "more than it saves; use another draft model or turn it off.",
            rb,
        ),
    ]


def groups(cfg: RulesConfig, facts: StackFacts) -> list[dict[str, Any]]:
    """The engine recording and alert groups."""
    return [
        group("ai-engine.rules", recording_rules(cfg), "diagnostics"),
        group("ai-engine.alerts", alerts(cfg, facts)),
    ]
