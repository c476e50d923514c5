"""Every alert at its edges, generated from the rules config defaults and the documented for:
windows (README, "Alerts"): just past and just short of each threshold, just before and just
after the for: window. Series names and labels are the exporters' (see tests/support/universe.py
for their sources: vLLM's metrics.py, dcgm-exporter's counters, kube-state-metrics)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from rules.config import RulesConfig
from rules.durations import parse_duration
from rules.groups import render_rule_file, rule_groups
from rules.stack import StackFacts
from tests.support.boundaries import (
    SAMPLES,
    Edge,
    Levels,
    above,
    at_least,
    below,
    promtool_file,
    rule_file,
)
from tests.support.tools import promtool

# The defaults, with budgets so that CostBudgetExceeded and TeamBudgetExceeded exist.
CONFIG = RulesConfig.model_validate(
    {"dailyBudgetDollars": 1000, "budgets": [{"team": "search", "dailyDollars": 250}]}
)
FACTS = StackFacts(evaluation_interval="1m", prefix_cache_hit_ratio={"m": 0.3})
RATE_WINDOW_SECONDS = parse_duration(CONFIG.rate_window)

MODEL = {"model_name": "m"}
POD = {"namespace": "inference", "pod": "m-6d4cf56db6-9xk2p"}
# vLLM's per-engine labels and the ServiceMonitor's target labels (components/inference).
ENGINE = {**MODEL, "engine": "0", **POD, "job": "m", "instance": "10.244.1.17:8000"}
# dcgm-exporter's GPU identity and the pod holding the GPU (Kubernetes mode).
GPU = {
    "gpu": "0", "UUID": "GPU-5fb5a4a1-3c2e-6d7b-8f9a-0b1c2d3e4f50", "device": "nvidia0",
    "modelName": "NVIDIA H100 80GB HBM3", "hostname": "gpu-node-1",
    "DCGM_FI_DRIVER_VERSION": "570.133.20", "pci_bus_id": "00000000:18:00.0",
    "container": "vllm", **POD,
}  # fmt: skip
DCGM_TARGET = {
    "job": "nvidia-dcgm-exporter", "instance": "10.244.2.5:9400", "endpoint": "gpu-metrics",
    "service": "nvidia-dcgm-exporter",
}  # fmt: skip
XID = {"err_code": "79", "err_msg": "GPU has fallen off the bus"}
# The exporter's self-metrics (exporter/exposition.py) with its ServiceMonitor's target labels.
EXPORTER = {
    "source": "pods", "job": "cost-exporter", "instance": "10.244.0.20:9402",
    "namespace": "monitoring", "pod": "cost-exporter-5c9d7b8f4-h2kqm", "service": "cost-exporter",
    "endpoint": "http", "container": "cost-exporter",
}  # fmt: skip
STALENESS = FACTS.exporter_staleness_seconds or 0
STALE_ONSET_MINUTES = int(STALENESS // 60) + 1  # the first minute a last success near 0 is stale
# What the SRE workbook's multiwindow burn-rate alerts use: (long, short, burn factor).
FAST_BURNS = (("1h", "5m", 14.4), ("6h", "30m", 6.0))
SLOW_BURNS = (("1d", "2h", 3.0), ("3d", "6h", 1.0))
# Thermal clock-event bits (DCGM's DCGM_CLOCKS_EVENT_REASON_SW_THERMAL 0x20, HW_THERMAL 0x40),
# and every other reason bit, which must not page as thermal.
THERMAL_BITS = (0x20, 0x40)
OTHER_BITS = (0x1, 0x2, 0x4, 0x8, 0x10, 0x80, 0x100)


def selector(name: str, labels: dict[str, str]) -> str:
    """A promtool input series."""
    return name + "{" + ", ".join(f'{k}="{v}"' for k, v in labels.items()) + "}"


def requests_gate(name: str, labels: dict[str, str], scale: float = 1.0) -> Levels:
    """At least rules.minRequests requests (or their rate over the rate window)."""
    return at_least(selector(name, labels), CONFIG.min_requests, integer=True, scale=scale)


def slo_edges() -> list[Edge]:
    edges = []
    for slo in CONFIG.slos:
        labels = {**MODEL, "slo": slo.name}
        for alert, for_, severity, burns in (
            ("SLOErrorBudgetBurnFast", "2m", "critical", FAST_BURNS),
            ("SLOErrorBudgetBurnSlow", "15m", "warning", SLOW_BURNS),
        ):
            for long, short, factor in burns:
                bound = factor * slo.error_budget
                edges.append(
                    Edge(
                        alert, for_, severity, labels,
                        levels=(
                            above(selector(f"slo:sli_error:ratio_rate{long}", labels), bound),
                            above(selector(f"slo:sli_error:ratio_rate{short}", labels), bound),
                            requests_gate(
                                f"slo:sli_requests:count{long}", {**labels, "source": "engine"}
                            ),
                        ),
                        name=f"{slo.name}-{long}-{short}",
                    )
                )  # fmt: skip
    return edges


def gpu_edges() -> list[Edge]:
    temperature = selector("ai:gpu_temperature_celsius", GPU)
    reasons = selector("DCGM_FI_DEV_CLOCKS_EVENT_REASONS", {**GPU, **DCGM_TARGET})
    spend = {"node": "gpu-node-1", "gpu_product": "NVIDIA-H100-80GB-HBM3"}
    return [
        Edge(
            "GPUMemoryNearFull", "5m", "warning", GPU,
            (above(selector("ai:gpu_memory_used:ratio", GPU), CONFIG.gpu_memory_ratio),),
        ),
        # Within 5 °C of the board's own slowdown temperature (90 °C here).
        Edge(
            "GPUThermalThrottle", "2m", "warning", GPU, (above(temperature, 90 - 5),),
            held={selector("ai:gpu_slowdown_temperature_celsius", GPU): "90x240"},
            name="slowdown-margin",
        ),
        Edge(
            "GPUThermalThrottle", "2m", "warning", GPU,
            (above(temperature, CONFIG.gpu_temperature_celsius),), name="no-slowdown-reported",
        ),
        Edge(
            "GPUThermalThrottle", "2m", "warning", GPU,
            (Levels(reasons, (*THERMAL_BITS, 0x60, 0x21), (0, *OTHER_BITS, sum(OTHER_BITS))),),
            name="clock-event-bits",
        ),
        *(
            Edge(
                "GPUUncorrectableMemoryError", "0m", "critical", {**GPU, "reason": reason},
                held={selector(name, {**GPU, **DCGM_TARGET}): values}, onset="5m", name=reason,
            )
            for reason, name, values in (
                ("ecc_dbe", "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL", "0x4 1x235"),
                ("uncorrectable_remap", "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS", "2x4 3x235"),
                ("remap_failure", "DCGM_FI_DEV_ROW_REMAP_FAILURE", "0x4 1x235"),
            )
        ),
        Edge(
            "GPUXidError", "1m", "warning", {**GPU, **DCGM_TARGET, **XID},
            held={selector("DCGM_FI_DEV_XID_ERRORS", {**GPU, **DCGM_TARGET, **XID}): "_x5 79x234"},
            onset="5m", name="new-xid-series",
        ),
        # The XID field reads 0 ("No Error") until a GPU reports one: a new series at 0 is none.
        Edge(
            "GPUXidError", "1m", "warning", {**GPU, **DCGM_TARGET, **XID},
            (Levels(selector("DCGM_FI_DEV_XID_ERRORS", {**GPU, **DCGM_TARGET, **XID}), (79,), (0,)),),
            name="code-zero-is-no-error",
        ),
        Edge(
            "GPUXidError", "1m", "warning", {**GPU, **DCGM_TARGET, "xid": "79"},
            held={
                selector("DCGM_EXP_XID_ERRORS_TOTAL", {**GPU, **DCGM_TARGET, "xid": "79"}): (
                    "1x14 2x225"
                )
            },
            onset="15m", name="xid-counter-rose",
        ),
        Edge(
            "GPUXidError", "1m", "warning", {**GPU, **DCGM_TARGET, "xid": "79"},
            held={
                selector("DCGM_EXP_XID_ERRORS_TOTAL", {**GPU, **DCGM_TARGET, "xid": "79"}): (
                    "_x5 1x234"
                )
            },
            onset="5m", name="new-xid-counter",
        ),
        Edge(
            "DCGMExporterDown", "5m", "warning", {**DCGM_TARGET, "namespace": "gpu-operator"},
            (below(selector("up", {**DCGM_TARGET, "namespace": "gpu-operator"}), 1, True),),
            name="down",
        ),
        Edge(
            "DCGMExporterDown", "5m", "warning", {"job": "nvidia-dcgm-exporter"},
            held={selector("up", {"job": "m", "instance": "10.244.1.17:8000"}): "1x240"},
            name="absent",
        ),
        # 24h spend of two nodes: the alert sums them (300 USD on the second node).
        Edge(
            "CostBudgetExceeded", "15m", "warning", {},
            (above(selector("ai:daily_spend_dollars", spend), CONFIG.daily_budget_dollars - 300),),
            held={selector("ai:daily_spend_dollars", {**spend, "node": "gpu-node-2"}): "300x240"},
        ),
        # The exporter's last success stays at a Unix time while time() moves on: stale past
        # the exporter's own limit (StackFacts.exporter_staleness_seconds), per source.
        Edge(
            "CostExporterInventoryStale", "5m", "warning", EXPORTER,
            (below(selector("ai_exporter_inventory_last_success_timestamp_seconds", EXPORTER),
                   60 * STALE_ONSET_MINUTES - STALENESS),),
            onset=f"{STALE_ONSET_MINUTES}m",
        ),
    ]  # fmt: skip


def engine_edges() -> list[Edge]:
    # QueueTimeDominates compares two recorded p99s: end-to-end held at 10 s.
    e2e = 10.0
    return [
        Edge(
            "PrefixCacheHitRateLow", CONFIG.prefix_cache_for, "warning", MODEL,
            (
                below(selector("ai:prefix_cache_hit_ratio", MODEL), FACTS.prefix_cache_hit_ratio["m"]),
                above(selector("ai:prompt_tokens_per_second", MODEL), 0),
            ),
        ),
        Edge(
            "HighPreemptionRate", CONFIG.preemptions_for, "warning", MODEL,
            (above(selector("ai:preemptions_per_second", MODEL), CONFIG.preemptions_per_second),),
        ),
        Edge(
            "QueueTimeDominates", CONFIG.queue_share_for, "warning", MODEL,
            (above(selector("ai:queue_time_seconds:p99", MODEL), CONFIG.queue_share * e2e),),
            held={selector("ai:e2e_latency_seconds:p99", MODEL): f"{e2e}x240"},
        ),
        Edge(
            "SpeculativeDecodingIneffective", CONFIG.spec_decode_for, "info", MODEL,
            (below(selector("ai:spec_decode_acceptance_ratio", MODEL), CONFIG.spec_decode_acceptance),),
        ),
    ]  # fmt: skip


# KEDA's operator (pkg/metricscollector/prommetrics.go) through its chart's ServiceMonitor, with
# our relabeling: namespace is the ScaledObject's (components/autoscaling/values.py).
KEDA_TARGET = {
    "job": "keda-operator", "instance": "10.244.3.7:8080",
    "pod": "keda-operator-7f9c6d8b5-x4k2m", "service": "keda-operator", "endpoint": "metrics",
    "container": "keda-operator",
}  # fmt: skip
SCALED_OBJECT = {"namespace": "inference", "scaledObject": "m"}


def autoscaling_edges() -> list[Edge]:
    # At the ceiling of 4 replicas (the HPA's, per model) with the signal above its target.
    replicas = {"namespace": "inference", **MODEL}
    current = selector("ai:model_autoscaler_replicas:current", replicas)
    ratio = {**MODEL, "signal": "pending_requests_per_replica"}
    errors = selector("keda_scaled_object_errors_total", {**SCALED_OBJECT, **KEDA_TARGET})
    return [
        Edge(
            "ModelAtMaxReplicas", CONFIG.at_max_replicas_for, "warning", replicas,
            (
                at_least(current, 4, integer=True),
                above(selector("ai:autoscaling_signal:ratio", ratio), 1),
            ),
            held={selector("ai:model_autoscaler_replicas:max", replicas): "4x240"},
        ),
        Edge(
            "AutoscalerErrors", CONFIG.autoscaler_errors_for, "warning",
            {**SCALED_OBJECT, **MODEL},
            # Quiet while no replica is available: nothing to read then.
            (above(selector("ai:model_replicas:available", replicas), 0, integer=True),),
            held={errors: "0+2x240"},  # two failed polls a minute
            onset="1m",
        ),
    ]  # fmt: skip


def chargeback_edges() -> list[Edge]:
    team = {"team": "search"}
    node = {"node": "gpu-node-1", "gpu_product": "NVIDIA-H100-80GB-HBM3"}
    priced = {**node, "instance_type": "p5.48xlarge", "capacity_type": "on_demand"}
    total = 100.0  # USD per hour of all GPUs
    return [
        Edge(
            "TeamBudgetExceeded", "15m", "warning", team,
            (above(selector("ai:team_spend_dollars:1d", team), CONFIG.budgets[0].daily_dollars),),
            held={selector("ai:team_budget_dollars:1d", team): f"{CONFIG.budgets[0].daily_dollars}x{SAMPLES}"},
        ),
        Edge(
            "IdleGpuSpendHigh", CONFIG.idle_spend_for, "warning", {},
            (above(selector("ai:idle_gpu_cost_dollars_per_hour", node), CONFIG.idle_spend_share * total),),
            held={selector("ai:gpu_cost_dollars_per_hour", priced): f"{total}x{SAMPLES}"},
        ),
    ]  # fmt: skip


def inference_edges() -> list[Edge]:
    ready = {**POD, "condition": "true", "uid": "5e8f7a6b", "job": "kube-state-metrics"}
    target = {**ENGINE, "service": "m", "endpoint": "http", "container": "vllm"}
    counters = ("vllm:prompt_tokens_total", "vllm:generation_tokens_total")
    return [
        Edge(
            "HighTimeToFirstToken", "2m", "warning", MODEL,
            (above(selector("ai:ttft_seconds:p99", MODEL), CONFIG.ttft_p99_seconds),),
        ),
        Edge(
            "HighInferenceErrorRate", "3m", "critical", MODEL,
            (
                above(selector("ai:error_ratio", MODEL), CONFIG.error_ratio),
                requests_gate("ai:requests_per_second", MODEL, RATE_WINDOW_SECONDS),
            ),
        ),
        Edge(
            "KVCachePressure", "5m", "warning", {**MODEL, **POD},
            # vLLM's gauge is a fraction (1 = 100%), the config a percentage.
            (above(selector("vllm:kv_cache_usage_perc", ENGINE), CONFIG.kv_cache_percent / 100),),
        ),
        Edge(
            "InferenceQueueBacklog", "5m", "warning", MODEL,
            (above(selector("ai:pending_requests", MODEL), CONFIG.queue_backlog, integer=True),),
        ),
        # Running requests, and counters that stand still from the first sample: the 5m rates
        # read 0 from the second sample on.
        Edge(
            "InferenceEngineStalled", "5m", "critical", {**MODEL, **POD},
            (above(selector("vllm:num_requests_running", ENGINE), 0, integer=True),),
            held={
                selector("vllm:request_success_total", {**ENGINE, "finished_reason": "stop"}): (
                    "1500x240"
                ),
                **{selector(name, ENGINE): "90000x240" for name in counters},
            },
            onset="1m",
        ),
        Edge(
            "InferenceModelUnavailable", "2m", "critical", {**MODEL, "namespace": "inference"},
            (
                above(selector("ai:model_replicas:desired", {**MODEL, "namespace": "inference"}), 0, True),
                below(selector("ai:model_replicas:available", {**MODEL, "namespace": "inference"}), 1, True),
                below(selector("ai:model_replicas:starting", {**MODEL, "namespace": "inference"}), 1, True),
            ),
        ),
        Edge(
            "InferenceTargetDown", "2m", "warning", target,
            (
                below(selector("up", target), 1, integer=True),
                above(selector("kube_pod_status_ready", ready), 0, integer=True),
            ),
        ),
        Edge(
            "HallucinationRateHigh", "10m", "warning", MODEL,
            (
                above(selector("ai:hallucination_rate:ratio_1h", MODEL), CONFIG.hallucination_rate),
                at_least(selector("ai:evaluations:increase_1h", MODEL), CONFIG.min_evaluations, True),
            ),
        ),
        # A 7-day mean of 0.8; the 1h mean more than rules.qualityDrift below it.
        Edge(
            "ModelQualityDrift", "30m", "warning", MODEL,
            (
                below(selector("ai:judge_score:avg_1h", MODEL), 0.8 - CONFIG.quality_drift),
                at_least(selector("ai:evaluations:increase_1h", MODEL), CONFIG.min_evaluations, True),
            ),
            held={selector("ai:judge_score:avg_7d", MODEL): "0.8x240"},
        ),
    ]  # fmt: skip


EDGES = (
    inference_edges()
    + engine_edges()
    + autoscaling_edges()
    + gpu_edges()
    + chargeback_edges()
    + slo_edges()
)


@pytest.mark.parametrize("edge", EDGES, ids=lambda e: e.id)
def test_the_alert_fires_past_its_thresholds_and_after_its_for_window(
    tmp_path: Path, edge: Edge
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(render_rule_file(rule_file(rule_groups(CONFIG, FACTS), edge.alert)["groups"]))
    tests = tmp_path / "edges.test.yaml"
    tests.write_text(yaml.safe_dump(promtool_file(rules.name, edge), sort_keys=False))
    result = promtool("test", "rules", str(tests))
    assert result.returncode == 0, result.stdout + result.stderr


def test_without_a_budget_there_is_no_budget_alert() -> None:
    alerts = {
        rule.get("alert")
        for area in rule_groups(RulesConfig(), FACTS).values()
        for group in area
        for rule in group["rules"]
    }
    assert "CostBudgetExceeded" not in alerts and "GPUXidError" in alerts


def test_every_alert_has_generated_edges() -> None:
    alerts = {
        rule["alert"]
        for area in rule_groups(CONFIG, FACTS).values()
        for group in area
        for rule in group["rules"]
        if "alert" in rule
    }
    assert {edge.alert for edge in EDGES} == alerts
    # Every configured SLO has both burn alerts on every window pair.
    assert len(slo_edges()) == len(CONFIG.slos) * (len(FAST_BURNS) + len(SLOW_BURNS))
