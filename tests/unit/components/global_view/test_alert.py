"""GlobalViewClusterUnreachable with promtool, on the global Query's own connection metric as
Thanos v0.42 writes it (pkg/query/endpointset.go: thanos_store_nodes_grpc_connections, one
series per healthy endpoint, labelled with its external label sets joined by ","
(labelpb.PromLabelSetsToString) and its component type), with the ServiceMonitor's target labels.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from components.global_view.config import GlobalViewConfig
from components.global_view.manifests import global_view_groups
from rules.config import RUNBOOKS
from rules.groups import render_rule_file
from tests.support.tools import promtool

VIEW = GlobalViewConfig.model_validate(
    {
        "clusters": [
            {
                "name": "prod-eu-west-1",
                "address": "thanos-grpc.prod-eu-west-1.example.internal:10901",
            },
            {"name": "prod-eu", "address": "thanos-grpc.prod-eu.example.internal:10901"},
        ]
    }
)
TARGET = (
    'job="thanos-query",namespace="monitoring",service="thanos-query",endpoint="http",'
    'pod="thanos-query-6c9f7d8b5-k2x4m",container="thanos-query",instance="10.244.0.30:9090"'
)


def connection(cluster: str) -> str:
    """A healthy remote Query: the label sets of its two Prometheus replicas."""
    sets = ",".join(
        f'{{cluster=\\"{cluster}\\", environment=\\"prod\\", prometheus=\\"monitoring/'
        f'kube-prometheus-stack-prometheus\\", prometheus_replica=\\"prometheus-kube-'
        f'prometheus-stack-prometheus-{i}\\"}}'
        for i in (0, 1)
    )
    return f'thanos_store_nodes_grpc_connections{{external_labels="{sets}",store_type="query",{TARGET}}}'


def fires(cluster: str) -> list[dict[str, object]]:
    return [
        {
            "exp_labels": {
                "alertname": "GlobalViewClusterUnreachable",
                "severity": "warning",
                "cluster": cluster,
            }
        }
    ]


def test_the_alert_names_the_cluster_that_stopped_answering(tmp_path: Path) -> None:
    groups = global_view_groups(VIEW, RUNBOOKS)
    (tmp_path / "rules.yaml").write_text(render_rule_file(groups))
    for rule in groups[0]["rules"]:  # the cases compare labels only
        rule.pop("annotations")
    (tmp_path / "bare.yaml").write_text(render_rule_file(groups))
    tests = {
        "rule_files": ["bare.yaml"],
        "evaluation_interval": "1m",
        "tests": [
            {
                # prod-eu-west-1 answers throughout; prod-eu stops at minute 10, so its series
                # is gone after the 5m lookback (minute 16) and the alert fires 5m later. Its
                # name is a prefix of the other's: the match must not confuse them.
                "interval": "1m",
                "input_series": [
                    {"series": connection("prod-eu-west-1"), "values": "1x40"},
                    {"series": connection("prod-eu"), "values": "1x10 _x30"},
                ],
                "alert_rule_test": [
                    {
                        "eval_time": "9m",
                        "alertname": "GlobalViewClusterUnreachable",
                        "exp_alerts": [],
                    },
                    {
                        "eval_time": "20m",
                        "alertname": "GlobalViewClusterUnreachable",
                        "exp_alerts": [],
                    },
                    {
                        "eval_time": "21m",
                        "alertname": "GlobalViewClusterUnreachable",
                        "exp_alerts": fires("prod-eu"),
                    },
                ],
            },
            {
                "interval": "1m",
                "input_series": [
                    {"series": connection("prod-eu-west-1"), "values": "1x40"},
                    {"series": connection("prod-eu"), "values": "1x40"},
                ],
                "alert_rule_test": [
                    {
                        "eval_time": "30m",
                        "alertname": "GlobalViewClusterUnreachable",
                        "exp_alerts": [],
                    }
                ],
            },
        ],
    }
    (tmp_path / "test.yaml").write_text(yaml.safe_dump(tests, sort_keys=False))
    result = promtool("test", "rules", str(tmp_path / "test.yaml"))
    assert result.returncode == 0, result.stdout + result.stderr
    check = promtool("check", "rules", str(tmp_path / "rules.yaml"))
    assert check.returncode == 0, check.stdout + check.stderr
