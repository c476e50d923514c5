"""The fleet's scrape jobs as the stack scrapes them: each job's interval is the stack's default
(the config models' own defaults), and the model servers' job drops what their ServiceMonitor's
metricRelabelings drop."""

from __future__ import annotations

import re
from typing import Any

from components.cost_exporter.config import CostExporterConfig
from components.gpu.config import DcgmExporterConfig
from components.inference.config import InferenceConfig
from components.monitoring.config import PrometheusConfig
from rules.durations import parse_duration

EVALUATION_INTERVAL = PrometheusConfig.model_fields["evaluation_interval"].default


def _default(model: type, field: str = "scrape_interval") -> int:
    return int(parse_duration(model.model_fields[field].default))


def default_intervals() -> dict[str, int]:
    """Seconds between scrapes per job of bench/fleet_metrics.fleet_targets."""
    return {
        "inference": _default(InferenceConfig),
        "gpu": _default(DcgmExporterConfig),
        "exporter": _default(CostExporterConfig),
        "default": _default(PrometheusConfig),
    }


def prometheus_relabeling(relabeling: dict[str, Any]) -> dict[str, Any]:
    """A ServiceMonitor's RelabelConfig (camelCase) as Prometheus' metric_relabel_configs
    (sourceLabels -> source_labels)."""
    return {re.sub(r"(?<!^)([A-Z])", r"_\1", k).lower(): v for k, v in relabeling.items()}


def scrape_configs(
    addresses: dict[str, str],
    intervals: dict[str, int],
    relabelings: dict[str, list[dict[str, Any]]] | None = None,
) -> list[dict[str, Any]]:
    """One scrape job per target; honor_labels keeps the job and instance labels the fleet's
    series carry (the ServiceMonitors' target labels)."""
    relabelings = relabelings or {}
    return [
        {
            "job_name": job,
            "honor_labels": True,
            "scrape_interval": f"{intervals[job]}s",
            "scrape_timeout": f"{max(1, intervals[job] - 2)}s",
            "static_configs": [{"targets": [address]}],
            "metric_relabel_configs": [prometheus_relabeling(r) for r in relabelings.get(job, [])],
        }
        for job, address in addresses.items()
    ]
