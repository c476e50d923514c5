"""GPU rules from the DCGM exporter, keeping each GPU's identity (hostname, gpu, UUID,
modelName) and the workload labels (namespace, pod, container) of the pod that holds it."""

from __future__ import annotations

from typing import Any

from rules._builders import alert, appeared, group, labelled, record
from rules.catalog import DCGM_JOB, TARGET_LABELS
from rules.config import RulesConfig
from rules.stack import StackFacts

MIB = 1024 * 1024
# Clock event (throttle) reason bits: 0x20 software thermal slowdown, 0x40 hardware thermal
# slowdown. PromQL has no bitwise AND: floor(x / 32) % 4 > 0 tests bits 5 and 6.
THERMAL_BITS_DIVISOR = 32
# Warn this many degrees before the board's own slowdown temperature.
HEADROOM_CELSIUS = 5
# A new XID stays news this long (the gauge keeps its last code until the exporter restarts).
XID_WINDOW = "10m"


def per_gpu(metric: str) -> str:
    """A DCGM series without the scrape target's labels (they change when the exporter pod
    restarts), so each GPU keeps one series."""
    return f"max without ({TARGET_LABELS}) ({metric})"


def recording_rules(cfg: RulesConfig) -> list[dict[str, Any]]:
    """ai:gpu_* series, one per GPU."""
    return [
        record(
            "ai:gpu_utilization:avg",
            f"avg without ({TARGET_LABELS}) (avg_over_time(DCGM_FI_DEV_GPU_UTIL[{cfg.rate_window}]))",
        ),
        # Framebuffer values are MiB.
        record("ai:gpu_memory_used_bytes", f"{per_gpu('DCGM_FI_DEV_FB_USED')} * {MIB}"),
        # The framebuffer total is not exported by default: used / (used + free), with used
        # from the series just recorded so each GPU's FB_USED is read once per evaluation.
        record(
            "ai:gpu_memory_used:ratio",
            f"""
            ai:gpu_memory_used_bytes
            /
            (ai:gpu_memory_used_bytes + {per_gpu("DCGM_FI_DEV_FB_FREE")} * {MIB})
            """,
        ),
        record("ai:gpu_temperature_celsius", per_gpu("DCGM_FI_DEV_GPU_TEMP")),
        # The board's own slowdown temperature; boards that report only the margin to it
        # (GPU_TEMP_LIMIT, e.g. H100) get temperature + margin. Unsupported fields are absent
        # (dcgm-exporter skips blank values).
        record(
            "ai:gpu_slowdown_temperature_celsius",
            f"""
            {per_gpu("DCGM_FI_DEV_SLOWDOWN_TEMP")} > 0
            or
            ai:gpu_temperature_celsius + {per_gpu("DCGM_FI_DEV_GPU_TEMP_LIMIT")}
            """,
        ),
        record("ai:gpu_power_watts", per_gpu("DCGM_FI_DEV_POWER_USAGE")),
    ]


def thermal_condition(cfg: RulesConfig) -> str:
    """Within the headroom of the board's slowdown temperature (the fixed threshold only where
    the board reports none), or clocks held down by a thermal reason."""
    temp, slowdown = "ai:gpu_temperature_celsius", "ai:gpu_slowdown_temperature_celsius"
    return f"""
    {temp} > {slowdown} - {HEADROOM_CELSIUS}
    or
    ({temp} > {cfg.gpu_temperature_celsius:g} unless on (hostname, UUID) {slowdown})
    or
    floor({per_gpu("DCGM_FI_DEV_CLOCKS_EVENT_REASONS")} / {THERMAL_BITS_DIVISOR}) % 4 > 0
    """


def uncorrectable_condition() -> str:
    """Double-bit ECC errors, rows remapped for uncorrectable errors, or a failed remap; the
    `reason` label says which."""
    increase = f"max without ({TARGET_LABELS}) (increase({{metric}}[{XID_WINDOW}])) > 0"
    branches = [
        labelled(increase.format(metric="DCGM_FI_DEV_ECC_DBE_VOL_TOTAL"), "reason", "ecc_dbe"),
        labelled(
            increase.format(metric="DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS"),
            "reason",
            "uncorrectable_remap",
        ),
        labelled(f"{per_gpu('DCGM_FI_DEV_ROW_REMAP_FAILURE')} > 0", "reason", "remap_failure"),
    ]
    return "\nor\n".join(branches)


def xid_condition() -> str:
    """A GPU's XID series that did not exist XID_WINDOW ago (dcgm-exporter puts the code in the
    err_code label, so a new XID is a new series with a constant value), or the exporter's
    per-code counter appearing or rising."""
    total = "DCGM_EXP_XID_ERRORS_TOTAL"
    return f"""
    {appeared("DCGM_FI_DEV_XID_ERRORS", "UUID, err_code", XID_WINDOW, " > 0")}
    or
    increase({total}[{XID_WINDOW}]) > 0
    or
    {appeared(total, "UUID, xid", XID_WINDOW)}
    """


def alerts(cfg: RulesConfig, gpu_enabled: bool) -> list[dict[str, Any]]:
    """GPU memory, temperature, memory errors, XID errors and the exporter itself."""
    rb = cfg.runbook_base_url
    gpu = "GPU {{ $labels.gpu }} on {{ $labels.hostname }}"
    down = f'up{{job="{DCGM_JOB}"}} == 0'
    if gpu_enabled:
        down += f'\nor\nabsent(up{{job="{DCGM_JOB}"}})'
    return [
        alert(
            "GPUMemoryNearFull",
            f"ai:gpu_memory_used:ratio > {cfg.gpu_memory_ratio:g}",
            "5m",
            "warning",
            "GPU memory is nearly full.",
            f"{gpu} ({{{{ $labels.namespace }}}}/{{{{ $labels.pod }}}}) uses "
            f"{{{{ $value | humanizePercentage }}}} of its memory (threshold "
            f"{cfg.gpu_memory_ratio:.0%}).",
            rb,
        ),
        alert(
            "GPUThermalThrottle",
            thermal_condition(cfg),
            "2m",
            "warning",
            "A GPU is hot or thermally throttled.",
            f"{gpu} is within {HEADROOM_CELSIUS} °C of its slowdown temperature (above "
            f"{cfg.gpu_temperature_celsius:g} °C where the board reports none) or its clocks "
            "are held down by a thermal limit (value: {{ $value }}, degrees or reason bits).",
            rb,
        ),
        alert(
            "GPUUncorrectableMemoryError",
            uncorrectable_condition(),
            "0m",
            "critical",
            "A GPU has uncorrectable memory errors.",
            f"{gpu} ({{{{ $labels.namespace }}}}/{{{{ $labels.pod }}}}): {{{{ $labels.reason }}}} "
            "(ecc_dbe: double-bit ECC errors; uncorrectable_remap: rows remapped for "
            "uncorrectable errors, a GPU reset applies them; remap_failure: no spare row left). "
            "Drain the node and reset or replace the GPU.",
            rb,
        ),
        alert(
            "GPUXidError",
            xid_condition(),
            "1m",
            "warning",
            "A GPU reported a new XID error.",
            f"{gpu} reported XID {{{{ $labels.err_code }}}}{{{{ $labels.xid }}}} "
            "{{ $labels.err_msg }} in the last 10 minutes.",
            rb,
        ),
        alert(
            "DCGMExporterDown",
            down,
            "5m",
            "warning",
            "GPU metrics are missing.",
            "The DCGM exporter {{ $labels.instance }} cannot be scraped (or no DCGM exporter "
            "target exists): GPU dashboards and alerts are blind.",
            rb,
        ),
    ]


def groups(cfg: RulesConfig, facts: StackFacts) -> list[dict[str, Any]]:
    """The GPU recording and alert groups."""
    return [
        group("ai-gpu.rules", recording_rules(cfg)),
        group("ai-gpu.alerts", alerts(cfg, facts.gpu_enabled)),
    ]
