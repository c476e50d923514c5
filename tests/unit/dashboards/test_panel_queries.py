"""Panel queries evaluated by promtool on series shaped like the exporters': the error budget
weighs requests, the XID table shows only the XIDs of the time range."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.support.dashboard_models import CONFIG, dashboards, panels, promtool_test_passes
from tests.support.dashboard_variables import substitute


def test_error_budget_weighs_each_request_not_each_5m_ratio(tmp_path: Path) -> None:
    """Ten minutes at 999 req/s without errors, then ten at 1 req/s all failing: 10 errors in
    10,000 requests (0.1%), where a mean of the 5m ratios would say 50%."""
    slo = next(s for s in CONFIG.slos if s.type == "availability")
    panel = next(
        p
        for p in panels(dashboards()["ai-slos"])
        if p["title"] == "Error Budget Remaining (30d)" and slo.name in json.dumps(p)
    )
    expr = substitute(panel["targets"][0]["expr"])
    budget = 1 - slo.objective_percent / 100  # the configured objective, not the query
    assert budget == pytest.approx(0.01)  # the default availability SLO: 99%
    model = 'model_name="m", slo="availability"'
    test = {
        "rule_files": [],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {
                        "series": f'slo:sli_requests:rate5m{{{model}, source="http"}}',
                        "values": "999x9 1x9",
                    },
                    {
                        "series": f'slo:sli_errors:rate5m{{{model}, source="http"}}',
                        "values": "0x9 1x9",
                    },
                    # the engine sees every request finish without error
                    {
                        "series": f'slo:sli_requests:rate5m{{{model}, source="engine"}}',
                        "values": "999x9 1x9",
                    },
                    {
                        "series": f'slo:sli_errors:rate5m{{{model}, source="engine"}}',
                        "values": "0x19",
                    },
                ],
                "promql_expr_test": [
                    {
                        "expr": expr,
                        "eval_time": "19m",
                        "exp_samples": [
                            {
                                "labels": '{model_name="m"}',
                                "value": round(1 - (10 / 10000) / budget, 9),
                            }
                        ],
                    }
                ],
            }
        ],
    }
    assert promtool_test_passes(tmp_path, "budget", test) == ""


def test_the_xid_table_shows_the_xids_of_the_time_range_only(tmp_path: Path) -> None:
    """dcgm-exporter puts the XID code in err_code (a new series at a constant value) and counts
    per code from 1: the table shows codes that appeared in the range, never a stale one."""
    panel = next(p for p in panels(dashboards()["ai-gpu-fleet"]) if p["title"].startswith("XID"))
    gauge, diff, appeared = (substitute(t["expr"]).replace("1h", "30m") for t in panel["targets"])
    target = 'instance="10.244.2.5:9400",job="nvidia-dcgm-exporter",endpoint="gpu-metrics",service="nvidia-dcgm-exporter"'
    gpu = 'device="nvidia{0}",modelName="NVIDIA H100 80GB HBM3",hostname="gpu-node-1",DCGM_FI_DRIVER_VERSION="570.133.20"'

    def xid(index: int, labels: str) -> str:
        return f'{{gpu="{index}",UUID="GPU-{index}",{gpu.format(index)},{labels},{target}}}'

    series = [
        # GPU 0: no XID until 60m, then XID 79 (a new series). GPU 1: XID 79 since the start (the
        # same code on another GPU is not new). GPU 2: its exporter restarts at 60m and reports
        # code 0 ("No Error"), which is no XID.
        ("DCGM_FI_DEV_XID_ERRORS" + xid(0, 'err_code="0",err_msg="No Error"'), "0x59 stale"),
        (
            "DCGM_FI_DEV_XID_ERRORS" + xid(0, 'err_code="79",err_msg="GPU has fallen off the bus"'),
            "_x60 79x120",
        ),
        (
            "DCGM_FI_DEV_XID_ERRORS" + xid(1, 'err_code="79",err_msg="GPU has fallen off the bus"'),
            "79x180",
        ),
        ("DCGM_FI_DEV_XID_ERRORS" + xid(2, 'err_code="0",err_msg="No Error"'), "_x60 0x120"),
        # Counters per XID: GPU 0 has counted one XID 13 since the start; GPU 1's counter for
        # XID 13 appears at 60m and counts two more by 120m.
        ("DCGM_EXP_XID_ERRORS_TOTAL" + xid(0, 'xid="13"'), "1x180"),
        ("DCGM_EXP_XID_ERRORS_TOTAL" + xid(1, 'xid="13"'), "_x60 1x59 3x61"),
    ]
    test = {
        "rule_files": [],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [{"series": s, "values": v} for s, v in series],
                "promql_expr_test": [
                    {
                        "expr": expr,
                        "eval_time": at,
                        "exp_samples": [{"labels": "{}", "value": value}],
                    }
                    for expr, at, value in (
                        (f"count({gauge})", "70m", 1),
                        (f"max({gauge})", "70m", 79),
                        (f"count({gauge}) or vector(0)", "170m", 0),
                        (f"count({appeared})", "70m", 1),
                        (f"max({appeared})", "70m", 1),
                        (f"max({diff})", "130m", 2),
                        (f"count({appeared}) or vector(0)", "130m", 0),
                    )
                ],
            }
        ],
    }
    assert promtool_test_passes(tmp_path, "xid", test) == ""
