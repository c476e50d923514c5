"""Inference rules from vLLM's own metrics, aggregated per model (model_name)."""

from __future__ import annotations

from typing import Any

from rules._builders import alert, group, record
from rules.catalog import INFERENCE_HANDLERS
from rules.config import RulesConfig
from rules.durations import parse_duration
from rules.stack import StackFacts

QUANTILES = {
    "ttft_seconds": ("vllm:time_to_first_token_seconds", ("p50", "p90", "p99")),
    "itl_seconds": ("vllm:inter_token_latency_seconds", ("p50", "p99")),
    "e2e_latency_seconds": ("vllm:e2e_request_latency_seconds", ("p50", "p99")),
}


def bucket_rate(histogram: str, window: str) -> str:
    """Bucket rates per model and bound, summed across pods and engines before any quantile
    is interpolated; recorded once so the quantiles of one histogram share the work."""
    return f"sum by (model_name, le) (rate({histogram}_bucket[{window}]))"


def rate_rules(w: str) -> list[dict[str, Any]]:
    """Per-model rates of vLLM's counters, each read from the raw series once; the error
    ratios below and the SLO base rates divide these."""
    handlers = f'http_requests_total{{handler=~"{INFERENCE_HANDLERS}"'
    finished = "vllm:request_success_total"
    return [
        record(
            "ai:tokens_per_second",
            f"sum by (model_name) (rate(vllm:generation_tokens_total[{w}]))",
        ),
        record(
            "ai:prompt_tokens_per_second",
            f"sum by (model_name) (rate(vllm:prompt_tokens_total[{w}]))",
        ),
        record("ai:requests_per_second", f"sum by (model_name) (rate({finished}[{w}]))"),
        # HTTP metrics carry model_name as the ServiceMonitor's target label.
        record("ai:http_requests_per_second", f"sum by (model_name) (rate({handlers}}}[{w}]))"),
        record(
            "ai:http_server_errors_per_second",
            f'sum by (model_name) (rate({handlers}, status="5xx"}}[{w}]))',
        ),
        # A server without the error series (the simulator) has 0 errors, not no data.
        record(
            "ai:engine_errors_per_second",
            f'sum by (model_name) (rate({finished}{{finished_reason="error"}}[{w}]))'
            " or 0 * ai:requests_per_second",
        ),
    ]


# Quantiles no fast alert reads (dashboards; QueueTimeDominates waits 15 minutes): recorded
# at rules.diagnosticsInterval, in ai-inference-diagnostics.rules.
DIAGNOSTIC_QUANTILES = ("itl_seconds", "e2e_latency_seconds")


def quantile_rules(cfg: RulesConfig, names: tuple[str, ...]) -> list[dict[str, Any]]:
    """Bucket rates and quantiles of the named histograms of QUANTILES."""
    rules = []
    for name in names:
        histogram, quantiles = QUANTILES[name]
        rules.append(record(f"ai:{name}_bucket:rate", bucket_rate(histogram, cfg.rate_window)))
        for q in quantiles:
            rules.append(
                record(
                    f"ai:{name}:{q}",
                    f"histogram_quantile({int(q[1:]) / 100}, ai:{name}_bucket:rate)",
                )
            )
    return rules


def recording_rules(cfg: RulesConfig) -> list[dict[str, Any]]:
    """ai:* series per model (but the diagnostic quantiles)."""
    w = cfg.rate_window
    fast = tuple(n for n in QUANTILES if n not in DIAGNOSTIC_QUANTILES)
    rules = quantile_rules(cfg, fast)
    rules += rate_rules(w)
    rules += [
        # 5xx share of the inference endpoints; absent without traffic.
        record(
            "ai:http_server_errors:ratio",
            "ai:http_server_errors_per_second / (ai:http_requests_per_second > 0)",
        ),
        # finished_reason="error" share of finished requests (abort is not an error).
        record(
            "ai:engine_errors:ratio",
            "ai:engine_errors_per_second / (ai:requests_per_second > 0)",
        ),
        record(
            "ai:error_ratio",
            'max by (model_name) ({__name__=~"ai:http_server_errors:ratio|ai:engine_errors:ratio"})',
        ),
        record(
            "ai:kv_cache_usage_percent",
            "100 * avg by (model_name) (vllm:kv_cache_usage_perc)",
        ),
        record("ai:pending_requests", "sum by (model_name) (vllm:num_requests_waiting)"),
        record("ai:active_sequences", "sum by (model_name) (vllm:num_requests_running)"),
    ]
    return rules


def enough_requests(cfg: RulesConfig) -> str:
    """Models with at least cfg.min_requests requests in the rate window (HTTP or finished,
    whichever counts more): a ratio over a handful of requests is noise, not an incident."""
    rates = '{__name__=~"ai:http_requests_per_second|ai:requests_per_second"}'
    seconds = parse_duration(cfg.rate_window)
    return f"max by (model_name) ({rates}) * {seconds:g} >= {cfg.min_requests}"


def alerts(cfg: RulesConfig) -> list[dict[str, Any]]:
    """Alerts on latency, errors, KV cache, queues and stalls."""
    rb = cfg.runbook_base_url
    w = cfg.rate_window
    per_pod = "model_name, namespace, pod"
    return [
        alert(
            "HighTimeToFirstToken",
            f"ai:ttft_seconds:p99 > {cfg.ttft_p99_seconds:g}",
            "2m",
            "warning",
            "Time to first token is high.",
            f"P99 time to first token of {{{{ $labels.model_name }}}} is "
            f"{{{{ $value | humanizeDuration }}}} (threshold {cfg.ttft_p99_seconds:g}s).",
            rb,
        ),
        alert(
            "HighInferenceErrorRate",
            f"""
            ai:error_ratio > {cfg.error_ratio:g}
            and on (model_name)
            {enough_requests(cfg)}
            """,
            "3m",
            "critical",
            "Inference requests are failing.",
            "{{ $value | humanizePercentage }} of requests to {{ $labels.model_name }} fail "
            "with a server error (5xx or finished_reason=error; the larger of the two; "
            f"threshold {cfg.error_ratio:.0%}, at least {cfg.min_requests} requests in "
            f"{cfg.rate_window}).",
            rb,
        ),
        alert(
            "KVCachePressure",
            f"max by ({per_pod}) (vllm:kv_cache_usage_perc) > {cfg.kv_cache_percent / 100:g}",
            "5m",
            "warning",
            "KV cache is nearly full.",
            "KV cache of {{ $labels.model_name }} in {{ $labels.namespace }}/{{ $labels.pod }} "
            "is {{ $value | humanizePercentage }} full "
            f"(threshold {cfg.kv_cache_percent:g}%); requests will queue or be preempted.",
            rb,
        ),
        alert(
            "InferenceQueueBacklog",
            f"ai:pending_requests > {cfg.queue_backlog}",
            "5m",
            "warning",
            "Requests are queueing.",
            "{{ $value }} requests are waiting for {{ $labels.model_name }} "
            f"(threshold {cfg.queue_backlog}).",
            rb,
        ),
        alert(
            "InferenceEngineStalled",
            f"""
            sum by ({per_pod}) (vllm:num_requests_running) > 0
            and
            sum by ({per_pod}) (rate(vllm:request_success_total[{w}])) == 0
            and
            (
              sum by ({per_pod}) (rate(vllm:prompt_tokens_total[{w}]))
              + sum by ({per_pod}) (rate(vllm:generation_tokens_total[{w}]))
            ) == 0
            """,
            "5m",
            "critical",
            "An inference engine has requests running but nothing moves.",
            "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.model_name }}) has "
            f"{{{{ $value }}}} requests running, yet in {w} no request finished and no token "
            "was read or generated; /health does not catch a hung engine.",
            rb,
        ),
    ]


def groups(cfg: RulesConfig, facts: StackFacts) -> list[dict[str, Any]]:
    """The inference recording and alert groups."""
    return [
        group("ai-inference.rules", recording_rules(cfg)),
        group(
            "ai-inference-diagnostics.rules",
            quantile_rules(cfg, DIAGNOSTIC_QUANTILES),
            "diagnostics",
        ),
        group("ai-inference.alerts", alerts(cfg)),
    ]
