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
from rules.config import RulesConfig

UID = "ai-gpu-fleet"
G = 'hostname=~"$node", namespace=~"$namespace|", cluster=~"$cluster"'
LEGEND = "{{hostname}} GPU {{gpu}} {{pod}}"


def build(cfg: RulesConfig) -> dict[str, Any]:
    """The dashboard's JSON model."""
    rb = cfg.runbook_base_url
    variables = [
        *standard_variables(),
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
            "GPU Utilization",
            "5-minute average utilisation per GPU.",
            [(f"ai:gpu_utilization:avg{{{G}}}", LEGEND)],
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
            "used / (used + free) per GPU; vLLM preallocates its gpuMemoryUtilization share.",
            [(f"ai:gpu_memory_used:ratio{{{G}}}", LEGEND)],
            "percentunit",
            min=0,
            max=1,
            thresholds=thresholds((None, GREEN), (0.9, ORANGE), (cfg.gpu_memory_ratio, RED)),
            links=runbook_link(rb, "GPUMemoryNearFull"),
        ),
        timeseries(
            "Temperature",
            "GPU temperature, and the board's own slowdown temperature.",
            [
                (f"ai:gpu_temperature_celsius{{{G}}}", LEGEND),
                (
                    f"max without (instance, job, endpoint, service) (DCGM_FI_DEV_SLOWDOWN_TEMP{{{G}}})",
                    LEGEND + " slowdown",
                ),
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
            "XID Errors",
            "Last XID code per GPU (it stays until the driver reloads) and XIDs counted in the "
            "last hour.",
            [
                (f"DCGM_FI_DEV_XID_ERRORS{{{G}}} > 0", LEGEND),
                (f"increase(DCGM_EXP_XID_ERRORS_TOTAL{{{G}}}[1h]) > 0", LEGEND),
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
