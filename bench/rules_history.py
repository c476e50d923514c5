"""The fleet's history for the rules benchmark: synthetic series loaded with promtool, and the
recording rules backfilled over them, one pass per dependency layer."""

from __future__ import annotations

import re
import subprocess
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bench.fleet_metrics import Fleet, write_chunk
from bench.prometheus_process import Prometheus

STEP_SECONDS = 30  # dashboard query step and backfill interval: the evaluation interval
EVALUATION_INTERVAL = "30s"


@dataclass(frozen=True)
class HistoryChunk:
    """One slice of history of some scrape jobs, sampled at their interval."""

    fleet: Fleet
    jobs: tuple[str, ...]
    start: int
    end: int
    step: int
    origin: int
    directory: Path


def build_chunk(chunk: HistoryChunk) -> tuple[int, float]:
    """Write one slice of history and turn it into blocks; (samples, seconds)."""
    began = time.monotonic()
    chunk.directory.mkdir(parents=True)
    text = chunk.directory / "history.om"
    timestamps = range(chunk.start, chunk.end, chunk.step)
    samples = write_chunk(text, chunk.fleet, timestamps, chunk.origin, chunk.jobs)
    subprocess.run(
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", "-q", str(text),
         str(chunk.directory)],
        check=True,
    )  # fmt: skip
    text.unlink()
    return samples, time.monotonic() - began


def history_chunks(
    fleet: Fleet,
    spans: dict[str, tuple[int, int]],
    intervals: dict[str, int],
    origin: int,
    workdir: Path,
) -> list[HistoryChunk]:
    """One chunk per hour of each job's span (start, end), jobs of one interval and span
    written together."""
    grouped: dict[tuple[int, int, int], list[str]] = {}
    for job, (start, end) in spans.items():
        grouped.setdefault((start, end, intervals[job]), []).append(job)
    return [
        HistoryChunk(
            fleet,
            tuple(jobs),
            hour,
            min(hour + 3600, end),
            step,
            origin,
            workdir / f"chunk-{step}-{hour}",
        )
        for (start, end, step), jobs in sorted(grouped.items())
        for hour in range(start, end, 3600)
    ]


def load_history(chunks: list[HistoryChunk], data: Path, workers: int) -> None:
    """The chunks as TSDB blocks in data/."""
    began = time.monotonic()
    with ProcessPoolExecutor(workers) as pool:
        results = list(pool.map(build_chunk, chunks))
    for chunk in chunks:
        for block in chunk.directory.iterdir():
            block.rename(data / block.name)
        chunk.directory.rmdir()
    samples = sum(s for s, _ in results)
    spans: dict[tuple[str, ...], list[int]] = {}
    for chunk in chunks:
        span = spans.setdefault(chunk.jobs, [chunk.start, chunk.end, chunk.step])
        span[0], span[1] = min(span[0], chunk.start), max(span[1], chunk.end)
    described = "; ".join(
        f"{'+'.join(jobs)} {(end - start) / 3600:.2f} h at {step}s"
        for jobs, (start, end, step) in spans.items()
    )
    print(f"history: {samples:,} samples ({described}), loaded in {time.monotonic() - began:.0f} s")


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
