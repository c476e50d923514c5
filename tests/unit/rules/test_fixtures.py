"""Test input looks like production input: every series a promtool test feeds (and every series
the e2e fakes and the benchmark's fleet serve) is one the real exporters emit, with the labels
they and the scrape give it (rules/catalog.py, components/gpu/counters.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from prometheus_client import generate_latest

from bench.fleet_metrics import Fleet, fleet_series
from components.gpu.counters import counter_names
from rules.catalog import dcgm_family, family_of
from rules.config import RulesConfig
from rules.groups import rule_groups
from tests.support.fake_targets import FakeDcgm, FakeVllm

PROMTOOL_TESTS = Path(__file__).parent / "promtool"
SERIES = re.compile(r"^([A-Za-z_:][A-Za-z0-9_:]*)\{(.*)\}$")
LABEL = re.compile(r'([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(series: str) -> tuple[str, set[str]]:
    """Name and label names of `name{a="x",b="y"}`."""
    match = SERIES.match(series.strip())
    assert match, series
    return match[1], {name for name, _ in LABEL.findall(match[2])}


def recorded() -> set[str]:
    groups = rule_groups(RulesConfig()).values()
    return {r["record"] for gs in groups for g in gs for r in g["rules"] if "record" in r}


def problem(series: str) -> str | None:
    """Why a series cannot come from the exporters as Prometheus stores them, or None."""
    name, labels = parse(series)
    if name in recorded():
        return None  # a recorded series fed directly (its labels are the rule's)
    if name.startswith("DCGM_"):
        if name not in counter_names():
            return f"{name} is not in the deployed DCGM counters list"
        family, bucket = dcgm_family(name), False
    else:
        found = family_of(name)
        if found is None:
            return f"{name} is in no exporter's catalog"
        family, bucket = found
    if not family.allows(labels, bucket):
        missing = sorted(family.labels - labels)
        unknown = sorted(labels - family.labels - family.optional - {"le"})
        return f"{name}: missing {missing}, unknown {unknown}"
    return None


def promtool_series() -> list[tuple[str, str]]:
    found = []
    for path in sorted(PROMTOOL_TESTS.glob("*.test.yaml")):
        for test in yaml.safe_load(path.read_text())["tests"]:
            found += [(path.name, s["series"]) for s in test.get("input_series", [])]
    return found


def test_every_promtool_input_series_is_one_an_exporter_emits() -> None:
    series = promtool_series()
    assert len(series) > 150
    problems = {f"{file}: {s}": p for file, s in series if (p := problem(s))}
    assert problems == {}


@pytest.mark.parametrize(
    ("series", "expected"),
    [
        # The XID gauge without err_code: what the old fixture fed, and no exporter emits.
        (
            'DCGM_FI_DEV_XID_ERRORS{gpu="0",UUID="GPU-1",device="nvidia0",modelName="m",'
            'hostname="h",DCGM_FI_DRIVER_VERSION="570",instance="i",job="j",endpoint="e",'
            'service="s"}',
            "missing ['err_code', 'err_msg']",
        ),
        # An up series without its target labels.
        ('up{model_name="m"}', "missing ['instance', 'job']"),
        # The classic underscore spelling.
        ('vllm_num_requests_running{model_name="m"}', "in no exporter's catalog"),
        # vLLM series without the ServiceMonitor's target labels.
        ('vllm:num_requests_running{model_name="m",engine="0"}', "missing ['container'"),
        ('DCGM_FI_DEV_FB_TOTAL{gpu="0"}', "not in the deployed DCGM counters list"),
    ],
)
def test_series_no_exporter_emits_are_reported(series: str, expected: str) -> None:
    """Control: the check refuses what used to be fed."""
    assert expected in (problem(series) or "")


def test_the_e2e_fakes_serve_catalog_names() -> None:
    """The fakes serve what the exporters do (Prometheus adds the target labels in e2e)."""
    fakes = [
        FakeVllm("m", 0.3, 100.0, 5.0, 0.5),
        FakeDcgm("gpu-node-1", [("inference", "m-0"), None]),
    ]
    names = set()
    for fake in fakes:
        text = generate_latest(fake.registry).decode()
        names |= {
            line.split("{")[0].split(" ")[0]
            for line in text.splitlines()
            if line[:1] not in ("#", "")
        }
    # <counter>_created: prometheus_client's start timestamps, which vLLM exposes too.
    names = {n for n in names if not n.endswith("_created")}
    assert names
    unknown = {n for n in names if not (family_of(n) or n in counter_names())}
    assert unknown == set()


def test_the_benchmark_fleet_is_shaped_like_production() -> None:
    series = fleet_series(Fleet(models=2, pods=4, nodes=1, gpus_per_node=8, large_models=0))
    names = {parse(s.name_and_labels)[0] for s in series}
    assert {
        "vllm:num_requests_running",
        "DCGM_FI_DEV_GPU_TEMP",
        "ai_pod_gpu_hourly_cost_dollars",
    } <= names
    problems = {s.name_and_labels: p for s in series if (p := problem(s.name_and_labels))}
    assert problems == {}
