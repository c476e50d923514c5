"""What the real exporters expose, as Prometheus stores it: each family's type, the labels the
exporter writes and the target labels the scrape adds (facts from the exporters' code; the tests
hold every fixture and every rule to them).

vLLM 0.33 (the pinned image; vllm/v1/metrics/loggers.py): names keep the `vllm:` prefix with a
colon; counters end in `_total`; histograms are `_bucket` (le printed as a float, "2.5", "5.0"),
`_sum`, `_count`. Engine metrics carry `model_name` (the served model name) and `engine`. HTTP
metrics come from prometheus-fastapi-instrumentator with `handler`, `method` and `status` grouped
to "2xx".."5xx", and no model label: our ServiceMonitor adds `model_name` as a target label.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    """A metric family: its type, the labels every series has, and those only some have."""

    kind: str  # counter, gauge or histogram
    labels: frozenset[str]
    optional: frozenset[str] = frozenset()

    def allows(self, labels: set[str], bucket: bool = False) -> bool:
        """Whether a series with these label names can come from this family."""
        extra = {"le"} if bucket else set()
        return self.labels | extra <= labels <= self.labels | self.optional | extra


def family(kind: str, labels: str, target: str, optional: str = "") -> Family:
    """A Family from space-separated label names: the exporter's, the target's, the optional."""
    return Family(kind, frozenset((labels + " " + target).split()), frozenset(optional.split()))


# prometheus-operator's target labels for a ServiceMonitor endpoint (pod and container come
# from the endpoint's pod).
SERVICE_MONITOR_TARGET = "namespace service pod container endpoint job instance"
# Our model ServiceMonitor adds the Service's model_name (targetLabels); honorLabels keeps
# vLLM's own. The simulator (llm-d-inference-sim) writes no engine label.
VLLM_TARGET = SERVICE_MONITOR_TARGET + " model_name"
VLLM_OPTIONAL = "engine"


def _vllm(kind: str, labels: str = "", optional: str = "") -> Family:
    return family(kind, labels, VLLM_TARGET, f"{VLLM_OPTIONAL} {optional}")


VLLM_METRICS: dict[str, Family] = {
    "vllm:num_requests_running": _vllm("gauge"),
    "vllm:num_requests_waiting": _vllm("gauge"),
    "vllm:kv_cache_usage_perc": _vllm("gauge"),  # a 0..1 fraction despite its name
    "vllm:prompt_tokens_total": _vllm("counter"),
    "vllm:generation_tokens_total": _vllm("counter"),
    # finished_reason: stop|length|abort|error|repetition, every one created at start; the
    # simulator writes finish_reason instead.
    "vllm:request_success_total": _vllm("counter", "", "finished_reason finish_reason"),
    "vllm:time_to_first_token_seconds": _vllm("histogram"),
    "vllm:inter_token_latency_seconds": _vllm("histogram"),
    "vllm:e2e_request_latency_seconds": _vllm("histogram"),
    "vllm:request_queue_time_seconds": _vllm("histogram"),
    "vllm:num_preemptions_total": _vllm("counter"),
    "vllm:prefix_cache_queries_total": _vllm("counter"),
    "vllm:prefix_cache_hits_total": _vllm("counter"),
    # Engine internals (rules/engine.py). Token lengths count tokens, buckets up to the
    # model's --max-model-len; iteration_tokens_total is a histogram despite its name.
    "vllm:external_prefix_cache_queries_total": _vllm("counter"),
    "vllm:external_prefix_cache_hits_total": _vllm("counter"),
    "vllm:request_prefill_time_seconds": _vllm("histogram"),
    "vllm:request_decode_time_seconds": _vllm("histogram"),
    "vllm:request_prompt_tokens": _vllm("histogram"),
    "vllm:request_generation_tokens": _vllm("histogram"),
    "vllm:iteration_tokens_total": _vllm("histogram"),
    "vllm:num_requests_waiting_by_reason": _vllm("gauge", "reason"),
    # Only with --enable-lora (the simulator registers it always): adapters as comma-joined
    # label values, no model_name of its own (the target label adds it), a timestamp as value.
    "vllm:lora_requests_info": _vllm(
        "gauge", "max_lora waiting_lora_adapters running_lora_adapters"
    ),
    # Only with speculative decoding configured.
    "vllm:spec_decode_num_draft_tokens_total": _vllm("counter"),
    "vllm:spec_decode_num_accepted_tokens_total": _vllm("counter"),
}
HTTP_METRICS: dict[str, Family] = {
    "http_requests_total": family("counter", "handler method status", VLLM_TARGET)
}

# Upper bounds of vLLM's time-to-first-token buckets (seconds); +Inf is implied.
TTFT_BUCKETS: tuple[float, ...] = (
    0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75,
    1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0, 640.0, 2560.0,
)  # fmt: skip
# vLLM's inter-token latency buckets, and the request-latency buckets it shares between the
# end-to-end, queue, prefill, decode and inference time histograms (unchanged since 0.8.5).
ITL_BUCKETS: tuple[float, ...] = (
    0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
    20.0, 40.0, 80.0,
)  # fmt: skip
REQUEST_LATENCY_BUCKETS: tuple[float, ...] = (
    0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0,
    240.0, 480.0, 960.0, 1920.0, 7680.0,
)  # fmt: skip
# vllm:iteration_tokens_total's buckets (since 0.10.0).
ITERATION_TOKENS_BUCKETS: tuple[float, ...] = (
    1.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0, 512.0, 1024.0, 2048.0, 4096.0, 8192.0, 16384.0,
)  # fmt: skip


def token_buckets(max_model_len: int) -> tuple[float, ...]:
    """vLLM's 1-2-5 buckets of the token-count histograms, up to --max-model-len
    (vllm/v1/metrics/loggers.py build_1_2_5_buckets)."""
    bounds, exponent = [], 0
    while True:
        for mantissa in (1, 2, 5):
            value = mantissa * 10**exponent
            if value > max_model_len:
                return tuple(float(b) for b in bounds)
            bounds.append(value)
        exponent += 1


# The inference endpoints whose server errors count against availability.
INFERENCE_HANDLERS = "/v1/(chat/completions|completions|responses|embeddings)"

# The DCGM exporter's job label (GPU Operator ServiceMonitor, jobLabel: app).
DCGM_JOB = "nvidia-dcgm-exporter"
# Target labels that change when an exporter pod restarts; dropped to keep GPU series stable.
TARGET_LABELS = "instance, job, endpoint, service"
# dcgm-exporter 4.8 (rendermetrics/render_metrics.go, collector/gpu_collector.go): every GPU
# series; pci_bus_id is empty (so absent) on the exporter's own DCGM_EXP_* series; namespace,
# pod and container only when a pod holds the GPU (Kubernetes mode); GPU_I_* on MIG instances.
# The GPU Operator's ServiceMonitor with our relabeling keeps instance, job, endpoint, service.
DCGM_LABELS = "gpu UUID device modelName hostname DCGM_FI_DRIVER_VERSION"
DCGM_OPTIONAL = "pci_bus_id namespace pod container GPU_I_PROFILE GPU_I_ID"
DCGM_TARGET = TARGET_LABELS.replace(",", "")
# Labels some DCGM series add: the XID code in err_code/err_msg (gpu_collector.go toMetric),
# the XID of the exporter's counter (collector/xid_total_collector.go).
DCGM_EXTRA_LABELS = {
    "DCGM_FI_DEV_XID_ERRORS": "err_code err_msg",
    "DCGM_EXP_XID_ERRORS_TOTAL": "xid",
}


def dcgm_family(name: str, kind: str = "gauge") -> Family:
    """A DCGM exporter series (its name must be in the deployed counters list)."""
    return family(
        kind, f"{DCGM_LABELS} {DCGM_EXTRA_LABELS.get(name, '')}", DCGM_TARGET, DCGM_OPTIONAL
    )


# kube-state-metrics 2.20 (the kube-prometheus-stack 88.5.3 subchart; internal/store/pod.go,
# deployment.go). Its ServiceMonitor honours labels, so a pod's series name the pod; series of
# other objects keep the scrape target's pod (kube-state-metrics' own) and container.
KSM_TARGET = "job instance endpoint service container"
POD = "namespace pod uid"
DEPLOYMENT = "namespace deployment pod"
HPA = "namespace horizontalpodautoscaler pod"
KUBE_STATE_METRICS: dict[str, Family] = {
    "kube_pod_created": family("gauge", POD, KSM_TARGET),
    "kube_pod_status_ready": family("gauge", f"{POD} condition", KSM_TARGET),
    # label_<key> for each allowlisted pod label (metricLabelsAllowlist).
    "kube_pod_labels": family("gauge", POD, KSM_TARGET, "label_model_name"),
    "kube_deployment_spec_replicas": family("gauge", DEPLOYMENT, KSM_TARGET),
    "kube_deployment_status_replicas_available": family("gauge", DEPLOYMENT, KSM_TARGET),
    "kube_deployment_labels": family("gauge", DEPLOYMENT, KSM_TARGET, "label_model_name"),
    # internal/store/horizontalpodautoscaler.go: every series names its HPA; _info its target.
    "kube_horizontalpodautoscaler_info": family(
        "gauge",
        f"{HPA} scaletargetref_kind scaletargetref_name",
        KSM_TARGET,
        "scaletargetref_api_version",
    ),
    "kube_horizontalpodautoscaler_spec_min_replicas": family("gauge", HPA, KSM_TARGET),
    "kube_horizontalpodautoscaler_spec_max_replicas": family("gauge", HPA, KSM_TARGET),
    "kube_horizontalpodautoscaler_status_current_replicas": family("gauge", HPA, KSM_TARGET),
    "kube_horizontalpodautoscaler_status_desired_replicas": family("gauge", HPA, KSM_TARGET),
}
# KEDA 2.20's operator (pkg/metricscollector/prommetrics.go) writes the ScaledObject's
# namespace and name; its chart's ServiceMonitor (no honorLabels) would rename that namespace
# exported_namespace, and our metricRelabelings put it back (components/autoscaling/values.py),
# so `namespace` is the ScaledObject's and the rest are the scrape's target labels.
KEDA_METRICS: dict[str, Family] = {
    "keda_scaled_object_errors_total": family(
        "counter", "namespace scaledObject", SERVICE_MONITOR_TARGET
    ),
}
# The pod label naming a model server's model (ours carry it; kube-state-metrics exports it
# as label_model_name once allowlisted).
MODEL_POD_LABEL = "model_name"

# Prometheus' own series: up has the target labels of whichever target it describes.
PROMETHEUS_SERIES: dict[str, Family] = {
    "up": family("gauge", "", "job instance", f"{VLLM_TARGET} {DCGM_TARGET}"),
    "ALERTS": family("gauge", "alertname alertstate", "", "severity model_name slo"),
}
# The bundled exporter (exporter/exposition.py, exporter/quality.py), scraped with honorLabels:
# ai_pod_* name the GPU pod's namespace and pod instead of the exporter's.
EXPORTER_TARGET = SERVICE_MONITOR_TARGET
EXPORTER_METRICS: dict[str, Family] = {
    "ai_node_gpu_hourly_cost_dollars": family(
        "gauge", "node gpu_product instance_type capacity_type", EXPORTER_TARGET
    ),
    "ai_node_gpus": family("gauge", "node gpu_product", EXPORTER_TARGET),
    "ai_pod_gpu_hourly_cost_dollars": family("gauge", "node", EXPORTER_TARGET),
    # GPU-equivalents a pod holds (a time-sliced or MIG share), and per node.
    "ai_pod_gpu_allocation": family("gauge", "node", EXPORTER_TARGET),
    "ai_node_gpus_allocated": family("gauge", "node", EXPORTER_TARGET),
    # The attribution labels (attribution.labels; `team` by default) of each GPU pod.
    "ai_pod_cost_attribution_info": family("gauge", "team", EXPORTER_TARGET),
    "ai_exporter_unpriced_pod_gpus": family("gauge", "resource", EXPORTER_TARGET),
    "ai_gpu_cost_dollars_total": family("counter", "node", EXPORTER_TARGET),
    "ai_quality_evaluations_total": family("counter", "model_name evaluator", EXPORTER_TARGET),
    "ai_quality_hallucinations_total": family("counter", "model_name evaluator", EXPORTER_TARGET),
    "ai_quality_score": family("histogram", "model_name evaluator", EXPORTER_TARGET),
    "ai_exporter_inventory_last_success_timestamp_seconds": family(
        "gauge", "source", EXPORTER_TARGET
    ),
    "ai_exporter_inventory_errors_total": family("counter", "source", EXPORTER_TARGET),
    "ai_exporter_inventory_objects_skipped_total": family(
        "counter", "source reason", EXPORTER_TARGET
    ),
    "ai_exporter_unpriced_gpus": family("gauge", "node gpu_product", EXPORTER_TARGET),
    "ai_exporter_evaluations_rejected_total": family("counter", "reason", EXPORTER_TARGET),
}
# The dev load generator (loadgen/load_generator.py), scraped by its PodMonitor (pod target
# labels, no service).
LOADGEN_TARGET = "namespace pod container endpoint job instance"
LOADGEN_METRICS: dict[str, Family] = {
    "loadgen_requests_total": family("counter", "model status", LOADGEN_TARGET),
    "loadgen_requests_dropped_total": family("counter", "model", LOADGEN_TARGET),
    "loadgen_in_flight_requests": family("gauge", "model", LOADGEN_TARGET),
    "loadgen_target_requests_per_second": family("gauge", "model", LOADGEN_TARGET),
}
CATALOGS = (
    VLLM_METRICS,
    LOADGEN_METRICS,
    HTTP_METRICS,
    KUBE_STATE_METRICS,
    KEDA_METRICS,
    PROMETHEUS_SERIES,
    EXPORTER_METRICS,
)


def series_names(catalog: dict[str, Family]) -> set[str]:
    """The series names a catalog exposes (histograms as _bucket, _sum and _count)."""
    names: set[str] = set()
    for name, fam in catalog.items():
        names |= (
            {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
            if fam.kind == "histogram"
            else {name}
        )
    return names


def family_of(series: str) -> tuple[Family, bool] | None:
    """The family a non-DCGM series name belongs to, and whether it is a histogram bucket."""
    for catalog in CATALOGS:
        if series in catalog:
            return catalog[series], False
        base, _, suffix = series.rpartition("_")
        if (
            base in catalog
            and catalog[base].kind == "histogram"
            and suffix in ("bucket", "sum", "count")
        ):
            return catalog[base], suffix == "bucket"
    return None
