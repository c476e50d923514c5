"""Groups by cadence: what reads a day or more runs at rules.longWindowInterval, the engine
internals at rules.diagnosticsInterval, everything else at the stack's evaluation interval; and every
integral over a recorded series multiplies by the interval of the group that records it."""

from __future__ import annotations

import re

from rules._builders import LONG_WINDOW_SECONDS, longest_range
from rules.config import RulesConfig
from rules.durations import parse_duration
from rules.groups import rule_groups
from rules.stack import StackFacts

FACTS = StackFacts(evaluation_interval="30s")
CFG = RulesConfig.model_validate({"budgets": [{"team": "search", "dailyDollars": 250}]})
INTEGRAL = re.compile(r"sum_over_time\(([\w:]+)(\{[^}]*\})?\[[^\]]+\]\)\s*\*\s*([\d.]+)")


def groups() -> list[dict]:
    return [g for gs in rule_groups(CFG, FACTS).values() for g in gs]


def test_every_rule_over_a_day_or_more_is_in_a_long_group() -> None:
    for group in groups():
        long = group["name"].endswith("-long.rules")
        for rule in group["rules"]:
            reads_a_day = longest_range(rule["expr"]) >= LONG_WINDOW_SECONDS
            assert not reads_a_day or long, (group["name"], rule.get("record"))
        diagnostics = group["name"] in ("ai-engine.rules", "ai-inference-diagnostics.rules")
        expected = "5m" if long else "1m" if diagnostics else "30s"
        assert group["interval"] == expected, group["name"]


def test_the_long_groups_hold_the_slow_burn_windows_spend_and_the_weekly_baseline() -> None:
    long = {r["record"] for g in groups() if g["name"].endswith("-long.rules") for r in g["rules"]}
    assert {
        "ai:daily_spend_dollars",
        "ai:model_spend_dollars:1d",
        "ai:team_spend_dollars:1d",
        "ai:judge_score:avg_7d",
        "slo:sli_errors:count3d",
        "slo:sli_error:ratio_rate1d",
    } <= long
    # The fast-burn windows (pages) stay at the evaluation interval.
    assert not {"slo:sli_error:ratio_rate6h", "slo:sli_errors:count1h"} & long


def test_integrals_multiply_by_the_interval_of_the_group_recording_what_they_sum() -> None:
    recorded_every = {
        r["record"]: parse_duration(g["interval"])
        for g in groups()
        for r in g["rules"]
        if "record" in r
    }
    integrals = [m for g in groups() for r in g["rules"] for m in INTEGRAL.findall(r["expr"])]
    assert len(integrals) >= 10  # spend per model and team, SLO counts per window and SLO
    for name, _, factor in integrals:
        assert float(factor) == recorded_every[name], name


def test_what_a_fast_alert_reads_is_recorded_at_the_evaluation_interval() -> None:
    """An alert of a 30 s group must not wait on a series recorded every minute or five."""
    every = {r["record"]: g["interval"] for g in groups() for r in g["rules"] if "record" in r}
    fast_alerts = [
        r for g in groups() if g["interval"] == "30s" for r in g["rules"] if "alert" in r
        if r["for"] in ("0m", "1m", "2m", "3m", "5m")
    ]  # fmt: skip
    assert len(fast_alerts) >= 10
    for rule in fast_alerts:
        for name, interval in every.items():
            if re.search(rf"(?<![\w:]){re.escape(name)}(?![\w:])", rule["expr"]):
                assert interval == "30s", (rule["alert"], name)


def test_slower_intervals_are_configurable() -> None:
    cfg = RulesConfig.model_validate({"diagnosticsInterval": "2m", "longWindowInterval": "10m"})
    intervals = {g["name"]: g["interval"] for gs in rule_groups(cfg, FACTS).values() for g in gs}
    assert intervals["ai-engine.rules"] == "2m"
    assert intervals["ai-cost-long.rules"] == "10m"
    assert intervals["ai-inference.rules"] == "30s"
