"""GPU Fleet: utilisation, memory, temperature, power, throttling and XID errors per GPU."""

from __future__ import annotations

from typing import Any

from dashboards._panels import (
    GREEN,
    ORANGE,
    RED,
    YELLOW,
    dashboard,
    query_variable,
    row,
    runbook_link,
    standard_variables,
    stat,
    table,
    thresholds,
    timeseries,
)  # fmt: skip
from rules._builders import appeared
from rules.config import RulesConfig
from rules.gpu import HEADROOM_CELSIUS, per_gpu

UID = "ai-gpu-fleet"
G = 'hostname=~"$node", namespace=~"$namespace|", cluster=~"$cluster"'
LEGEND = "{{hostname}} GPU {{gpu}} {{pod}}"


def build(cfg: RulesConfig) -> dict[str, Any]:
    """The dashboard's JSON model."""
    rb = cfg.runbook_base_url
    xid, total = f"DCGM_FI_DEV_XID_ERRORS{{{G}}}", f"DCGM_EXP_XID_ERRORS_TOTAL{{{G}}}"
    variables = [
        *standard_variables(namespace_source="ai:gpu_temperature_celsius", model=False),
        query_variable("node", "Node", "label_values(ai:gpu_temperature_celsius, hostname)"),
    ]
    panels = [
        row("Fleet"),
        stat(
            "GPUs",
            "GPUs reporting to DCGM.",
            [(f"count(ai:gpu_temperature_celsius{{{G}}})", "GPUs")],
            "short",
        ),
        stat(
            "Idle GPUs",
            "GPUs that no pod holds (they cost as much as busy ones).",
            [(f'count(ai:gpu_temperature_celsius{{{G}, pod=""}}) or vector(0)', "idle")],
            "short",
            thresholds=thresholds((None, GREEN), (1, YELLOW)),
        ),
        stat(
            "Mean Utilisation",
            "Mean 5-minute utilisation across the selected GPUs.",
            [(f"avg(ai:gpu_utilization:avg{{{G}}})", "mean")],
            "percent",
        ),
        stat(
            "Hottest GPU",
            "Highest GPU temperature now.",
            [(f"max(ai:gpu_temperature_celsius{{{G}}})", "max")],
            "celsius",
            thresholds=thresholds(
                (None, GREEN),
                (cfg.gpu_temperature_celsius - 5, ORANGE),
                (cfg.gpu_temperature_celsius, RED),
            ),
        ),
        row("Per GPU"),
        timeseries(
            "GPU Utilization and SM Activity",
            "5-minute average utilisation per GPU (a kernel was running), and the share of "
            "cycles its SMs had work (how much of the GPU that kernel used).",
            [
                (f"ai:gpu_utilization:avg{{{G}}}", LEGEND + " util"),
                (f"100 * {per_gpu(f'DCGM_FI_PROF_SM_ACTIVE{{{G}}}')}", LEGEND + " SM active"),
            ],
            "percent",
            min=0,
            max=100,
        ),
        timeseries(
            "Tensor and DRAM Activity",
            "Share of cycles the tensor pipe and the memory interface are active (datacenter GPUs only).",
            [
                (f"DCGM_FI_PROF_PIPE_TENSOR_ACTIVE{{{G}}}", LEGEND + " tensor"),
                (f"DCGM_FI_PROF_DRAM_ACTIVE{{{G}}}", LEGEND + " DRAM"),
            ],
            "percentunit",
            min=0,
            max=1,
        ),
        timeseries(
            "GPU Memory Used",
            "Framebuffer used per GPU.",
            [(f"ai:gpu_memory_used_bytes{{{G}}}", LEGEND)],
            "bytes",
        ),
        timeseries(
            "GPU Memory Used Ratio",
            "Used / (used + free) per GPU; vLLM preallocates its gpuMemoryUtilization share.",
            [(f"ai:gpu_memory_used:ratio{{{G}}}", LEGEND)],
            "percentunit",
            min=0,
            max=1,
            thresholds=thresholds((None, GREEN), (0.9, ORANGE), (cfg.gpu_memory_ratio, RED)),
            links=runbook_link(rb, "GPUMemoryNearFull"),
        ),
        timeseries(
            "Temperature",
            "GPU temperature and the board's own slowdown temperature (reported, or temperature "
            f"+ margin); the alert fires {HEADROOM_CELSIUS} °C below it.",
            [
                (f"ai:gpu_temperature_celsius{{{G}}}", LEGEND),
                (f"ai:gpu_slowdown_temperature_celsius{{{G}}}", LEGEND + " slowdown"),
            ],
            "celsius",
            thresholds=thresholds((None, GREEN), (cfg.gpu_temperature_celsius, RED)),
            links=runbook_link(rb, "GPUThermalThrottle"),
        ),
        timeseries(
            "Power",
            "Power draw per GPU, and its enforced limit.",
            [
                (f"ai:gpu_power_watts{{{G}}}", LEGEND),
                (
                    f"max without (instance, job, endpoint, service) (DCGM_FI_DEV_ENFORCED_POWER_LIMIT{{{G}}})",
                    LEGEND + " limit",
                ),
            ],
            "watt",
        ),
        timeseries(
            "Throttled Time",
            "Share of time each GPU's clocks were held down by power or thermal limits.",
            [
                (
                    f"rate(DCGM_FI_DEV_POWER_VIOLATION{{{G}}}[$__rate_interval]) / 1e9",
                    LEGEND + " power",
                ),
                (
                    f"rate(DCGM_FI_DEV_THERMAL_VIOLATION{{{G}}}[$__rate_interval]) / 1e9",
                    LEGEND + " thermal",
                ),
            ],
            "percentunit",
            min=0,
            max=1,
        ),
        table(
            "Throttle Reasons Now",
            "Clock event reasons bitmask per GPU: 0x4 and 0x80 power, 0x20 and 0x40 thermal, "
            "0x1 idle.",
            [
                (
                    f"max without (instance, job, endpoint, service) (DCGM_FI_DEV_CLOCKS_EVENT_REASONS{{{G}}}) > 1",
                    LEGEND,
                )
            ],
            "none",
        ),
        table(
            "XID Errors in the Time Range",
            "XIDs whose series appeared in the time range (the last code, which the exporter "
            "keeps as a label until it restarts) and XIDs counted per code in it.",
            [
                (appeared(xid, "UUID, err_code", "$__range", " > 0"), LEGEND),
                (f"({total} - {total} offset $__range) > 0", LEGEND),
                (appeared(total, "UUID, xid", "$__range"), LEGEND),
            ],
            "none",
            w=24,
            links=runbook_link(rb, "GPUXidError"),
        ),
    ]
    return dashboard(
        UID,
        "GPU Fleet",
        "Every GPU: utilisation, memory, temperature, power, throttling, XID errors.",
        panels,
        variables,
        tags=("gpu",),
    )
