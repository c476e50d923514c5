"""GPU rules from the DCGM exporter, keeping each GPU's identity (hostname, gpu, UUID,
modelName) and the workload labels (namespace, pod, container) of the pod that holds it."""

from __future__ import annotations

from typing import Any

from rules._builders import alert, group, record
from rules.catalog import DCGM_JOB, TARGET_LABELS
from rules.config import RulesConfig

MIB = 1024 * 1024
# Clock event (throttle) reason bits: 0x20 software thermal slowdown, 0x40 hardware thermal
# slowdown. PromQL has no bitwise AND: floor(x / 32) % 4 > 0 tests bits 5 and 6.
THERMAL_BITS_DIVISOR = 32


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
        record("ai:gpu_power_watts", per_gpu("DCGM_FI_DEV_POWER_USAGE")),
    ]


def alerts(cfg: RulesConfig, gpu_enabled: bool) -> list[dict[str, Any]]:
    """GPU memory, temperature, XID errors and the exporter itself."""
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
            f"""
            ai:gpu_temperature_celsius > {cfg.gpu_temperature_celsius:g}
            or
            floor({per_gpu("DCGM_FI_DEV_CLOCKS_EVENT_REASONS")} / {THERMAL_BITS_DIVISOR}) % 4 > 0
            """,
            "2m",
            "warning",
            "A GPU is hot or thermally throttled.",
            f"{gpu} is above {cfg.gpu_temperature_celsius:g} °C or its clocks are held down by "
            "a thermal limit (value: {{ $value }}, degrees or thermal reason bits).",
            rb,
        ),
        alert(
            "GPUXidError",
            """
            (changes(DCGM_FI_DEV_XID_ERRORS[10m]) > 0 and DCGM_FI_DEV_XID_ERRORS > 0)
            or
            increase(DCGM_EXP_XID_ERRORS_TOTAL[10m]) > 0
            """,
            "1m",
            "warning",
            "A GPU reported a new XID error.",
            f"{gpu} reported XID {{{{ $labels.err_code }}}}{{{{ $labels.xid }}}} in the last 10 "
            "minutes (DCGM_FI_DEV_XID_ERRORS keeps the last code forever, so only a change "
            "counts).",
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


def groups(cfg: RulesConfig, gpu_enabled: bool) -> list[dict[str, Any]]:
    """The GPU recording and alert groups."""
    return [
        group("ai-gpu.rules", recording_rules(cfg)),
        group("ai-gpu.alerts", alerts(cfg, gpu_enabled)),
    ]
