"""The project's rules and dashboards at fleet scale, on a real Prometheus.

1. Writes a synthetic fleet (default: 1,000 vLLM pods over 20 models, 2,000 GPUs on 250 nodes)
   as OpenMetrics history, each scrape job at the stack's default interval, and full history
   for the windows of a day or more (bench/long_windows.py); loads it with promtool.
2. Prints how much each recorded quantile moves without the buckets the model servers'
   ServiceMonitor drops (bench/bucket_drift.py).
3. Scrapes the fleet live and measures every rule group's evaluation time against its own
   interval, the total as a share of one core, and the series each group writes.
4. Unless --rules-only: backfills the recording rules over the history and times every
   dashboard query over 6 hours, as deployed and with every recorded series replaced by its
   raw-series expression (bench/promql_inline.py), and prints the ratios.

Run from the repository root: `venv/bin/python -m bench.rules_bench --rules-only` (about 25
minutes on two cores; `--pods 100 --nodes 25 --hours 1` for a quick look). Needs promtool and
prometheus.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bucket_drift import report_drift
from bench.fleet_metrics import Fleet, fleet_targets
from bench.fleet_target import FleetTarget
from bench.group_timing import count_recorded, measure_groups, report_groups
from bench.long_windows import add_recorded_history, load_raw_history, long_reads, wait_for_history
from bench.panel_bench import check_equivalence, report_panels
from bench.prometheus_process import Prometheus
from bench.promql_inline import Recording, recordings_from_groups
from bench.rules_history import (
    EVALUATION_INTERVAL,
    backfill,
    backfill_passes,
    history_chunks,
    load_history,
)
from bench.scrape_jobs import default_intervals, scrape_configs
from rules.buckets import bucket_relabelings
from rules.config import RulesConfig
from rules.durations import parse_duration
from rules.groups import render_rule_file, rule_groups
from rules.stack import StackFacts

ROOT = Path(__file__).resolve().parents[1]
FAST_JOBS = ("inference", "gpu")  # 15 s by default: the bulk of the samples


def bench_rules(fleet: Fleet, overrides: dict[str, Any]) -> tuple[RulesConfig, StackFacts]:
    """Every area on, as a fleet that uses all of it: every model autoscaled on pending
    requests with prefix caching on, three teams with a budget; `rules` keys as overrides."""
    models = [f"model-{m:02d}" for m in range(fleet.models)]
    budgets = [{"team": f"team-{t}", "dailyDollars": 5000} for t in range(3)]
    facts = StackFacts(
        prefix_cache_hit_ratio=dict.fromkeys(models, 0.2),
        autoscaling_targets={m: {"pending_requests_per_replica": 5.0} for m in models},
    )
    return RulesConfig.model_validate({"budgets": budgets, **overrides}), facts


def write_rule_files(
    directory: Path, cfg: RulesConfig, facts: StackFacts
) -> tuple[list[Path], list[Recording]]:
    """The project's rule files, as deployed for the fleet (every area, GPU rules on)."""
    paths, recordings = [], []
    for area, groups in rule_groups(cfg, facts).items():
        path = directory / f"{area}.rules.yaml"
        path.write_text(render_rule_file(groups))
        paths.append(path)
        recordings += recordings_from_groups(groups)
    return paths, recordings


def process_cpu_seconds(prom: Prometheus) -> float:
    """Prometheus' own CPU time so far (user and system)."""
    for line in prom.metrics().splitlines():
        if line.startswith("process_cpu_seconds_total "):
            return float(line.split()[1])
    raise RuntimeError("Prometheus exposes no process_cpu_seconds_total")


def report_load(prom: Prometheus, cores: float) -> None:
    """What else the server did while the groups were measured: ingesting the fleet."""
    scrape = prom.get("/api/v1/query", query="max(avg_over_time(scrape_duration_seconds[5m]))")
    samples = prom.get("/api/v1/query", query="sum(scrape_samples_post_metric_relabeling)")
    seconds = float(scrape["result"][0]["value"][1]) if scrape["result"] else math.nan
    count = int(float(samples["result"][0]["value"][1])) if samples["result"] else 0
    print(
        f"  meanwhile Prometheus ingested {count:,} samples per round of scrapes (the "
        f"slowest target took {seconds:.2f} s) and used {cores:.2f} of the machine's "
        f"{os.cpu_count()} cores on average"
    )


def report_recorded_series(prom: Prometheus, recordings: list[Recording], fleet: Fleet) -> None:
    """Series per recording rule and the labels they keep."""
    print(
        f"\nseries written per recording rule ({fleet.models} models, {fleet.pods} pods, "
        f"{fleet.gpus} GPUs, {fleet.nodes} nodes):"
    )
    total = 0
    for rule in recordings:
        matchers = ",".join(f'{k}="{v}"' for k, v in rule.labels.items())
        selector = f"{rule.record}{{{matchers}}}"
        series = prom.get("/api/v1/series", **{"match[]": selector})
        labels = sorted({k for s in series for k in s} - {"__name__", *rule.labels})
        total += len(series)
        print(f"  {len(series):6d}  {selector:52s} by {', '.join(labels) or '(none)'}")
    print(f"  {total:6d}  in all")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=20)
    parser.add_argument("--pods", type=int, default=1000)
    parser.add_argument("--nodes", type=int, default=250, help="8 GPUs each")
    parser.add_argument("--hours", type=int, default=6, help="dashboard range")
    parser.add_argument("--rounds", type=int, default=10, help="evaluations of the fastest groups")
    parser.add_argument("--repeat", type=int, default=3, help="runs per dashboard query")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    parser.add_argument(
        "--settle", type=int, default=330, help="seconds of live scrapes before measuring"
    )
    parser.add_argument(
        "--rules-only",
        action="store_true",
        help="rule groups only (no backfill, no dashboards): the model servers' and DCGM "
        "history then covers the last 15 minutes only (every rule reads them over 5 minutes)",
    )
    parser.add_argument(
        "--rules",
        type=json.loads,
        default={},
        help='rules config overrides as JSON, e.g. \'{"longWindowInterval": "30s", '
        '"dropUnusedBuckets": false}\' for the rules as they were before issue 23',
    )
    args = parser.parse_args(argv)
    for tool in ("promtool", "prometheus"):
        if shutil.which(tool) is None:
            print(f"{tool} is not on PATH (Debian: apt-get install prometheus)", file=sys.stderr)
            return 2
    fleet = Fleet(models=args.models, pods=args.pods, nodes=args.nodes)
    intervals = default_intervals()
    print(f"scrape intervals (the stack's defaults, s): {intervals}; rules: {EVALUATION_INTERVAL}")
    workdir = Path(tempfile.mkdtemp(prefix="rules-bench-"))
    data = workdir / "data"
    data.mkdir()
    servers: list[Prometheus] = []
    targets: list[FleetTarget] = []

    def start(rule_files: list[Path], scraping: list[dict] | None = None) -> Prometheus:
        servers.append(
            Prometheus(workdir, data, rule_files, EVALUATION_INTERVAL, scrape_configs=scraping)
        )
        return servers[-1]

    try:
        step = max(intervals.values())
        now = int(time.time()) // step * step
        lead = 3600  # the first hour only fills the 1 h windows at the start of the range
        history_start = now - args.hours * 3600 - lead
        origin = history_start - 8 * 86400  # counters start before the longest window
        fast_start = now - 900 if args.rules_only else history_start
        spans = {job: (fast_start if job in FAST_JOBS else history_start, now) for job in intervals}
        load_history(history_chunks(fleet, spans, intervals, origin, workdir), data, args.workers)
        cfg, facts = bench_rules(fleet, args.rules)
        rule_files, recordings = write_rule_files(workdir, cfg, facts)
        reads = long_reads(rule_files, now - history_start)
        exporter_step = intervals["exporter"]
        load_raw_history(fleet, reads, history_start, exporter_step, origin, workdir)

        # From here on the fleet is scraped live, each job at its interval, so recent samples
        # are in the head, as in production; the gap between the end of the history and the
        # first scrape is the time the load took. Bodies are rendered up front for the settle
        # time and the measured rounds (slow groups: 2 rounds of their interval), with spare.
        live_span = args.settle + 900 + 300
        for job, series in fleet_targets(fleet).items():
            prepared = live_span // intervals[job] + 4
            targets.append(FleetTarget(series, origin, intervals[job], prepared))
        addresses = {job: t.address for job, t in zip(intervals, targets, strict=True)}
        dropped = {"inference": bucket_relabelings(cfg)}
        prom = start(rule_files, scrape_configs(addresses, intervals, dropped))
        live_from = int(time.time()) // step * step
        # The history holds every bucket (it was written, not scraped): the quantiles with and
        # without the dropped ones, at its end.
        drift_ok = report_drift(prom, cfg, now - step)
        print(
            f"scraping the fleet live; measuring after {args.settle} s, once the 5m windows "
            "hold scraped samples only"
        )
        # Once the rules have recorded what the long windows read: their history before now.
        time.sleep(90)
        add_recorded_history(prom, reads, live_from, int(parse_duration(EVALUATION_INTERVAL)),
                             workdir)  # fmt: skip
        wait_for_history(prom, reads)
        time.sleep(max(0, live_from + args.settle - time.time()))
        cpu_before, began = process_cpu_seconds(prom), time.monotonic()
        times = measure_groups(prom, args.rounds)
        cores = (process_cpu_seconds(prom) - cpu_before) / (time.monotonic() - began)
        count_recorded(prom, times, rule_files)
        on_target = report_groups(times)
        report_load(prom, cores)
        report_recorded_series(prom, recordings, fleet)
        for target in targets:
            target.stop()
        if args.rules_only:
            return 0 if on_target and drift_ok else 1
        end = int(time.time()) // step * step - step

        passes = backfill_passes(rule_files)
        seconds = 0.0
        for number, rules in enumerate(passes, 1):
            if number > 1:
                prom = start([])
            out = workdir / f"backfill-{number}"
            seconds += backfill(prom, rules, history_start, live_from, out)
            prom.stop()
            for block in out.iterdir():
                block.rename(data / block.name)
        print(
            f"\nrecording rules backfilled over the history in {seconds:.0f} s "
            f"({len(passes)} passes, one per dependency layer)"
        )

        prom = start([])
        # Half an hour before the live scrapes began: inside the backfilled history.
        agree = check_equivalence(prom, recordings, live_from - 1800)
        report_panels(prom, recordings, end, args.hours, args.repeat)
        return 0 if on_target and agree and drift_ok else 1
    finally:
        for target in targets:
            target.stop()
        for server in servers:
            server.stop()
        if args.keep:
            print(f"working directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
