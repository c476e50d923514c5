"""The project's rules and dashboards at fleet scale, on a real Prometheus.

1. Writes a synthetic fleet (default: 1,000 vLLM pods over 20 models, 2,000 GPUs on 250 nodes)
   as OpenMetrics history and loads it with `promtool tsdb create-blocks-from openmetrics`.
2. Starts Prometheus over it with the project's rule files and measures every rule group's
   evaluation time against the evaluation interval, and the series each recording rule writes.
3. Backfills the recording rules over the history (`promtool tsdb create-blocks-from rules`)
   and times every dashboard query over 6 hours, as deployed and with every recorded series
   replaced by its raw-series expression (bench/promql_inline.py), and prints the ratios.

Run from the repository root: `venv/bin/python -m bench.rules_bench` (about an hour on two
cores; `--pods 100 --nodes 25 --hours 1` for a quick look). Needs promtool and prometheus.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.fleet_metrics import Fleet, fleet_series
from bench.fleet_target import FleetTarget
from bench.panel_bench import check_equivalence, report_panels
from bench.prometheus_process import Prometheus
from bench.promql_inline import (
    Recording,
    recordings_from_groups,
)
from bench.rules_history import (
    EVALUATION_INTERVAL,
    SCRAPE_SECONDS,
    backfill,
    backfill_passes,
    load_history,
    longest_window,
)
from rules.config import RulesConfig
from rules.groups import render_rule_file, rule_groups

ROOT = Path(__file__).resolve().parents[1]

TARGET_SHARE = 0.05  # all groups together under 5% of the evaluation interval


def write_rule_files(directory: Path) -> tuple[list[Path], list[Recording]]:
    """The project's rule files, as deployed (every area, GPU rules on)."""
    paths, recordings = [], []
    for area, groups in rule_groups(RulesConfig()).items():
        path = directory / f"{area}.rules.yaml"
        path.write_text(render_rule_file(groups))
        paths.append(path)
        recordings += recordings_from_groups(groups)
    return paths, recordings


@dataclass
class GroupTimes:
    """Evaluation times of one rule group over several rounds."""

    name: str
    interval: float
    seconds: list[float] = field(default_factory=list)
    rules: dict[str, float] = field(default_factory=dict)
    expressions: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


def measure_groups(prom: Prometheus, rounds: int) -> dict[str, GroupTimes]:
    """Each group's evaluationTime over `rounds` evaluations after the first (a cold cache)."""
    seen: dict[str, str] = {}
    times: dict[str, GroupTimes] = {}
    counts: dict[str, int] = {}
    deadline = time.monotonic() + 120 + rounds * 90
    while time.monotonic() < deadline:
        groups = prom.get("/api/v1/rules")["groups"]
        for group in groups:
            key = f"{Path(group['file']).name}:{group['name']}"
            if (
                group["lastEvaluation"].startswith("0001")
                or seen.get(key) == group["lastEvaluation"]
            ):
                continue
            seen[key] = group["lastEvaluation"]
            counts[key] = counts.get(key, 0) + 1
            if counts[key] == 1:
                continue
            entry = times.setdefault(key, GroupTimes(group["name"], group["interval"]))
            if len(entry.seconds) < rounds:
                entry.seconds.append(group["evaluationTime"])
                for rule in group["rules"]:
                    label = rule["name"] + "".join(
                        f'{{slo="{v}"}}' for k, v in rule.get("labels", {}).items() if k == "slo"
                    )
                    entry.rules[label] = max(entry.rules.get(label, 0.0), rule["evaluationTime"])
                    entry.expressions[label] = rule["query"]
                    if rule["health"] != "ok":
                        entry.errors.append(f"{label}: {rule.get('lastError')}")
        done = all(len(t.seconds) >= rounds for t in times.values())
        if groups and len(times) == len(groups) and done:
            return times
        time.sleep(3)
    raise RuntimeError("rule groups did not complete the rounds in time")


def report_groups(times: dict[str, GroupTimes], history_seconds: int) -> bool:
    """Print each group's median evaluation time against its interval; True when on target."""
    print("\nrule groups (median of the measured evaluations):")
    total = 0.0
    interval = 0.0
    for key, entry in sorted(times.items()):
        median = statistics.median(entry.seconds)
        total += median
        interval = entry.interval
        print(
            f"  {key:48s} {median * 1000:9.1f} ms  "
            f"{median / entry.interval:7.3%} of {entry.interval:.0f}s"
        )
        for error in entry.errors:
            print(f"    ERROR {error}")
    share = total / interval
    print(
        f"  all groups together: {total * 1000:.1f} ms = {share:.2%} "
        f"of the {interval:.0f}s interval "
        f"(target < {TARGET_SHARE:.0%}): {'met' if share < TARGET_SHARE else 'NOT met'}"
    )
    slowest = sorted(
        ((t, rule, entry) for entry in times.values() for rule, t in entry.rules.items()),
        reverse=True,
    )[:8]
    print("  slowest rules (max over rounds):")
    for seconds, rule, _ in slowest:
        print(f"    {seconds * 1000:8.1f} ms  {rule}")
    # Rules whose windows reach past the history read fewer samples here than in production.
    scaled = total
    for entry in times.values():
        for rule, seconds in entry.rules.items():
            window = longest_window(entry.expressions[rule])
            if window > history_seconds:
                scaled += seconds * (window / history_seconds - 1)
    print(
        f"  with windows longer than the {history_seconds / 3600:.0f} h history scaled to full "
        f"windows (cost proportional to samples): {scaled * 1000:.0f} ms = {scaled / interval:.2%}"
    )
    return share < TARGET_SHARE and not any(e.errors for e in times.values())


def process_cpu_seconds(prom: Prometheus) -> float:
    """Prometheus' own CPU time so far (user and system)."""
    for line in prom.metrics().splitlines():
        if line.startswith("process_cpu_seconds_total "):
            return float(line.split()[1])
    raise RuntimeError("Prometheus exposes no process_cpu_seconds_total")


def report_load(prom: Prometheus, cores: float) -> None:
    """What else the server did while the groups were measured: ingesting the fleet."""
    scrape = prom.get("/api/v1/query", query="avg_over_time(scrape_duration_seconds[5m])")
    samples = prom.get("/api/v1/query", query="scrape_samples_scraped")
    seconds = float(scrape["result"][0]["value"][1]) if scrape["result"] else math.nan
    count = int(float(samples["result"][0]["value"][1])) if samples["result"] else 0
    print(
        f"  meanwhile Prometheus ingested {count:,} samples per {SCRAPE_SECONDS}s scrape "
        f"({seconds:.2f} s each) and used {cores:.2f} of the machine's {os.cpu_count()} cores "
        "on average"
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
    parser.add_argument("--rounds", type=int, default=10, help="rule evaluations to measure")
    parser.add_argument("--repeat", type=int, default=3, help="runs per dashboard query")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--keep", action="store_true", help="keep the working directory")
    parser.add_argument(
        "--settle", type=int, default=330, help="seconds of live scrapes before measuring"
    )
    args = parser.parse_args(argv)
    for tool in ("promtool", "prometheus"):
        if shutil.which(tool) is None:
            print(f"{tool} is not on PATH (Debian: apt-get install prometheus)", file=sys.stderr)
            return 2
    fleet = Fleet(models=args.models, pods=args.pods, nodes=args.nodes)
    workdir = Path(tempfile.mkdtemp(prefix="rules-bench-"))
    data = workdir / "data"
    data.mkdir()
    servers: list[Prometheus] = []

    def start(rule_files: list[Path], scrape_target: str | None = None) -> Prometheus:
        servers.append(
            Prometheus(workdir, data, rule_files, EVALUATION_INTERVAL, scrape_target=scrape_target)
        )
        return servers[-1]

    try:
        now = int(time.time()) // SCRAPE_SECONDS * SCRAPE_SECONDS
        lead = 3600  # the first hour only fills the 1 h windows at the start of the range
        history_start = now - args.hours * 3600 - lead
        origin = history_start - 86400  # counters start a day before the history
        load_history(fleet, history_start, now, origin, data, args.workers)
        rule_files, recordings = write_rule_files(workdir)

        # From here on the fleet is scraped live, so recent samples are in the head, as in
        # production; the gap between the end of the history and the first scrape is the time
        # the load took.
        # Bodies for the settle time and the measured rounds, with some to spare.
        prepared = (args.settle + (args.rounds + 4) * SCRAPE_SECONDS) // SCRAPE_SECONDS
        target = FleetTarget(fleet_series(fleet), origin, SCRAPE_SECONDS, prepared)
        prom = start(rule_files, target.address)
        live_from = int(time.time()) // SCRAPE_SECONDS * SCRAPE_SECONDS
        settle = args.settle
        print(
            f"scraping the fleet live; measuring after {settle} s, once the 5m windows hold "
            "scraped samples only"
        )
        time.sleep(settle)
        cpu_before, began = process_cpu_seconds(prom), time.monotonic()
        times = measure_groups(prom, args.rounds)
        cores = (process_cpu_seconds(prom) - cpu_before) / (time.monotonic() - began)
        on_target = report_groups(times, live_from - history_start)
        report_load(prom, cores)
        report_recorded_series(prom, recordings, fleet)
        target.stop()
        end = int(time.time()) // SCRAPE_SECONDS * SCRAPE_SECONDS - SCRAPE_SECONDS

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
        return 0 if on_target and agree else 1
    finally:
        for server in servers:
            server.stop()
        if args.keep:
            print(f"working directory kept: {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
