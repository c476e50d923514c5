"""What the real exporters expose, as far as the rules use it (facts, checked by tests).

vLLM 0.33 (the pinned image): metric names keep the `vllm:` prefix with a colon; counters are
exposed with `_total`; histograms as `_bucket` (le printed as a float, "2.5", "5.0"), `_sum`,
`_count`. Engine metrics carry `model_name` (the served model name) and `engine`. HTTP metrics
come from prometheus-fastapi-instrumentator with `handler`, `method` and `status` grouped to
"2xx".."5xx", and no model label: our ServiceMonitor adds `model_name` as a target label.
"""

from __future__ import annotations

VLLM_METRICS: dict[str, str] = {
    "vllm:num_requests_running": "gauge",
    "vllm:num_requests_waiting": "gauge",
    "vllm:kv_cache_usage_perc": "gauge",  # a 0..1 fraction despite its name
    "vllm:prompt_tokens_total": "counter",
    "vllm:generation_tokens_total": "counter",
    "vllm:request_success_total": "counter",  # label finished_reason: stop|length|abort|error|repetition
    "vllm:time_to_first_token_seconds": "histogram",
    "vllm:inter_token_latency_seconds": "histogram",
    "vllm:e2e_request_latency_seconds": "histogram",
    "vllm:request_queue_time_seconds": "histogram",
    "vllm:num_preemptions_total": "counter",
    "vllm:prefix_cache_queries_total": "counter",
    "vllm:prefix_cache_hits_total": "counter",
}
HTTP_METRICS: dict[str, str] = {"http_requests_total": "counter"}

# Upper bounds of vLLM's time-to-first-token buckets (seconds); +Inf is implied.
TTFT_BUCKETS: tuple[float, ...] = (
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75,
    1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0,
)  # fmt: skip
# The inference endpoints whose server errors count against availability.
INFERENCE_HANDLERS = "/v1/(chat/completions|completions|responses|embeddings)"

# The DCGM exporter's job label (GPU Operator ServiceMonitor, jobLabel: app).
DCGM_JOB = "nvidia-dcgm-exporter"
# Target labels that change when an exporter pod restarts; dropped to keep GPU series stable.
TARGET_LABELS = "instance, job, endpoint, service"

# kube-state-metrics (the kube-prometheus-stack subchart) and Prometheus' own series.
KUBE_STATE_METRICS: dict[str, str] = {"kube_pod_info": "gauge", "kube_node_labels": "gauge"}
PROMETHEUS_SERIES: dict[str, str] = {"up": "gauge", "ALERTS": "gauge"}
# The bundled exporter's series (exporter/README.md).
EXPORTER_METRICS: dict[str, str] = {
    "ai_node_gpu_hourly_cost_dollars": "gauge",
    "ai_node_gpus": "gauge",
    "ai_pod_gpu_hourly_cost_dollars": "gauge",
    "ai_gpu_cost_dollars_total": "counter",
    "ai_quality_evaluations_total": "counter",
    "ai_quality_hallucinations_total": "counter",
    "ai_quality_score": "histogram",
    "ai_exporter_inventory_last_success_timestamp_seconds": "gauge",
    "ai_exporter_inventory_errors_total": "counter",
    "ai_exporter_unpriced_gpus": "gauge",
    "ai_exporter_evaluations_rejected_total": "counter",
}


def series_names(catalog: dict[str, str]) -> set[str]:
    """The series names a catalog exposes (histograms as _bucket, _sum and _count)."""
    names: set[str] = set()
    for name, kind in catalog.items():
        names |= (
            {f"{name}_bucket", f"{name}_sum", f"{name}_count"} if kind == "histogram" else {name}
        )
    return names
