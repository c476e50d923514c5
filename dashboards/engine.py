"""Engine Internals: why latency moves, per model. Where each second of a request goes (queue,
prefill, decode), the prefix cache, preemptions and KV cache, why requests wait, request shapes,
tokens per engine step, speculative decoding and LoRA adapters."""

from __future__ import annotations

from typing import Any

from dashboards._panels import (
    GREEN,
    ORANGE,
    RED,
    bucket_heatmap,
    dashboard,
    dashboard_link,
    row,
    runbook_link,
    standard_variables,
    table,
    thresholds,
    timeseries,
)
from rules.config import RulesConfig

UID = "ai-engine-internals"
M = 'model_name=~"$model", cluster=~"$cluster"'
# vLLM's own series also carry the pod's namespace.
RAW = f'{M}, namespace=~"$namespace"'
STACKED = {"stacking": {"mode": "normal", "group": "A"}, "fillOpacity": 60}
NOT_IN_SIMULATOR = "The simulator (dev) does not emit it: empty there."


def _length_heatmap(title: str, name: str, what: str) -> dict[str, Any]:
    return bucket_heatmap(
        title,
        f"{what} of finished requests, tokens per bucket (buckets follow each model's "
        "--max-model-len).",
        f"sum by (le) (ai:{name}_bucket:rate{{{M}}})",
        "short",
    )


def _time_panels(cfg: RulesConfig) -> list[dict[str, Any]]:
    return [
        row("Where the time goes"),
        timeseries(
            "Mean Time per Request by Phase",
            "Mean seconds a request spends waiting (queue), computing its prompt (prefill) "
            "and generating (decode), stacked: their sum is the engine's share of latency.",
            [(f"ai:request_phase_seconds:avg{{{M}}}", "{{model_name}} {{phase}}")],
            "s",
            custom=STACKED,
        ),
        timeseries(
            "P99 by Phase",
            "99th percentile of each phase: a rising queue needs replicas, a rising prefill "
            "points at long prompts or cache misses, a rising decode at large batches.",
            [
                (f"ai:queue_time_seconds:p99{{{M}}}", "{{model_name}} queue"),
                (f"ai:prefill_time_seconds:p99{{{M}}}", "{{model_name}} prefill"),
                (f"ai:decode_time_seconds:p99{{{M}}}", "{{model_name}} decode"),
            ],
            "s",
        ),
        timeseries(
            "TTFT next to Queue + Prefill",
            "Median time to first token next to the mean queue plus prefill time: a request's "
            "first token waits for both, so a gap between them is time spent outside the engine.",
            [
                (f"ai:ttft_seconds:p50{{{M}}}", "{{model_name}} ttft p50"),
                (
                    f'sum by (model_name) (ai:request_phase_seconds:avg{{{M}, phase=~"queue|prefill"}})',
                    "{{model_name}} queue + prefill",
                ),
            ],
            "s",
            links=dashboard_link("AI Inference Overview", "ai-inference-overview"),
        ),
        timeseries(
            "Queue Share of P99 Latency",
            f"P99 queue time / p99 end-to-end latency; above {cfg.queue_share:.0%} the model "
            "needs replicas, not a faster GPU.",
            [
                (
                    f"ai:queue_time_seconds:p99{{{M}}} / ai:e2e_latency_seconds:p99{{{M}}}",
                    "{{model_name}}",
                )
            ],
            "percentunit",
            min=0,
            max=1,
            thresholds=thresholds((None, GREEN), (cfg.queue_share, RED)),
            links=runbook_link(cfg.runbook_base_url, "QueueTimeDominates"),
        ),
    ]


def _cache_panels(cfg: RulesConfig) -> list[dict[str, Any]]:
    return [
        row("Cache and preemptions"),
        timeseries(
            "Prefix Cache Hit Ratio",
            "Prompt tokens found in the prefix cache / tokens looked up, local and through a "
            "KV connector (absent without one). The pinned simulator names its counters "
            "without _total: empty in dev.",
            [
                (f"ai:prefix_cache_hit_ratio{{{M}}}", "{{model_name}} local"),
                (f"ai:external_prefix_cache_hit_ratio{{{M}}}", "{{model_name}} external"),
            ],
            "percentunit",
            w=8,
            min=0,
            max=1,
            links=runbook_link(cfg.runbook_base_url, "PrefixCacheHitRateLow"),
        ),
        timeseries(
            "Preemptions per Second",
            "Requests evicted from the running batch for lack of KV cache blocks; they "
            f"recompute their prefill. {NOT_IN_SIMULATOR}",
            [(f"ai:preemptions_per_second{{{M}}}", "{{model_name}}")],
            "short",
            w=8,
            thresholds=thresholds((None, GREEN), (cfg.preemptions_per_second, ORANGE)),
            links=runbook_link(cfg.runbook_base_url, "HighPreemptionRate"),
        ),
        timeseries(
            "KV Cache Usage per Pod",
            "Share of each pod's KV cache blocks in use: near full, requests queue or are "
            "preempted.",
            [
                (
                    f"max by (model_name, namespace, pod) (vllm:kv_cache_usage_perc{{{RAW}}})",
                    "{{model_name}} {{namespace}}/{{pod}}",
                )
            ],
            "percentunit",
            w=8,
            min=0,
            max=1,
        ),
        row("Queue and batches"),
        timeseries(
            "Waiting Requests by Reason",
            "Requests waiting per model: capacity (the scheduler is full) or deferred (LoRA "
            f"budget, KV transfer). {NOT_IN_SIMULATOR}",
            [(f"ai:requests_waiting_by_reason{{{M}}}", "{{model_name}} {{reason}}")],
            "short",
        ),
        timeseries(
            "Tokens per Engine Step",
            f"Mean tokens each engine step processes: the batch the GPU works on. {NOT_IN_SIMULATOR}",
            [(f"ai:batch_tokens:avg{{{M}}}", "{{model_name}}")],
            "suffix: tokens",
            links=dashboard_link("Cost & Efficiency", "ai-cost-efficiency"),
        ),
    ]


def _shape_panels(cfg: RulesConfig) -> list[dict[str, Any]]:
    return [
        row("Request shapes"),
        _length_heatmap("Prompt Length", "prompt_length_tokens", "Prompt length"),
        _length_heatmap("Generation Length", "generation_length_tokens", "Generated length"),
        row("Speculative decoding and LoRA"),
        timeseries(
            "Speculative Decoding Acceptance",
            f"Draft tokens the model accepted / tokens drafted; under {cfg.spec_decode_acceptance:.0%} "
            "speculation costs more than it saves. Only where speculative decoding is on; "
            "the simulator has none.",
            [(f"ai:spec_decode_acceptance_ratio{{{M}}}", "{{model_name}}")],
            "percentunit",
            min=0,
            max=1,
            thresholds=thresholds((None, RED), (cfg.spec_decode_acceptance, GREEN)),
            links=runbook_link(cfg.runbook_base_url, "SpeculativeDecodingIneffective"),
        ),
        table(
            "LoRA Adapters",
            "Adapters running and waiting on each model's pods (comma-joined, from vLLM's "
            "lora_requests_info, whose value is the time of its last update). Only with LoRA "
            "adapters configured.",
            [
                (
                    "max by (model_name, running_lora_adapters, waiting_lora_adapters, max_lora) "
                    f"(vllm:lora_requests_info{{{RAW}}})",
                    "",
                )
            ],
            "dateTimeAsIso",
        ),
    ]


def build(cfg: RulesConfig) -> dict[str, Any]:
    """The dashboard's JSON model."""
    panels = [*_time_panels(cfg), *_cache_panels(cfg), *_shape_panels(cfg)]
    return dashboard(
        UID,
        "Engine Internals",
        "Why latency moves, per model: queue, prefill and decode, prefix cache, preemptions, "
        "waiting reasons, request shapes, speculative decoding, LoRA.",
        panels,
        standard_variables(namespace_source="vllm:num_requests_running"),
        tags=("engine", "inference"),
    )
