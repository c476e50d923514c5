"""The collector configuration builder: pipelines, components of the contrib distribution,
tail sampling and span metrics."""

from __future__ import annotations

from typing import Any

import pytest

from components.tracing.collector import CONTRIB_COMPONENTS, SPAN_METRICS_BUCKETS, collector_config
from components.tracing.config import TracingConfig

KINDS = ("receivers", "processors", "exporters", "connectors", "extensions")


def config(**changes: Any) -> dict[str, Any]:
    return collector_config(TracingConfig(enabled=True, **changes), "tracing")


@pytest.mark.parametrize("exporters", [("tempo",), ("debug",), ("tempo", "debug")])
def test_every_referenced_component_is_defined_and_every_defined_one_used(
    exporters: tuple[str, ...],
) -> None:
    cfg = config(exporters=exporters)
    defined = {(kind, cid) for kind in KINDS for cid in cfg.get(kind, {})}
    used = set()
    for pipeline in cfg["service"]["pipelines"].values():
        used |= {
            ("receivers", c) if c in cfg["receivers"] else ("connectors", c)
            for c in pipeline["receivers"]
        }
        used |= {("processors", c) for c in pipeline.get("processors", [])}
        used |= {
            ("exporters", c) if c in cfg["exporters"] else ("connectors", c)
            for c in pipeline["exporters"]
        }
    assert used == defined
    for kind, cid in defined:
        assert cid.split("/")[0] in CONTRIB_COMPONENTS[kind], (kind, cid)


def test_a_connector_is_both_exporter_and_receiver() -> None:
    pipelines = config()["service"]["pipelines"]
    assert "span_metrics" in pipelines["traces/spanmetrics"]["exporters"]
    assert pipelines["metrics/spanmetrics"]["receivers"] == ["span_metrics"]
    # Span metrics are computed from every span: their pipeline does not sample.
    assert "tail_sampling" not in pipelines["traces/spanmetrics"]["processors"]
    assert pipelines["traces"]["processors"][0] == "memory_limiter"
    assert pipelines["traces"]["processors"].index("k8s_attributes") < pipelines["traces"][
        "processors"
    ].index("tail_sampling")


def test_tail_sampling_policies_are_well_formed() -> None:
    policies = config(slow_trace_ms=12000, keep_percent=7.5)["processors"]["tail_sampling"][
        "policies"
    ]
    assert [p["name"] for p in policies] == ["errors", "slow", "baseline"]
    for policy in policies:
        assert set(policy) == {"name", "type", policy["type"]}
    assert policies[0]["status_code"]["status_codes"] == ["ERROR"]
    assert policies[1]["latency"]["threshold_ms"] == 12000
    assert policies[2]["probabilistic"]["sampling_percentage"] == 7.5


def test_span_metric_buckets_suit_llm_requests() -> None:
    spanmetrics = config()["connectors"]["span_metrics"]
    assert spanmetrics["histogram"]["unit"] == "s"
    buckets = [float(b.rstrip("s")) for b in spanmetrics["histogram"]["explicit"]["buckets"]]
    assert buckets == sorted(buckets) and max(buckets) >= 120
    assert max(SPAN_METRICS_BUCKETS) >= 120
    assert spanmetrics["exemplars"]["enabled"] is True
