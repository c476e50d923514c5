"""Dashboards over many clusters (a global view): per-series legends name the cluster, the
cluster variable takes several values, and the cost dashboard's totals add the clusters up.
Evaluated by promtool on series as the global Thanos Query returns them: each cluster's
recorded series with its `cluster` external label."""

from __future__ import annotations

from pathlib import Path

import yaml

from dashboards.cost import UID as COST
from tests.support.dashboard_models import UIDS, dashboards, panels
from tests.support.dashboard_variables import substitute
from tests.support.tools import promtool

# Two clusters' recorded series (rules/cost.py), with the external labels their sidecars add.
SERIES = {
    'ai:daily_spend_dollars{cluster="prod-gpu-us-east-1", environment="prod", node="gpu-node-1"}': 1200,
    'ai:daily_spend_dollars{cluster="prod-gpu-eu-west-1", environment="prod", node="gpu-node-7"}': 800,
    'ai:gpu_cost_dollars_per_hour{cluster="prod-gpu-us-east-1", environment="prod", node="gpu-node-1", gpu_product="NVIDIA-H100-80GB-HBM3"}': 55.04,
    'ai:gpu_cost_dollars_per_hour{cluster="prod-gpu-eu-west-1", environment="prod", node="gpu-node-7", gpu_product="NVIDIA-H100-80GB-HBM3"}': 41.6,
}
TOTALS = {"GPU Spend, Last 24h": 2000.0, "GPU Spend Rate": 96.64}


def test_every_per_series_legend_names_its_cluster() -> None:
    for uid in UIDS:
        for panel in panels(dashboards()[uid]):
            for target in panel["targets"]:
                legend = target["legendFormat"]
                if "{{" in legend and legend != "{{le}}":
                    assert "{{cluster}}" in legend, (uid, panel["title"], legend)


def test_the_cluster_variable_takes_several_clusters() -> None:
    for uid, model in dashboards().items():
        (cluster,) = [v for v in model["templating"]["list"] if v["name"] == "cluster"]
        assert cluster["multi"] is True and cluster["includeAll"] is True, uid


def test_the_cost_totals_add_up_every_cluster(tmp_path: Path) -> None:
    stats = {
        p["title"]: p["targets"][0]["expr"]
        for p in panels(dashboards()[COST])
        if p["title"] in TOTALS
    }
    assert set(stats) == set(TOTALS)
    (tmp_path / "empty.yaml").write_text("groups: []\n")
    tests = {
        "rule_files": ["empty.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": s, "values": f"{v}x10"} for s, v in SERIES.items()],
                "promql_expr_test": [
                    {
                        "expr": substitute(expr),
                        "eval_time": "5m",
                        "exp_samples": [{"labels": "{}", "value": TOTALS[title]}],
                    }
                    for title, expr in stats.items()
                ],
            }
        ],
    }
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(tests, sort_keys=False))
    result = promtool("test", "rules", str(tmp_path / "test.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
