"""The benchmark's own building blocks: the raw-series rewrite of dashboard queries and the
synthetic fleet history (the rules benchmark trusts both, so they are tested like code)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from bench.bucket_drift import recorded_quantiles
from bench.fleet_metrics import Fleet, fleet_series, fleet_targets, place_pods, write_chunk
from bench.group_timing import rounds_for
from bench.panel_bench import dashboard_queries
from bench.promql_inline import (
    RECORDED,
    Recording,
    inline_recordings,
    parse_matchers,
    recordings_from_groups,
)
from bench.rules_bench import bench_rules, write_rule_files
from bench.rules_history import backfill_passes, history_chunks, references
from bench.scrape_jobs import default_intervals, scrape_configs
from rules.buckets import bucket_relabelings
from rules.config import RulesConfig
from rules.groups import rule_groups
from rules.stack import StackFacts
from tests.support.tools import promtool

TOKENS = Recording("ai:tokens_per_second", {}, "sum by (model_name) (rate(x_total[5m]))")
TEMP = Recording("ai:gpu_temperature_celsius", {}, "max without (instance) (DCGM_FI_DEV_GPU_TEMP)")
ERRORS = [
    Recording("slo:sli_errors:rate5m", {"slo": "a", "source": "http"}, "sum(rate(h[5m]))"),
    Recording("slo:sli_errors:rate5m", {"slo": "a", "source": "engine"}, "sum(rate(e[5m]))"),
]


def project_recordings() -> list[Recording]:
    # One autoscaled model, so that the autoscaling panels' targets are recorded too.
    facts = StackFacts(autoscaling_targets={"m": {"pending_requests_per_replica": 5}})
    groups = rule_groups(RulesConfig(), facts)
    return recordings_from_groups([g for area in groups.values() for g in area])


def test_a_selector_with_match_all_matchers_becomes_the_rule_expression() -> None:
    rewritten = inline_recordings('ai:tokens_per_second{model_name=~".*"}', [TOKENS], "30s")
    assert rewritten == "(sum by (model_name) (rate(x_total[5m])))"


def test_equality_matchers_become_set_operations_on_the_result() -> None:
    idle = inline_recordings('count(ai:gpu_temperature_celsius{pod=""})', [TEMP], "30s")
    assert idle == (
        "count(((max without (instance) (DCGM_FI_DEV_GPU_TEMP)) and on (pod) "
        'label_replace(vector(1), "pod", "", "", "")))'
    )
    busy = inline_recordings('ai:gpu_temperature_celsius{pod!=""}', [TEMP], "30s")
    assert " unless on (pod) " in busy


def test_a_range_becomes_a_subquery_at_the_evaluation_interval() -> None:
    rewritten = inline_recordings("avg_over_time(ai:tokens_per_second[1d])", [TOKENS], "30s")
    assert rewritten == "avg_over_time((sum by (model_name) (rate(x_total[5m])))[1d:30s])"


def test_rules_apart_by_static_labels_are_a_union_that_keeps_the_labels() -> None:
    rewritten = inline_recordings('slo:sli_errors:rate5m{slo="a"}', ERRORS, "30s")
    assert rewritten.count(" or ") == 1
    for source in ("http", "engine"):
        assert f'"source", "{source}"' in rewritten
    assert rewritten.count('"slo", "a"') == 2


def test_regex_matchers_mark_then_keep_or_drop_the_matching_series() -> None:
    kept = inline_recordings('ai:tokens_per_second{model_name=~"llama.*"}', [TOKENS], "30s")
    assert kept == (
        "label_replace((label_replace((sum by (model_name) (rate(x_total[5m]))), "
        '"bench_matched", "1", "model_name", "llama.*") and on (bench_matched) '
        'label_replace(vector(1), "bench_matched", "1", "", "")), "bench_matched", "", "", "")'
    )
    dropped = inline_recordings('ai:tokens_per_second{model_name!~"llama.*"}', [TOKENS], "30s")
    assert " unless on (bench_matched) " in dropped


def test_matchers_on_static_labels_pick_the_rules_anchored_as_promql_does() -> None:
    both = inline_recordings('slo:sli_errors:rate5m{source=~"http|engine"}', ERRORS, "30s")
    assert both.count(" or ") == 1
    engine = inline_recordings('slo:sli_errors:rate5m{source!="http"}', ERRORS, "30s")
    assert '"source", "engine"' in engine and '"source", "http"' not in engine
    assert '"http"' in inline_recordings('slo:sli_errors:rate5m{source!~"e.*"}', ERRORS, "30s")
    with pytest.raises(ValueError, match="no recording rule matches"):
        inline_recordings('slo:sli_errors:rate5m{source=~"htt"}', ERRORS, "30s")


def test_unknown_names_and_unparsable_matchers_are_refused() -> None:
    with pytest.raises(ValueError, match="ai:unknown"):
        inline_recordings("ai:unknown", [TOKENS], "30s")
    with pytest.raises(ValueError, match="cannot parse"):
        parse_matchers("model_name=llama")


def test_every_dashboard_query_rewrites_to_valid_promql_over_raw_series(tmp_path: Path) -> None:
    recordings = project_recordings()
    rewritten = []
    for _, _, expr, _ in dashboard_queries():
        raw = inline_recordings(expr, recordings, "30s")
        outside_strings = re.sub(r'"(?:[^"\\]|\\.)*"', '""', raw)
        assert not RECORDED.search(outside_strings), raw
        rewritten.append(raw)
    assert len(rewritten) > 50
    rules = [{"record": f"bench:check_{i}", "expr": expr} for i, expr in enumerate(rewritten)]
    path = tmp_path / "rewritten.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "rewritten", "rules": rules}]}))
    result = promtool("check", "rules", str(path))
    assert result.returncode == 0, result.stdout + result.stderr


def test_backfill_passes_follow_the_rules_dependency_layers(tmp_path: Path) -> None:
    rule_files, recordings = write_rule_files(tmp_path, *bench_rules(Fleet(), {}))
    names = {r.record for r in recordings}
    passes = [yaml.safe_load(text)["groups"] for text in backfill_passes(rule_files)]
    seen: set[str] = set()
    placed: list[str] = []
    for groups in passes:
        layer = {r["record"] for g in groups for r in g["rules"]}
        for group in groups:
            for rule in group["rules"]:
                # everything a rule reads was recorded by an earlier pass
                assert references(rule["expr"], names) <= seen, rule["record"]
        seen |= layer
        placed += [r["record"] for g in groups for r in g["rules"]]
    assert seen == names
    assert len(placed) == len(recordings)  # every rule once, in one pass
    # raw -> ai:requests_per_second -> ai:engine_errors_per_second -> ai:engine_errors:ratio
    # -> ai:error_ratio: at least four passes, or this test checks nothing past the second
    assert len(passes) >= 4


def test_references_match_whole_recorded_names_only() -> None:
    names = {"ai:requests_per_second", "ai:http_requests_per_second"}
    assert references("ai:http_requests_per_second > 0", names) == {"ai:http_requests_per_second"}
    assert references("rate(x[5m]) / ai:requests_per_second", names) == {"ai:requests_per_second"}


def test_recording_rules_that_read_each_other_in_a_cycle_are_refused(tmp_path: Path) -> None:
    rules = [{"record": "a:x", "expr": "b:y + 1"}, {"record": "b:y", "expr": "a:x * 2"}]
    path = tmp_path / "cycle.rules.yaml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "g", "rules": rules}]}))
    with pytest.raises(ValueError, match="cycle"):
        backfill_passes([path])


def test_pods_are_packed_onto_gpus_without_double_booking() -> None:
    fleet = Fleet()
    pods = place_pods(fleet)
    held = [(pod.node, gpu) for pod in pods for gpu in pod.gpus]
    assert len(pods) == 1000 and fleet.gpus == 2000
    assert len(held) == len(set(held)) == 1750  # 250 large-model pods on 4 GPUs, 750 on one
    assert {pod.model for pod in pods} == set(range(20))
    with pytest.raises(ValueError, match="do not fit"):
        place_pods(Fleet(pods=100, nodes=2))


def test_the_history_loads_into_a_tsdb_with_every_series(tmp_path: Path) -> None:
    fleet = Fleet(models=2, pods=4, nodes=2, large_models=1)
    text = tmp_path / "history.om"
    samples = write_chunk(text, fleet, range(1_800_000_000, 1_800_000_600, 30), 1_799_990_000)
    series = fleet_series(fleet)
    assert samples == len(series) * 20
    result = promtool("tsdb", "create-blocks-from", "openmetrics", str(text), str(tmp_path / "d"))
    assert result.returncode == 0, result.stderr
    columns = result.stdout.strip().splitlines()[-1].split()
    # BLOCK ULID, MIN TIME, MAX TIME, DURATION, NUM SAMPLES, NUM CHUNKS, NUM SERIES, SIZE
    assert int(columns[4]) == samples and int(columns[6]) == len(series)


def test_the_scrape_jobs_run_at_the_stacks_default_intervals() -> None:
    """Model servers and DCGM every 15 s, as the stack's defaults; the cost exporter and the
    rest at 30 s (the bench reads these from the config models, so a new default moves it)."""
    assert default_intervals() == {"inference": 15, "gpu": 15, "exporter": 30, "default": 30}
    targets = fleet_targets(Fleet(models=2, pods=4, nodes=2, large_models=1))
    assert targets.keys() == default_intervals().keys()
    names = {
        job: {s.name_and_labels.split("{")[0] for s in series} for job, series in targets.items()
    }
    assert "vllm:request_prefill_time_seconds_bucket" in names["inference"]
    assert "DCGM_FI_DEV_GPU_UTIL" in names["gpu"]
    assert "ai_pod_cost_attribution_info" in names["exporter"]
    assert "kube_horizontalpodautoscaler_info" in names["default"]


def test_the_model_servers_job_drops_what_their_service_monitor_drops() -> None:
    relabelings = bucket_relabelings(RulesConfig())
    (job,) = scrape_configs(
        {"inference": "127.0.0.1:1"}, default_intervals(), {"inference": relabelings}
    )
    assert job["scrape_interval"] == "15s"
    assert len(job["metric_relabel_configs"]) == len(relabelings) > 0
    assert all(
        "source_labels" in r and "sourceLabels" not in r for r in job["metric_relabel_configs"]
    )


def test_history_chunks_sample_each_job_at_its_interval(tmp_path: Path) -> None:
    fleet = Fleet(models=2, pods=4, nodes=2, large_models=1)
    start, end = 1_800_000_000, 1_800_007_200
    spans = {"inference": (end - 900, end), "gpu": (end - 900, end), "exporter": (start, end),
             "default": (start, end)}  # fmt: skip
    chunks = history_chunks(fleet, spans, default_intervals(), start - 86400, tmp_path)
    by_jobs = {c.jobs: c for c in chunks}
    assert set(by_jobs) == {("inference", "gpu"), ("exporter", "default")}
    assert by_jobs[("inference", "gpu")].step == 15
    assert len([c for c in chunks if c.step == 30]) == 2  # one per hour


def test_slower_groups_measure_fewer_rounds_of_the_same_span() -> None:
    assert rounds_for(30, 10, 30) == 10
    assert rounds_for(300, 10, 30) == 2
    assert rounds_for(60, 10, 30) == 5


def test_the_drift_check_covers_every_recorded_quantile_of_a_thinned_histogram() -> None:
    quantiles = recorded_quantiles()
    assert quantiles["vllm:time_to_first_token_seconds"] == ("p50", "p90", "p99")
    assert quantiles["vllm:request_queue_time_seconds"] == ("p50", "p99")
    # every histogram that loses buckets and has a recorded quantile is checked
    groups = rule_groups(RulesConfig())
    exprs = " ".join(r["expr"] for gs in groups.values() for g in gs for r in g["rules"])
    for histogram in ("vllm:inter_token_latency_seconds", "vllm:e2e_request_latency_seconds"):
        assert f"{histogram}_bucket" in exprs and histogram in quantiles
