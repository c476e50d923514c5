"""Rule groups' evaluation times on a running Prometheus, each against its own interval, and
the series each group writes."""

from __future__ import annotations

import math
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bench.prometheus_process import Prometheus

TARGET_SHARE = 0.05  # each group under 5% of its interval; all groups under 5% of one core


@dataclass
class GroupTimes:
    """Evaluation times of one rule group over several rounds."""

    name: str
    interval: float
    seconds: list[float] = field(default_factory=list)
    rules: dict[str, float] = field(default_factory=dict)
    expressions: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    series: int = 0

    @property
    def median(self) -> float:
        """The median evaluation time in seconds."""
        return statistics.median(self.seconds)

    @property
    def share(self) -> float:
        """The median evaluation time as a share of the group's interval (of one core)."""
        return self.median / self.interval


def rounds_for(interval: float, rounds: int, fastest: float) -> int:
    """Evaluations measured for a group: `rounds` for the fastest groups, proportionally fewer
    for slower ones (the same span of time), at least 2."""
    return max(2, math.ceil(rounds * fastest / interval))


def _rule_label(rule: dict) -> str:
    slo = "".join(f'{{slo="{v}"}}' for k, v in rule.get("labels", {}).items() if k == "slo")
    return rule["name"] + slo


def measure_groups(prom: Prometheus, rounds: int) -> dict[str, GroupTimes]:
    """Each group's evaluationTime over its rounds (rounds_for) after the first evaluation (a
    cold cache), and the series each recording group wrote at its last evaluation."""
    seen: dict[str, str] = {}
    times: dict[str, GroupTimes] = {}
    counts: dict[str, int] = {}
    groups = prom.get("/api/v1/rules")["groups"]
    fastest = min(g["interval"] for g in groups)
    slowest = max(g["interval"] for g in groups)
    wanted = {g["name"]: rounds_for(g["interval"], rounds, fastest) for g in groups}
    deadline = time.monotonic() + 120 + (max(wanted.values()) + 2) * slowest
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
            if len(entry.seconds) < wanted[group["name"]]:
                entry.seconds.append(group["evaluationTime"])
                entry.series = sum(
                    len(rule.get("alerts", [])) if rule["type"] == "alerting" else 0
                    for rule in group["rules"]
                )
                for rule in group["rules"]:
                    label = _rule_label(rule)
                    entry.rules[label] = max(entry.rules.get(label, 0.0), rule["evaluationTime"])
                    entry.expressions[label] = rule["query"]
                    if rule["health"] != "ok":
                        entry.errors.append(f"{label}: {rule.get('lastError')}")
        done = all(len(t.seconds) >= wanted[t.name] for t in times.values())
        if groups and len(times) == len(groups) and done:
            return times
        time.sleep(2)
    raise RuntimeError("rule groups did not complete the rounds in time")


def count_recorded(prom: Prometheus, groups: dict[str, GroupTimes], files: list[Path]) -> None:
    """Series each recording group writes: its recording rules' series, counted by name and
    static labels (a name recorded by several groups is counted for each by its labels)."""
    for path in files:
        for group in yaml.safe_load(path.read_text())["groups"]:
            entry = groups.get(f"{path.name}:{group['name']}")
            if entry is None:
                continue
            for rule in group["rules"]:
                if "record" not in rule:
                    continue
                matchers = ",".join(f'{k}="{v}"' for k, v in rule.get("labels", {}).items())
                result = prom.get("/api/v1/query", query=f"count({rule['record']}{{{matchers}}})")
                found = result["result"]
                entry.series += int(float(found[0]["value"][1])) if found else 0


def report_groups(times: dict[str, GroupTimes]) -> bool:
    """Print each group's median against its interval, the series it writes, and the total
    share of one core; True when every group and the total are under TARGET_SHARE."""
    print("\nrule groups (median of the measured evaluations; series written per evaluation):")
    print(f"  {'group':50s} {'median':>10s} {'interval':>8s} {'share':>8s} {'series':>7s}")
    ordered = sorted(times.items(), key=lambda item: -item[1].share)
    for key, entry in ordered:
        print(
            f"  {key:50s} {entry.median * 1000:7.1f} ms {entry.interval:7.0f}s "
            f"{entry.share:8.3%} {entry.series:7,d}"
        )
        for error in entry.errors:
            print(f"    ERROR {error}")
    core = sum(entry.share for entry in times.values())
    worst = max(entry.share for entry in times.values())
    groups_ok, core_ok = worst < TARGET_SHARE, core < TARGET_SHARE
    print(
        f"  largest share of a group's own interval: {worst:.2%} (target < {TARGET_SHARE:.0%}): "
        f"{'met' if groups_ok else 'NOT met'}"
    )
    print(
        f"  all groups together: {core:.2%} of one core "
        f"(sum of median / interval; target < {TARGET_SHARE:.0%}): "
        f"{'met' if core_ok else 'NOT met'}; "
        f"{sum(e.series for e in times.values()):,} series written per round of every group"
    )
    slowest = sorted(
        ((t, rule, entry) for entry in times.values() for rule, t in entry.rules.items()),
        key=lambda item: -item[0] / item[2].interval,
    )[:10]
    print("  costliest rules (max over rounds, and as a share of their group's interval):")
    for seconds, rule, entry in slowest:
        print(f"    {seconds * 1000:8.1f} ms  {seconds / entry.interval:7.3%}  {rule}")
    return groups_ok and core_ok and not any(e.errors for e in times.values())
