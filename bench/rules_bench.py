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
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.fleet_metrics import Fleet, fleet_series, write_chunk
from bench.fleet_target import FleetTarget
from bench.prometheus_process import Prometheus, QueryError
from bench.promql_inline import (
    RECORDED,
    Recording,
    inline_recordings,
    recordings_from_groups,
)
from dashboards.all import all_dashboards
from rules.config import RulesConfig
from rules.groups import render_rule_file, rule_groups

ROOT = Path(__file__).resolve().parents[1]

SCRAPE_SECONDS = 30  # kube-prometheus-stack's default scrape and evaluation interval
EVALUATION_INTERVAL = "30s"
RATE_INTERVAL = "2m"  # what Grafana's $__rate_interval is with a 30s scrape interval
TARGET_SHARE = 0.05  # all groups together under 5% of the evaluation interval
DURATION = re.compile(r"\[(\d+)([smhd])(?::[^\]]*)?\]")
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def longest_window(expr: str) -> int:
    """The longest range selector in an expression, in seconds (0 when there is none)."""
    return max((int(n) * UNIT_SECONDS[u] for n, u in DURATION.findall(expr)), default=0)


def build_chunk(job: tuple[Fleet, int, int, int, Path]) -> tuple[int, float]:
    """Write one slice of history and turn it into blocks; (samples, seconds)."""
    fleet, start, end, origin, directory = job
    began = time.monotonic()
    directory.mkdir(parents=True)
    text = directory / "history.om"
    samples = write_chunk(text, fleet, range(start, end, SCRAPE_SECONDS), origin)
    subprocess.run(
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", "-q", str(text), str(directory)],
        check=True,
    )
    text.unlink()
    return samples, time.monotonic() - began


def load_history(fleet: Fleet, start: int, end: int, origin: int, data: Path, workers: int) -> None:
    """History from start to end (Unix seconds) as TSDB blocks in data/, one hour per job."""
    jobs = [
        (fleet, chunk, min(chunk + 3600, end), origin, data.parent / f"chunk-{chunk}")
        for chunk in range(start, end, 3600)
    ]
    began = time.monotonic()
    with ProcessPoolExecutor(workers) as pool:
        results = list(pool.map(build_chunk, jobs))
    for *_, directory in jobs:
        for block in directory.iterdir():
            block.rename(data / block.name)
        directory.rmdir()
    samples = sum(s for s, _ in results)
    print(
        f"history: {len(fleet_series(fleet)):,} series, {samples:,} samples over "
        f"{(end - start) / 3600:.2f} h at {SCRAPE_SECONDS}s, loaded in "
        f"{time.monotonic() - began:.0f} s"
    )


def write_rule_files(directory: Path) -> tuple[list[Path], list[Recording]]:
    """The project's rule files, as deployed (every area, GPU rules on)."""
    paths, recordings = [], []
    for area, groups in rule_groups(RulesConfig(), gpu_enabled=True).items():
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


def backfill(prom: Prometheus, rules: str, start: int, end: int, out: Path) -> float:
    """promtool's recording-rule backfill from a running server; seconds taken."""
    rule_file = out.parent / "backfill.rules.yaml"
    rule_file.write_text(rules)
    began = time.monotonic()
    result = subprocess.run(
        [
            "promtool", "tsdb", "create-blocks-from", "rules", "-q",
            f"--start={start}", f"--end={end}", f"--url={prom.url}",
            f"--eval-interval={EVALUATION_INTERVAL}", f"--output-dir={out}",
            str(rule_file),
        ],
        capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode:
        raise RuntimeError(f"promtool backfill failed:\n{result.stderr[-2000:]}")
    return time.monotonic() - began


def references(expr: str, names: set[str]) -> set[str]:
    """The recorded names an expression reads (whole names: ai:x does not match ai:x_y)."""
    return {n for n in names if re.search(rf"(?<![\w:]){re.escape(n)}(?![\w:])", expr)}


def backfill_passes(rule_files: list[Path]) -> list[str]:
    """Rule files' text for the backfill, one per dependency layer: rules over raw series
    first, then rules over what the previous passes recorded (promtool evaluates against the
    server's data, so each pass needs the ones before it loaded). Every pass keeps the groups'
    names and is written to one path, so each group evaluates at the same offset within the
    interval in every pass, as one group does in production."""
    import yaml

    groups = [g for path in rule_files for g in yaml.safe_load(path.read_text())["groups"]]
    rules = [r for g in groups for r in g["rules"] if "record" in r]
    names = {r["record"] for r in rules}
    needs: dict[str, set[str]] = {name: set() for name in names}
    for rule in rules:  # one name can have several rules (one per SLO, say)
        needs[rule["record"]] |= references(rule["expr"], names)
    layer: dict[str, int] = {}
    while len(layer) < len(names):
        ready = {
            name: 1 + max((layer[n] for n in wanted), default=-1)
            for name, wanted in needs.items()
            if name not in layer and wanted <= layer.keys()
        }
        if not ready:
            raise ValueError(f"recording rules read each other in a cycle: {names - layer.keys()}")
        layer.update(ready)
    passes: list[list[dict[str, Any]]] = [[] for _ in range(max(layer.values()) + 1)]
    for group in groups:
        for depth, chosen in enumerate(passes):
            picked = [r for r in group["rules"] if "record" in r and layer[r["record"]] == depth]
            if picked:
                chosen.append({**group, "rules": picked})
    return [yaml.safe_dump({"groups": g}, sort_keys=False) for g in passes]


def timed_query(
    prom: Prometheus, expr: str, start: int, end: int, instant: bool, repeat: int
) -> float | str:
    """Median wall seconds of a query (after one warm-up), or the error Prometheus gave."""
    params = (
        {"query": expr, "time": str(end)}
        if instant
        else {"query": expr, "start": str(start), "end": str(end), "step": str(SCRAPE_SECONDS)}
    )
    path = "/api/v1/query" if instant else "/api/v1/query_range"
    durations = []
    try:
        for attempt in range(repeat + 1):
            began = time.perf_counter()
            prom.get(path, **params)
            if attempt or time.perf_counter() - began > 10:  # a slow query is measured once
                durations.append(time.perf_counter() - began)
            if durations and durations[0] > 10:
                break
    except QueryError as error:
        return str(error).split(":")[0] + ": " + str(error)[:80]
    return statistics.median(durations)


def dashboard_queries() -> list[tuple[str, str, str, bool]]:
    """(dashboard, panel, expr with every variable at All, instant) for every panel target."""
    queries = []
    for uid, model in all_dashboards(RulesConfig()).items():
        for panel in model["panels"]:
            for target in panel.get("targets", []):
                expr = target["expr"].replace("$__rate_interval", RATE_INTERVAL)
                for variable in ("$model", "$cluster", "$namespace", "$node"):
                    expr = expr.replace(variable, ".*")
                queries.append((uid, panel["title"], expr, bool(target.get("instant"))))
    return queries


def report_panels(
    prom: Prometheus, recordings: list[Recording], end: int, hours: int, repeat: int
) -> None:
    """Every dashboard query over the last `hours`, as deployed and from raw series."""
    start = end - hours * 3600
    print(
        f"\ndashboard queries over {hours} h at a {SCRAPE_SECONDS}s step, every variable at All "
        f"(median of {repeat} after a warm-up; ms):"
    )
    print(f"  {'dashboard / panel':62s} {'recorded':>10s} {'raw':>10s} {'raw/rec':>8s}")
    totals: dict[str, list[float]] = {}
    for uid, title, expr, instant in dashboard_queries():
        raw_expr = inline_recordings(expr, recordings, EVALUATION_INTERVAL)
        recorded = timed_query(prom, expr, start, end, instant, repeat)
        if raw_expr == expr:
            shown = f"{recorded * 1000:10.1f}" if isinstance(recorded, float) else recorded
            print(f"  {uid + ' / ' + title:62.62s} {shown:>10s} {'(reads raw series)':>19s}")
            continue
        raw = timed_query(prom, raw_expr, start, end, instant, repeat)
        if isinstance(recorded, float) and isinstance(raw, float):
            totals.setdefault(uid, [0.0, 0.0])
            totals[uid][0] += recorded
            totals[uid][1] += raw
            print(
                f"  {uid + ' / ' + title:62.62s} {recorded * 1000:10.1f} {raw * 1000:10.1f} "
                f"{raw / recorded:7.0f}x"
            )
        else:
            rec = f"{recorded * 1000:.1f}" if isinstance(recorded, float) else recorded
            raw_shown = f"{raw * 1000:.1f}" if isinstance(raw, float) else raw
            print(f"  {uid + ' / ' + title:62.62s} {rec:>10s} raw: {raw_shown}")
    print("  per dashboard, queries that use recorded series (sum of ms):")
    for uid, (recorded, raw) in totals.items():
        print(
            f"    {uid:28s} recorded {recorded * 1000:9.1f}  raw {raw * 1000:10.1f}  "
            f"{raw / recorded:6.0f}x"
        )


def same_result(left: list[dict[str, Any]], right: list[dict[str, Any]], rel_tol: float) -> bool:
    """Two instant-query results hold the same series (names aside) with close values."""

    def keyed(result: list[dict[str, Any]]) -> dict[frozenset[tuple[str, str]], float]:
        return {
            frozenset((k, v) for k, v in r["metric"].items() if k != "__name__"): float(
                r["value"][1]
            )
            for r in result
        }

    def close(x: float, y: float) -> bool:
        both_nan = math.isnan(x) and math.isnan(y)
        return both_nan or math.isclose(x, y, rel_tol=rel_tol, abs_tol=1e-12)

    a, b = keyed(left), keyed(right)
    return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)


def first_difference(left: list[dict[str, Any]], right: list[dict[str, Any]]) -> str:
    """The first series whose value differs or that only one side has."""

    def keyed(result: list[dict[str, Any]]) -> dict[str, str]:
        return {
            str(sorted((k, v) for k, v in r["metric"].items() if k != "__name__")): r["value"][1]
            for r in result
        }

    a, b = keyed(left), keyed(right)
    for key in sorted(a.keys() | b.keys()):
        if a.get(key) != b.get(key):
            return f"{key}: {a.get(key)} vs {b.get(key)}"
    return "no series"


def check_equivalence(prom: Prometheus, recordings: list[Recording], near: int) -> bool:
    """Every rewritten query returns what the deployed one does, inside the backfilled history.

    Both run at the timestamp of the recorded sample (each group evaluates at its own offset
    within the interval), so a rewrite without a subquery must agree to float rounding: sums
    over series run in no fixed order, and a latency SLO's errors are all requests minus the
    fast ones, a difference that magnifies rounding (seen: 1.3e-7 relative). A subquery steps
    on multiples of 30s rather than at the group's offset, so those agree within 1%.
    """
    agree, compared, failures = 0, 0, []
    for uid, title, expr, _ in dashboard_queries():
        raw_expr = inline_recordings(expr, recordings, EVALUATION_INTERVAL)
        if raw_expr == expr:
            continue
        # Rules recording one name in different groups (one per SLO) have different offsets.
        found = RECORDED.search(expr)
        assert found is not None
        selector = f"{found['name']}{{{found['matchers'] or ''}}}"
        stamp = prom.get("/api/v1/query", query=f"max(timestamp({selector}))", time=str(near))
        at = stamp["result"][0]["value"][1]
        tolerance = 1e-2 if ":30s]" in raw_expr else 1e-6
        try:
            recorded = prom.get("/api/v1/query", query=expr, time=at)["result"]
            raw = prom.get("/api/v1/query", query=raw_expr, time=at)["result"]
        except QueryError as error:
            failures.append(f"{uid} / {title}: not compared ({str(error)[:60]})")
            continue
        compared += 1
        if recorded and same_result(recorded, raw, tolerance):
            agree += 1
        else:
            failures.append(f"{uid} / {title}: {first_difference(recorded, raw)}")
    print(f"\nraw rewrites return the deployed queries' results: {agree} of {compared} agree")
    for failure in failures:
        print(f"  {failure}")
    return agree == compared


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
