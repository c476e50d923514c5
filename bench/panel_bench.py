"""Every dashboard query of the rules benchmark, as deployed and with each recorded series
replaced by the raw-series expression it stands for: the two must agree, then both are timed."""

from __future__ import annotations

import math
import statistics
import time
from typing import Any

from bench.prometheus_process import Prometheus, QueryError
from bench.promql_inline import RECORDED, Recording, inline_recordings
from bench.rules_history import EVALUATION_INTERVAL, STEP_SECONDS
from dashboards.all import all_dashboards
from rules.config import RulesConfig

RATE_INTERVAL = "2m"  # what Grafana's $__rate_interval is with a 30s scrape interval
RANGE = "6h"  # $__range: the dashboards open on the last 6 hours


def timed_query(
    prom: Prometheus, expr: str, start: int, end: int, instant: bool, repeat: int
) -> float | str:
    """Median wall seconds of a query (after one warm-up), or the error Prometheus gave."""
    params = (
        {"query": expr, "time": str(end)}
        if instant
        else {"query": expr, "start": str(start), "end": str(end), "step": str(STEP_SECONDS)}
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
                expr = expr.replace("$__range", RANGE)
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
        f"\ndashboard queries over {hours} h at a {STEP_SECONDS}s step, every variable at All "
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
