"""A real Prometheus runs every rule over one series of every family the exporters emit
(tests/support/universe.py). Every panel query then runs there and must return series that
carry the labels its legend names; and the labels each series really has decide whether every
dashboard variable filters every panel whose series carry its label."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bench.prometheus_process import Prometheus
from dashboards.all import all_dashboards
from dashboards.cost import UID as COST
from dashboards.inference import UID as INFERENCE
from rules.config import RulesConfig
from rules.groups import render_rule_file, rule_groups
from rules.stack import StackFacts
from tests.support.dashboard_variables import legend_labels, selectors, substitute, unfiltered
from tests.support.tools import require_tool
from tests.support.universe import serve_universe

# A budget so that the spend panels exist; one request is enough for the burn alerts, so that
# they go pending within seconds (the universe fails half its requests).
CONFIG = RulesConfig(
    daily_budget_dollars=1000, min_requests=1, diagnostics_interval="1s", long_window_interval="1s"
)
HISTORY_SECONDS = 15  # every query's window (WINDOWS) has data
DASHBOARDS = all_dashboards(CONFIG)
# Groups every second (the slower ones too), so recorded series exist after a few seconds.
FACTS = StackFacts(
    evaluation_interval="1s",
    startup_seconds={"m": 1800},
    autoscaling_targets={
        "m": {
            "pending_requests_per_replica": 5,
            "running_requests_per_replica": 16,
            "kv_cache_percent": 85,
        }
    },
)


def referenced() -> set[str]:
    """Every series name the dashboards query (ALERTS too: the universe fails half its requests,
    so the SLO burn alerts go pending)."""
    names = {
        name
        for model in DASHBOARDS.values()
        for panel in model["panels"]
        for target in panel.get("targets", [])
        for name, _ in selectors(target["expr"])
    }
    return names


@dataclass(frozen=True)
class Universe:
    """The running Prometheus, and series name -> the label names its series have there."""

    prometheus: Prometheus
    labels_of: dict[str, set[str]]


@pytest.fixture(scope="module")
def universe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Universe]:
    """A Prometheus where every series the dashboards query exists."""
    require_tool("prometheus")
    directory = tmp_path_factory.mktemp("universe")
    rule_files = []
    for area, groups in rule_groups(CONFIG, FACTS).items():
        path = directory / f"{area}.yaml"
        path.write_text(render_rule_file(groups))
        rule_files.append(path)
    universe = serve_universe()
    prometheus = Prometheus(
        directory,
        directory / "data",
        rule_files,
        evaluation_interval="1s",
        scrape_target=universe.address,
        scrape_timeout="1s",
    )
    try:
        wanted, found = referenced(), {}
        started = time.monotonic()
        deadline = started + 90
        while set(found) != wanted and time.monotonic() < deadline:
            time.sleep(1)
            for name in wanted - set(found):
                series = prometheus.get("/api/v1/series", **{"match[]": name})
                if series:
                    found[name] = {label for s in series for label in s} - {"__name__"}
        assert set(found) == wanted, f"never produced: {sorted(wanted - set(found))}"
        burning = 'ALERTS{alertname=~"SLOErrorBudgetBurn.*"}'
        while len({s["slo"] for s in prometheus.get("/api/v1/series", **{"match[]": burning})}) < 2:
            assert time.monotonic() < deadline, "the SLO burn alerts never went pending"
            time.sleep(1)
        time.sleep(max(0.0, started + HISTORY_SECONDS - time.monotonic()))
        yield Universe(prometheus, found)
    finally:
        prometheus.stop()
        universe.stop()


@pytest.fixture(scope="module")
def labels_of(universe: Universe) -> dict[str, set[str]]:
    """Series name -> the label names its series have in a real Prometheus."""
    return universe.labels_of


def test_every_series_the_dashboards_query_is_produced(labels_of: dict[str, set[str]]) -> None:
    assert set(labels_of) == referenced()
    # Controls on the readback: GPUs carry the holder's namespace, per-model series do not.
    assert {"namespace", "pod", "hostname"} <= labels_of["ai:gpu_utilization:avg"]
    assert labels_of["ai:tokens_per_second"] == {"model_name"}


@pytest.mark.parametrize("uid", sorted(DASHBOARDS))
def test_every_variable_filters_every_panel_whose_series_carry_its_label(
    labels_of: dict[str, set[str]], uid: str
) -> None:
    assert unfiltered(DASHBOARDS[uid], lambda name: labels_of.get(name, set())) == []


def test_a_variable_that_filters_nothing_or_a_panel_that_ignores_one_is_reported(
    labels_of: dict[str, set[str]],
) -> None:
    """Control: the cost dashboard's old $namespace, and a raw query without $namespace."""
    cost = copy.deepcopy(DASHBOARDS[COST])
    cost["templating"]["list"].append(
        copy.deepcopy(
            next(v for v in DASHBOARDS[INFERENCE]["templating"]["list"] if v["name"] == "namespace")
        )
    )
    assert f"{COST}: $namespace filters no panel" in unfiltered(cost, labels_of.__getitem__)
    inference = copy.deepcopy(DASHBOARDS[INFERENCE])
    for panel in inference["panels"]:
        for target in panel.get("targets", []):
            target["expr"] = target["expr"].replace(', namespace=~"$namespace"', "")
    problems = unfiltered(inference, lambda name: labels_of.get(name, set()))
    assert any("vllm:time_to_first_token_seconds_bucket carries namespace" in p for p in problems)


# The universe has seconds of history, scraped every second: short windows. A panel of events
# "in the time range" shows a counter that rose over a short range, and a series that appeared
# over a range longer than the universe's life: each query must show data over one of them.
WINDOWS = {"$__rate_interval": "10s", "$__interval": "1s", "$__range": "5s"}
LONG_RANGE = {**WINDOWS, "$__range": "1h"}


def targets() -> list[tuple[str, str, dict[str, Any]]]:
    """(dashboard uid, panel title, target) of every panel query."""
    return [
        (uid, panel["title"], target)
        for uid, model in sorted(DASHBOARDS.items())
        for panel in model["panels"]
        for target in panel.get("targets", [])
    ]


@pytest.mark.parametrize(
    "uid, title, target", targets(), ids=[f"{u}/{p}/{t['refId']}" for u, p, t in targets()]
)
def test_every_panel_query_returns_series_with_its_legend_labels(
    universe: Universe, uid: str, title: str, target: dict[str, Any]
) -> None:
    expr = substitute(target["expr"], WINDOWS)
    result = universe.prometheus.get("/api/v1/query", query=expr)["result"]
    if not result and "$__range" in target["expr"]:
        expr = substitute(target["expr"], LONG_RANGE)
        result = universe.prometheus.get("/api/v1/query", query=expr)["result"]
    assert result, f"{uid}/{title}: no series for {expr}"
    # `cluster` is the external label Thanos Query adds to every series the dashboards read;
    # Prometheus' own API (this one) never shows external labels.
    wanted = legend_labels(target.get("legendFormat", "")) - {"cluster"}
    for series in result:
        assert wanted <= set(series["metric"]), (uid, title, wanted, series["metric"])


def test_a_query_on_a_label_no_series_carries_is_caught(universe: Universe) -> None:
    """Control: the TTFT panel selecting on a label vLLM does not export finds nothing, and a
    quantile without le loses its legend's model_name."""
    prometheus = universe.prometheus
    wrong_label = 'ai:ttft_seconds:p99{model=~".+"}'
    assert prometheus.get("/api/v1/query", query=wrong_label)["result"] == []
    no_le = (
        "histogram_quantile(0.99, sum by (le) (rate(vllm:time_to_first_token_seconds_bucket[10s])))"
    )
    (series,) = prometheus.get("/api/v1/query", query=no_le)["result"]
    assert "model_name" not in series["metric"]
