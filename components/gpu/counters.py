"""The DCGM exporter's counters list (dcgm-metrics.csv) that the GPU component deploys.

A custom list *replaces* the exporter's own, so it repeats every counter dcgm-exporter
4.6.0-4.8.3 (the version GPU Operator v26.7.0 pins) enables by default, then adds what the rules
and dashboards need. Pure: no pulumi import.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Counter:
    """One line of dcgm-metrics.csv: DCGM field, Prometheus type, help text."""

    field: str
    type: str  # gauge, counter or label
    help: str
    why: str = ""  # for added counters: what needs it


# Enabled by default in dcgm-exporter 4.6.0-4.8.3 (25 metrics and 1 label).
DEFAULT_COUNTERS: tuple[Counter, ...] = (
    Counter("DCGM_FI_DEV_SM_CLOCK", "gauge", "SM clock frequency (in MHz)."),
    Counter("DCGM_FI_DEV_MEM_CLOCK", "gauge", "Memory clock frequency (in MHz)."),
    Counter("DCGM_FI_DEV_MEMORY_TEMP", "gauge", "Memory temperature (in C)."),
    Counter("DCGM_FI_DEV_GPU_TEMP", "gauge", "GPU temperature (in C)."),
    Counter("DCGM_FI_DEV_POWER_USAGE", "gauge", "Power draw (in W)."),
    Counter(
        "DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION",
        "counter",
        "Total energy consumption since boot (in mJ).",
    ),
    Counter("DCGM_FI_DEV_PCIE_REPLAY_COUNTER", "counter", "Total number of PCIe retries."),
    Counter("DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilization (in %)."),
    Counter("DCGM_FI_DEV_MEM_COPY_UTIL", "gauge", "Memory bandwidth utilization (in %)."),
    Counter("DCGM_FI_DEV_ENC_UTIL", "gauge", "Encoder utilization (in %)."),
    Counter("DCGM_FI_DEV_DEC_UTIL", "gauge", "Decoder utilization (in %)."),
    Counter("DCGM_FI_DEV_XID_ERRORS", "gauge", "Value of the last XID error encountered."),
    Counter("DCGM_FI_DEV_FB_FREE", "gauge", "Framebuffer memory free (in MiB)."),
    Counter("DCGM_FI_DEV_FB_USED", "gauge", "Framebuffer memory used (in MiB)."),
    Counter("DCGM_FI_DEV_FB_RESERVED", "gauge", "Framebuffer memory reserved (in MiB)."),
    Counter(
        "DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL",
        "gauge",
        "Total number of NVLink bandwidth counters for all lanes.",
    ),
    Counter("DCGM_FI_DEV_VGPU_LICENSE_STATUS", "gauge", "vGPU License status."),
    Counter(
        "DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS",
        "counter",
        "Number of remapped rows for uncorrectable errors.",
    ),
    Counter(
        "DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS",
        "counter",
        "Number of remapped rows for correctable errors.",
    ),
    Counter("DCGM_FI_DEV_ROW_REMAP_FAILURE", "gauge", "Whether remapping of rows has failed."),
    Counter("DCGM_FI_DRIVER_VERSION", "label", "Driver Version."),
    Counter(
        "DCGM_FI_PROF_GR_ENGINE_ACTIVE", "gauge", "Ratio of time the graphics engine is active."
    ),
    Counter(
        "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE",
        "gauge",
        "Ratio of cycles the tensor (HMMA) pipe is active.",
    ),
    Counter(
        "DCGM_FI_PROF_DRAM_ACTIVE",
        "gauge",
        "Ratio of cycles the device memory interface is active sending or receiving data.",
    ),
    Counter(
        "DCGM_FI_PROF_PCIE_TX_BYTES",
        "gauge",
        "The rate of data transmitted over the PCIe bus (in bytes per second).",
    ),
    Counter(
        "DCGM_FI_PROF_PCIE_RX_BYTES",
        "gauge",
        "The rate of data received over the PCIe bus (in bytes per second).",
    ),
)

# Added by this project, each with the reason.
ADDED_COUNTERS: tuple[Counter, ...] = (
    Counter(
        "DCGM_FI_DEV_CLOCKS_EVENT_REASONS",
        "gauge",
        "Bitmask of active clock event (throttle) reasons.",
        "throttle reasons: thermal (0x20, 0x40) and power (0x4, 0x80) bits for alerts and the "
        "GPU Fleet dashboard",
    ),
    Counter(
        "DCGM_FI_DEV_POWER_VIOLATION",
        "counter",
        "Throttling duration due to power constraints (in ns).",
        "share of time throttled by power, as a rate (the bitmask only shows the instant)",
    ),
    Counter(
        "DCGM_FI_DEV_THERMAL_VIOLATION",
        "counter",
        "Throttling duration due to thermal constraints (in ns).",
        "share of time throttled by temperature, as a rate",
    ),
    Counter(
        "DCGM_FI_DEV_ENFORCED_POWER_LIMIT",
        "gauge",
        "Effective power limit the driver enforces (in W).",
        "power draw against the limit actually enforced",
    ),
    Counter(
        "DCGM_FI_DEV_SLOWDOWN_TEMP",
        "gauge",
        "Temperature at which the GPU slows down (in C).",
        "GPUThermalThrottle: the board's own slowdown temperature instead of one fixed number",
    ),
    Counter(
        "DCGM_FI_DEV_GPU_TEMP_LIMIT",
        "gauge",
        "Thermal margin: degrees below the nearest slowdown threshold (in C).",
        "GPUThermalThrottle on boards that report only the margin to slowdown (H100)",
    ),
    Counter(
        "DCGM_FI_DEV_ECC_DBE_VOL_TOTAL",
        "counter",
        "Total number of double-bit volatile ECC errors.",
        "GPUUncorrectableMemoryError: uncorrectable memory errors since the driver loaded",
    ),
    Counter(
        "DCGM_EXP_XID_ERRORS_TOTAL",
        "counter",
        "Total XID errors observed since exporter start.",
        "XID errors as a counter per code (the DCGM_FI_DEV_XID_ERRORS gauge only holds the last "
        "code, so two equal XIDs in a row are invisible)",
    ),
    Counter(
        "DCGM_FI_PROF_SM_ACTIVE",
        "gauge",
        "The ratio of cycles an SM has at least 1 warp assigned.",
        "GPU Fleet: SM activity next to utilisation (GPU_UTIL only says a kernel ran)",
    ),
)

COUNTERS: tuple[Counter, ...] = DEFAULT_COUNTERS + ADDED_COUNTERS
COUNTERS_KEY = "dcgm-metrics.csv"  # the key the GPU Operator mounts


def counter_names() -> frozenset[str]:
    """Every metric name the deployed exporter can emit from this list."""
    return frozenset(counter.field for counter in COUNTERS)


def counters_csv() -> str:
    """The dcgm-metrics.csv text: defaults first, then additions with their reasons."""
    lines = [
        "# DCGM FIELD, Prometheus metric type, help message",
        "# Generated by ai-observability (components/gpu/counters.py); edit there.",
        "# dcgm-exporter 4.6.0-4.8.3 defaults:",
    ]
    lines += [f"{c.field}, {c.type}, {c.help}" for c in DEFAULT_COUNTERS]
    lines.append("# Added for the ai-observability rules and dashboards:")
    for counter in ADDED_COUNTERS:
        lines.append(f"# {counter.why}")
        lines.append(f"{counter.field}, {counter.type}, {counter.help}")
    return "\n".join(lines) + "\n"
