"""AI Inference Overview: traffic, latency, errors, queues, KV cache, GPU use and cost per model."""

from __future__ import annotations

from typing import Any

from dashboards._panels import (
    GREEN,
    ORANGE,
    RED,
    YELLOW,
    dashboard,
    dashboard_link,
    gauge,
    heatmap,
    row,
    runbook_link,
    standard_variables,
    stat,
    thresholds,
    timeseries,
)  # fmt: skip
from rules.config import RulesConfig

UID = "ai-inference-overview"
M = 'model_name=~"$model", cluster=~"$cluster"'
# vLLM's own series also carry the pod's namespace.
RAW = f'{M}, namespace=~"$namespace"'
# GPUs by the model server that holds them (DCGM names the pod, ai:pod_model:info its model).
GPU_PER_POD = """
avg by (cluster, namespace, pod, model_name) (
  ai:gpu_utilization:avg{namespace=~"$namespace", pod!="", cluster=~"$cluster"}
  * on (cluster, namespace, pod) group_left (model_name)
  ai:pod_model:info{namespace=~"$namespace", model_name=~"$model", cluster=~"$cluster"}
)
"""


def autoscaling_panels(rb: str) -> list[dict[str, Any]]:
    """Replicas the autoscaler keeps against the signal it scales on (autoscaled models)."""
    replicas = [
        (f"ai:model_autoscaler_replicas:{kind}{{{RAW}}}", f"{{{{model_name}}}} {kind}")
        for kind in ("current", "desired", "min", "max")
    ]
    errors = (
        "sum by (namespace, scaledObject) (increase(keda_scaled_object_errors_total{"
        'namespace=~"$namespace", cluster=~"$cluster"}[$__rate_interval]))'
    )
    return [
        row("Autoscaling"),
        timeseries(
            "Replicas (autoscaler)",
            "Current and desired replicas of each autoscaled model (its HPA, owned by KEDA) "
            "between its min and max. Desired at max while the signal stays above target: "
            "the model needs more than it may have.",
            replicas,
            "short",
            links=runbook_link(rb, "ModelAtMaxReplicas"),
        ),
        timeseries(
            "Scaling Signal vs Target",
            "What the autoscaler reads for each model (waiting or running requests per "
            "replica, or KV cache %) and the target of its ScaledObject; above the target, "
            "it adds replicas.",
            [
                (f"ai:autoscaling_signal:value{{{M}}}", "{{model_name}} {{signal}}"),
                (f"ai:autoscaling_target:value{{{M}}}", "{{model_name}} {{signal}} target"),
            ],
            "short",
        ),
        timeseries(
            "Autoscaler Errors",
            "Failed reads of each ScaledObject's triggers (KEDA). After 3 in a row the model "
            "holds its fallback replicas.",
            [(errors, "{{namespace}}/{{scaledObject}}")],
            "short",
            w=24,
            links=runbook_link(rb, "AutoscalerErrors"),
        ),
    ]


def load_generator_panels() -> list[dict[str, Any]]:
    """Whether the dev load generator sends what its config says (empty where it does not run)."""
    scope = 'cluster=~"$cluster", namespace=~"$namespace"'
    return [
        row("Load generator (dev)"),
        timeseries(
            "Load: Target vs Achieved",
            "Requests per second the load generator is configured to send to each model, the "
            "rate it achieves (answered, any status), and arrivals it dropped at its "
            "concurrency cap (the model cannot keep up).",
            [
                (f"loadgen_target_requests_per_second{{{scope}}}", "{{model}} target"),
                (
                    f"sum by (model) (rate(loadgen_requests_total{{{scope}}}[$__rate_interval]))",
                    "{{model}} achieved",
                ),
                (
                    f"sum by (model) (rate(loadgen_requests_dropped_total{{{scope}}}[$__rate_interval]))",
                    "{{model}} dropped",
                ),
            ],
            "reqps",
        ),
        timeseries(
            "Load: Errors and In Flight",
            "Load generator requests per second by HTTP status (0: unreachable), and requests "
            "in flight per model.",
            [
                (
                    f'sum by (model, status) (rate(loadgen_requests_total{{{scope}, status!="200"}}[$__rate_interval]))',
                    "{{model}} {{status}}",
                ),
                (f"loadgen_in_flight_requests{{{scope}}}", "{{model}} in flight"),
            ],
            "short",
        ),
    ]


def build(cfg: RulesConfig) -> dict[str, Any]:
    """The dashboard's JSON model."""
    rb = cfg.runbook_base_url
    raw_ttft = (
        f"histogram_quantile(0.99, sum by (model_name, le) "
        f"(rate(vllm:time_to_first_token_seconds_bucket{{{RAW}}}[$__rate_interval])))"
    )
    raw_e2e = (
        f"histogram_quantile(0.99, sum by (model_name, le) "
        f"(rate(vllm:e2e_request_latency_seconds_bucket{{{RAW}}}[$__rate_interval])))"
    )
    panels = [
        row("Traffic and latency"),
        timeseries(
            "Token Throughput",
            "Generated (output) and prompt tokens per second per model, across all its pods.",
            [
                (f"ai:tokens_per_second{{{M}}}", "{{model_name}} generated"),
                (f"ai:prompt_tokens_per_second{{{M}}}", "{{model_name}} prompt"),
            ],
            "suffix: tok/s",
        ),
        timeseries(
            "TTFT (P50 / P99)",
            "Time to first token per model (queueing and prefill included). Dots are exemplars "
            "linking to traces, from the raw histogram.",
            [
                (f"ai:ttft_seconds:p50{{{M}}}", "{{model_name}} p50"),
                (f"ai:ttft_seconds:p99{{{M}}}", "{{model_name}} p99"),
                (raw_ttft, "{{model_name}} p99 (raw, exemplars)"),
            ],
            "s",
            exemplar=True,
            thresholds=thresholds((None, GREEN), (cfg.ttft_p99_seconds, RED)),
            links=runbook_link(rb, "HighTimeToFirstToken"),
        ),
        timeseries(
            "Request Rate",
            "Finished requests per second per model (every finish reason).",
            [(f"ai:requests_per_second{{{M}}}", "{{model_name}}")],
            "reqps",
        ),
        timeseries(
            "Error Ratio",
            "Share of requests with a server error: 5xx of the inference endpoints, and "
            "finished_reason=error; the alert uses the larger.",
            [
                (f"ai:error_ratio{{{M}}}", "{{model_name}}"),
                (f"ai:http_server_errors:ratio{{{M}}}", "{{model_name}} 5xx"),
                (f"ai:engine_errors:ratio{{{M}}}", "{{model_name}} engine"),
            ],
            "percentunit",
            thresholds=thresholds((None, GREEN), (cfg.error_ratio, RED)),
            links=runbook_link(rb, "HighInferenceErrorRate"),
        ),
        timeseries(
            "Queue Depth",
            "Requests waiting and running per model; red above the waiting requests that alert.",
            [
                (f"ai:pending_requests{{{M}}}", "{{model_name}} waiting"),
                (f"ai:active_sequences{{{M}}}", "{{model_name}} running"),
            ],
            "short",
            thresholds=thresholds((None, GREEN), (cfg.queue_backlog, RED)),
            links=runbook_link(rb, "InferenceQueueBacklog"),
        ),
        timeseries(
            "Inter-Token Latency (P50 / P99)",
            "Time between generated tokens per model.",
            [
                (f"ai:itl_seconds:p50{{{M}}}", "{{model_name}} p50"),
                (f"ai:itl_seconds:p99{{{M}}}", "{{model_name}} p99"),
            ],
            "s",
        ),
        timeseries(
            "End-to-End Latency (P50 / P99)",
            "Request latency from arrival to the last token. Dots are exemplars linking to traces.",
            [
                (f"ai:e2e_latency_seconds:p50{{{M}}}", "{{model_name}} p50"),
                (f"ai:e2e_latency_seconds:p99{{{M}}}", "{{model_name}} p99"),
                (raw_e2e, "{{model_name}} p99 (raw, exemplars)"),
            ],
            "s",
            w=24,
            exemplar=True,
        ),
        row("Capacity and cost"),
        gauge(
            "KV-Cache Usage",
            "KV cache in use per model, averaged over its pods (vLLM reports 0-1; shown 0-100%).",
            [(f"ai:kv_cache_usage_percent{{{M}}}", "{{model_name}}")],
            "percent",
            min=0,
            max=100,
            thresholds=thresholds((None, GREEN), (60, YELLOW), (80, ORANGE), (90, RED)),
            links=runbook_link(rb, "KVCachePressure"),
        ),
        stat(
            "Cost per 1M Tokens",
            "GPU cost of the pods serving the model per second, divided by its generated "
            "tokens per second, times one million (USD).",
            [(f"ai:cost_per_million_tokens_dollars{{{M}}}", "{{model_name}}")],
            "currencyUSD",
            decimals=3,
            links=dashboard_link("Cost & Efficiency", "ai-cost-efficiency"),
        ),
        stat(
            "Cost per Request",
            "Amortised GPU cost of one request (cost per second / requests per second), USD.",
            [(f"ai:request_cost_dollars:avg{{{M}}}", "{{model_name}}")],
            "currencyUSD",
            decimals=5,
        ),
        stat(
            "Model GPU Cost",
            "GPU cost per hour of the pods serving each model, USD.",
            [(f"ai:model_cost_dollars_per_hour{{{M}}}", "{{model_name}}")],
            "currencyUSD",
        ),
        heatmap(
            "GPU Utilization per Pod",
            "5-minute GPU utilisation of the GPUs each model server holds.",
            [(GPU_PER_POD, "{{model_name}} {{namespace}}/{{pod}}")],
            "percent",
            w=24,
            links=dashboard_link("GPU Fleet", "ai-gpu-fleet"),
        ),
        *autoscaling_panels(rb),
        *load_generator_panels(),
    ]
    return dashboard(
        UID,
        "AI Inference Overview",
        "Per-model traffic, latency, errors, queues, KV cache, GPU use and cost.",
        panels,
        standard_variables(namespace_source="vllm:num_requests_running"),
        tags=("inference",),
    )
