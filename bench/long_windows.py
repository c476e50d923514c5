"""Full data for the rules whose windows reach past the fleet's history (a day of spend, three
days of SLO events, seven days of judge scores), so the bench times them reading what they
read in production instead of scaling a short read up.

Raw series read over such windows get history of their own before the fleet's history starts;
recorded series read over them (the SLO base rates, the hourly costs) get history before the
live scrapes began, with the label sets the running rules record and their current values,
written as blocks into the running server's data directory (Prometheus loads new blocks within
a minute)."""

from __future__ import annotations

import re
import subprocess
import time
from pathlib import Path

import yaml

from bench.fleet_metrics import Fleet, fleet_series, write_openmetrics
from bench.prometheus_process import Prometheus
from rules.durations import parse_duration

RANGE = re.compile(r"([a-zA-Z_:][\w:]*)(?:\{[^}]*\})?\[(\d+(?:ms|[smhdwy]))\]")
RECORDED = re.compile(r"^(ai|slo):")


def long_reads(rule_files: list[Path], longer_than: float) -> dict[str, int]:
    """Series name -> the longest window a rule reads it over, for windows over `longer_than`
    seconds."""
    reads: dict[str, int] = {}
    for path in rule_files:
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                for name, window in RANGE.findall(rule["expr"]):
                    seconds = int(parse_duration(window))
                    if seconds > longer_than:
                        reads[name] = max(reads.get(name, 0), seconds)
    return reads


def _to_blocks(text: Path, data: Path) -> None:
    directory = text.parent / f"{text.stem}-blocks"
    subprocess.run(
        ["promtool", "tsdb", "create-blocks-from", "openmetrics", "-q", str(text), str(directory)],
        check=True,
    )
    for block in directory.iterdir():
        block.rename(data / block.name)
    directory.rmdir()
    text.unlink()


def raw_history(
    fleet: Fleet, reads: dict[str, int], end: int, step: int, origin: int, workdir: Path
) -> tuple[Path, int]:
    """OpenMetrics of the raw series read over long windows, from end - window to end; the file
    and its samples."""
    text, samples = workdir / "long-raw.om", 0
    with text.open("w") as out:
        for name, window in reads.items():
            if RECORDED.match(name):
                continue
            series = [s for s in fleet_series(fleet) if s.name_and_labels.split("{")[0] == name]
            timestamps = range(end - window, end, step)
            samples += write_openmetrics(out, series, timestamps, origin, close=False)
        out.write("# EOF\n")
    return text, samples


def load_raw_history(
    fleet: Fleet, reads: dict[str, int], end: int, step: int, origin: int, workdir: Path
) -> None:
    """The raw series' long history as blocks in data/ (before the server starts)."""
    text, samples = raw_history(fleet, reads, end, step, origin, workdir)
    _to_blocks(text, workdir / "data")
    raw = {n: w for n, w in reads.items() if not RECORDED.match(n)}
    print(f"long windows: {samples:,} samples of raw history for {raw}")


def _labels(metric: dict[str, str]) -> str:
    name = metric["__name__"]
    pairs = ",".join(f'{k}="{v}"' for k, v in sorted(metric.items()) if k != "__name__")
    return f"{name}{{{pairs}}}"


def add_recorded_history(
    prom: Prometheus, reads: dict[str, int], end: int, step: int, workdir: Path
) -> None:
    """History of the recorded series read over long windows, up to `end` (the live start), at
    the evaluation interval, with each series' current value; written into the running
    server's data directory."""
    text, samples, names = workdir / "long-recorded.om", 0, []
    with text.open("w") as out:
        for name, window in reads.items():
            if not RECORDED.match(name):
                continue
            result = prom.get("/api/v1/query", query=name)["result"]
            if not result:
                raise RuntimeError(f"{name} is not recorded yet: cannot write its history")
            out.write(f"# TYPE {name} gauge\n")
            for sample in result:
                prefix, value = _labels(sample["metric"]), float(sample["value"][1])
                timestamps = range(end - window, end, step)
                out.write("".join(f"{prefix} {value!r} {t}\n" for t in timestamps))
                samples += len(timestamps)
            names.append(f"{name} ({len(result)} series, {window / 86400:g} d)")
        out.write("# EOF\n")
    _to_blocks(text, workdir / "data")
    print(f"long windows: {samples:,} samples of recorded history for {', '.join(names)}")


def wait_for_history(prom: Prometheus, reads: dict[str, int], timeout: float = 180) -> None:
    """Until the server has loaded the written blocks: each name has samples at the start of
    its longest window."""
    deadline = time.monotonic() + timeout
    for name, window in reads.items():
        query = f"count(count_over_time({name}[1h] offset {window - 3600}s))"
        while not prom.get("/api/v1/query", query=query)["result"]:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the history of {name} was not loaded in {timeout:.0f} s")
            time.sleep(5)
