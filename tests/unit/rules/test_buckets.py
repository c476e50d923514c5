"""The buckets dropped at scrape: only bounds no rule, panel or SLO reads, never an SLO
threshold, and a relabeling that matches each bound however it is printed."""

from __future__ import annotations

import re

import pytest

from dashboards.all import all_dashboards
from rules.buckets import DROPPED, bucket_relabelings, dropped_buckets, le_pattern
from rules.catalog import TTFT_BUCKETS
from rules.config import RulesConfig
from rules.groups import rule_groups

LE_MATCHER = re.compile(r'le\s*(=~?)\s*"([^"]+)"')


def exprs(node: object) -> list[str]:
    """Every query expression of a dashboard model."""
    if isinstance(node, dict):
        found = [node["expr"]] if isinstance(node.get("expr"), str) else []
        return found + [e for value in node.values() for e in exprs(value)]
    if isinstance(node, list):
        return [e for value in node for e in exprs(value)]
    return []


def drops(cfg: RulesConfig, name: str, le: str) -> bool:
    """Whether the relabelings drop series `name` with bound `le` (Prometheus anchors regexes)."""
    value = f"{name};{le}"
    return any(re.fullmatch(r["regex"], value) for r in bucket_relabelings(cfg))


def test_the_default_slo_threshold_keeps_its_bucket() -> None:
    cfg = RulesConfig()
    (latency,) = [s for s in cfg.slos if s.type == "latency"]
    assert latency.threshold_seconds == 2.5
    assert not drops(cfg, "vllm:time_to_first_token_seconds_bucket", "2.5")
    assert drops(cfg, "vllm:time_to_first_token_seconds_bucket", "0.001")


def test_a_threshold_on_a_dropped_bound_keeps_that_bucket() -> None:
    slow = {"name": "ttft-160s", "type": "latency", "objective": 99, "thresholdSeconds": 160}
    cfg = RulesConfig.model_validate({"slos": [slow]})
    assert 160.0 not in dropped_buckets(cfg)["vllm:time_to_first_token_seconds"]
    assert not drops(cfg, "vllm:time_to_first_token_seconds_bucket", "160.0")
    assert drops(cfg, "vllm:time_to_first_token_seconds_bucket", "640.0")
    # Without that SLO, 160 is dropped.
    assert drops(RulesConfig(), "vllm:time_to_first_token_seconds_bucket", "160.0")


@pytest.mark.parametrize("printed", ["160.0", "160"])
def test_a_bound_matches_as_vllm_and_as_prometheus_3_print_it(printed: str) -> None:
    assert drops(RulesConfig(), "vllm:time_to_first_token_seconds_bucket", printed)


def test_a_pattern_matches_its_bound_only() -> None:
    assert re.fullmatch(le_pattern(0.005), "0.005")
    assert not re.fullmatch(le_pattern(0.005), "0.0051")
    assert not re.fullmatch(le_pattern(16.0), "160.0")
    assert not re.fullmatch(le_pattern(2.5), "25")


def test_inf_sum_and_count_are_never_dropped() -> None:
    cfg = RulesConfig()
    for histogram in DROPPED:
        assert not drops(cfg, f"{histogram}_bucket", "+Inf") or histogram.endswith(
            "iteration_tokens_total"
        )
        assert not drops(cfg, f"{histogram}_sum", "")
        assert not drops(cfg, f"{histogram}_count", "")


def test_other_histograms_keep_every_bucket() -> None:
    cfg = RulesConfig()
    for name in ("vllm:request_prompt_tokens_bucket", "ai_quality_score_bucket"):
        assert not drops(cfg, name, "1.0")


def test_dropped_bounds_are_bounds_of_their_histogram() -> None:
    for histogram, (bounds, dropped) in DROPPED.items():
        assert set(dropped) <= set(bounds), histogram
        if set(dropped) != set(bounds):
            # The quantiles keep their range: the kept bounds are contiguous.
            kept = [i for i, b in enumerate(bounds) if b not in dropped]
            assert kept == list(range(kept[0], kept[-1] + 1)), histogram


def test_no_rule_or_panel_reads_a_dropped_bound() -> None:
    """Every `le` a rule or a dashboard selects must survive the scrape."""
    cfg = RulesConfig()
    groups = [g for gs in rule_groups(cfg).values() for g in gs]
    texts = [r["expr"] for g in groups for r in g["rules"]]
    texts += [expr for d in all_dashboards(cfg).values() for expr in exprs(d)]
    selected = {m for text in texts for m in LE_MATCHER.findall(text)}
    assert selected, "no le matcher found: the scan reads nothing"
    dropped = {b for bounds in dropped_buckets(cfg).values() for b in bounds}
    assert ("=", "+Inf") in selected and any(op == "=~" for op, _ in selected)
    for op, value in selected:
        regex = value.replace("\\\\", "\\") if op == "=~" else re.escape(value)
        assert not any(re.fullmatch(regex, repr(b)) for b in dropped), value


def test_turning_it_off_drops_nothing() -> None:
    cfg = RulesConfig.model_validate({"dropUnusedBuckets": False})
    assert bucket_relabelings(cfg) == []
    assert not drops(cfg, "vllm:time_to_first_token_seconds_bucket", "0.001")


def test_the_ttft_buckets_drop_only_the_extremes() -> None:
    dropped = dropped_buckets(RulesConfig())["vllm:time_to_first_token_seconds"]
    kept = [b for b in TTFT_BUCKETS if b not in dropped]
    assert (kept[0], kept[-1]) == (0.01, 80.0)
