"""Dashboards: valid JSON, unique ids, a clean grid, defined variables, valid PromQL that only
references series the project knows, and the five panels the design asks for."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.content.dashboards import CONFIGMAP_LIMIT_BYTES
from components.gpu.counters import counter_names
from dashboards.all import all_dashboards, to_json
from rules.catalog import (
    EXPORTER_METRICS,
    HTTP_METRICS,
    KEDA_METRICS,
    KUBE_STATE_METRICS,
    LOADGEN_METRICS,
    PROMETHEUS_SERIES,
    VLLM_METRICS,
    series_names,
)  # fmt: skip
from rules.groups import rule_groups
from rules.stack import StackFacts
from tests.support.dashboard_models import CONFIG, UIDS, dashboards, panels
from tests.support.dashboard_variables import substitute
from tests.support.harness import STACKS
from tests.support.programs import program_run
from tests.support.promql_names import metric_names
from tests.support.promql_tree import quantile_count, quantiles_losing_le
from tests.support.tools import promtool

AUTOSCALED = StackFacts(autoscaling_targets={"m": {"pending_requests_per_replica": 5}})
BUILTINS = {
    "__rate_interval",
    "__interval",
    "__range",
    "__url_time_range",
    "__all_variables",
    "__all",
}


def all_targets() -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (uid, p["title"], t)
        for uid, m in dashboards().items()
        for p in panels(m)
        for t in p["targets"]
    ]


def known_series() -> set[str]:
    recorded = {
        r["record"]
        # One model autoscaled, so that its targets are recorded too.
        for gs in rule_groups(CONFIG, AUTOSCALED).values()
        for g in gs
        for r in g["rules"]
        if "record" in r
    }
    catalogs = (
        VLLM_METRICS,
        HTTP_METRICS,
        EXPORTER_METRICS,
        KUBE_STATE_METRICS,
        KEDA_METRICS,
        LOADGEN_METRICS,
        PROMETHEUS_SERIES,
    )
    return recorded | counter_names() | set().union(*(series_names(c) for c in catalogs))


def test_valid_json_with_unique_uids_and_panel_ids() -> None:
    assert len(dashboards()) == 6
    for uid, model in dashboards().items():
        assert json.loads(to_json(model)) == model
        assert model["uid"] == uid and re.fullmatch(r"[a-z0-9-]{1,40}", uid)
        ids = [p["id"] for p in model["panels"]]
        assert len(ids) == len(set(ids)), uid
    titles = [m["title"] for m in dashboards().values()]
    assert len(titles) == len(set(titles))


def test_uids_are_stable() -> None:
    assert set(dashboards()) == set(UIDS)
    assert to_json(all_dashboards(CONFIG)["ai-gpu-fleet"]) == to_json(dashboards()["ai-gpu-fleet"])


@pytest.mark.parametrize("uid", UIDS)
def test_panels_inside_the_grid_without_overlaps(uid: str) -> None:
    cells: dict[tuple[int, int], int] = {}
    for panel in dashboards()[uid]["panels"]:
        pos = panel["gridPos"]
        assert pos["x"] >= 0 and pos["x"] + pos["w"] <= 24, (uid, panel["title"])
        for x in range(pos["x"], pos["x"] + pos["w"]):
            for y in range(pos["y"], pos["y"] + pos["h"]):
                assert (x, y) not in cells, (
                    f"{uid}: {panel['title']} overlaps panel {cells[(x, y)]}"
                )
                cells[(x, y)] = panel["id"]


@pytest.mark.parametrize("uid", UIDS)
def test_every_variable_used_is_defined(uid: str) -> None:
    model = dashboards()[uid]
    defined = {v["name"] for v in model["templating"]["list"]}
    assert {"datasource", "cluster"} <= defined
    used = set(re.findall(r"\$\{?(\w+)", json.dumps(model)))
    assert used - BUILTINS <= defined, sorted(used - BUILTINS - defined)


def test_every_query_is_valid_promql(tmp_path: Path) -> None:
    rules = [
        {"record": f"dashboard:query_{i}:check", "expr": substitute(t["expr"])}
        for i, (_, _, t) in enumerate(all_targets())
    ]
    variables = [
        {
            "record": f"dashboard:variable_{i}:check",
            "expr": substitute(re.sub(r"^label_values\((.*), \w+\)$", r"\1", v["definition"])),
        }
        for i, v in enumerate(
            v
            for m in dashboards().values()
            for v in m["templating"]["list"]
            if v["type"] == "query"
        )
    ]
    path = tmp_path / "dashboard-queries.yaml"
    path.write_text(
        yaml.safe_dump({"groups": [{"name": "dashboards", "rules": rules + variables}]})
    )
    result = promtool("check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"SUCCESS: {len(rules) + len(variables)} rules found" in result.stdout


def test_every_query_references_only_known_series() -> None:
    known = known_series()
    unknown = {}
    for uid, title, target in all_targets():
        names = metric_names(substitute(target["expr"]))
        assert names, f"{uid}/{title}: no metric in {target['expr']}"
        if names - known:
            unknown[f"{uid}/{title}"] = sorted(names - known)
    assert unknown == {}


def test_every_quantile_keeps_le_down_to_its_buckets() -> None:
    """Parsed, not matched: every histogram_quantile of a panel sums buckets by (..., le)."""
    quantiles = [
        (uid, title, substitute(t["expr"]))
        for uid, title, t in all_targets()
        if quantile_count(substitute(t["expr"]))
    ]
    assert len(quantiles) >= 2  # the overview's TTFT quantiles, at least
    for uid, title, expr in quantiles:
        assert quantiles_losing_le(expr, lambda _: False) == [], f"{uid}/{title}: {expr}"


def test_an_unknown_name_is_caught() -> None:
    """Control: a typo (or the vllm_ spelling) is not in the catalog."""
    known = known_series()
    assert metric_names('ai:token_per_second{model_name=~".*"}') - known == {"ai:token_per_second"}
    assert metric_names("rate(vllm_generation_tokens_total[5m])") - known == {
        "vllm_generation_tokens_total"
    }
    assert metric_names("DCGM_FI_DEV_FB_USED / DCGM_FI_DEV_FB_TOTAL") - known == {
        "DCGM_FI_DEV_FB_TOTAL"
    }


def panel(title: str) -> dict[str, Any]:
    return next(p for p in dashboards()["ai-inference-overview"]["panels"] if p["title"] == title)


def test_the_overview_has_the_five_panels_of_the_design() -> None:
    assert panel("Token Throughput")["type"] == "timeseries"
    assert "ai:tokens_per_second" in panel("Token Throughput")["targets"][0]["expr"]
    ttft = panel("TTFT (P50 / P99)")
    assert ttft["type"] == "timeseries"
    exprs = [t["expr"] for t in ttft["targets"]]
    assert any(e.startswith("ai:ttft_seconds:p50") for e in exprs) and any(
        e.startswith("ai:ttft_seconds:p99") for e in exprs
    )
    assert any(t.get("exemplar") for t in ttft["targets"])  # links to traces
    heat = panel("GPU Utilization per Pod")
    assert heat["type"] == "heatmap" and "ai:gpu_utilization:avg" in heat["targets"][0]["expr"]
    kv = panel("KV-Cache Usage")
    assert kv["type"] == "gauge" and "ai:kv_cache_usage_percent" in kv["targets"][0]["expr"]
    assert [s["value"] for s in kv["fieldConfig"]["defaults"]["thresholds"]["steps"]] == [
        None,
        60,
        80,
        90,
    ]
    cost = panel("Cost per 1M Tokens")
    assert cost["type"] == "stat" and cost["fieldConfig"]["defaults"]["unit"] == "currencyUSD"
    assert "ai:cost_per_million_tokens_dollars" in cost["targets"][0]["expr"]
    others = {p["title"] for p in dashboards()["ai-inference-overview"]["panels"]}
    assert {
        "Request Rate",
        "Error Ratio",
        "Queue Depth",
        "Inter-Token Latency (P50 / P99)",
        "End-to-End Latency (P50 / P99)",
    } <= others


def test_slo_dashboard_has_a_row_per_configured_slo() -> None:
    rows = [p["title"] for p in dashboards()["ai-slos"]["panels"] if p["type"] == "row"]
    assert rows == ["SLO ttft-2-5s: 99% (latency)", "SLO availability: 99% (availability)"]


def test_links_to_runbooks_and_between_dashboards() -> None:
    links = [
        link["url"]
        for m in dashboards().values()
        for p in panels(m)
        for link in p["fieldConfig"]["defaults"].get("links", [])
    ]
    assert any(u.endswith("#kvcachepressure") for u in links)
    assert any(u.startswith("/d/ai-gpu-fleet") for u in links)
    for model in dashboards().values():
        assert model["links"][0]["tags"] == ["ai-observability"]


@pytest.mark.pulumi_program
@pytest.mark.parametrize("stack", STACKS)
def test_deployed_as_configmaps_the_sidecar_loads(stack: str) -> None:
    run = program_run(stack)
    maps = [
        r for r in run.of_type("kubernetes:core/v1:ConfigMap") if r.name.startswith("dashboards-")
    ]
    assert len(maps) == 6
    values = run.one("kubernetes:helm.sh/v3:Release", "monitoring-kube-prometheus-stack").inputs[
        "values"
    ]
    sidecar = values["grafana"]["sidecar"]["dashboards"]
    for configmap in maps:
        metadata = configmap.inputs["metadata"]
        assert metadata["labels"][sidecar["label"]] == sidecar["labelValue"]
        assert metadata["annotations"][sidecar["folderAnnotation"]] == "AI Observability"
        ((key, text),) = configmap.inputs["data"].items()
        assert key.endswith(".json") and json.loads(text)["uid"] == key[:-5]
        assert len(text.encode()) < CONFIGMAP_LIMIT_BYTES


def test_dashboard_json_is_stable_text() -> None:
    """Sorted keys, two-space indents and a final newline, as Grafana exports and `make
    dashboards` writes: the same model gives the same bytes whatever the key order."""
    text = to_json({"b": [1], "a": {"d": 1, "c": 2}})
    assert text == '{\n  "a": {\n    "c": 2,\n    "d": 1\n  },\n  "b": [\n    1\n  ]\n}\n'
