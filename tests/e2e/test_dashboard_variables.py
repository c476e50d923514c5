"""A real Prometheus runs every rule over one series of every family the exporters emit
(tests/support/universe.py); the labels each series really has then decide whether every
dashboard variable filters every panel whose series carry its label."""

from __future__ import annotations

import copy
import time
from collections.abc import Iterator

import pytest

from bench.prometheus_process import Prometheus
from dashboards.all import all_dashboards
from dashboards.cost import UID as COST
from dashboards.inference import UID as INFERENCE
from rules.config import RulesConfig
from rules.groups import render_rule_file, rule_groups
from rules.stack import StackFacts
from tests.support.dashboard_variables import selectors, unfiltered
from tests.support.tools import require_tool
from tests.support.universe import serve_universe

CONFIG = RulesConfig(daily_budget_dollars=1000)
DASHBOARDS = all_dashboards(CONFIG)
# Groups every second, so recorded series exist after a few seconds.
FACTS = StackFacts(evaluation_interval="1s", startup_seconds={"m": 1800})


def referenced() -> set[str]:
    """Every series name the dashboards query (ALERTS exists only while alerts fire)."""
    names = {
        name
        for model in DASHBOARDS.values()
        for panel in model["panels"]
        for target in panel.get("targets", [])
        for name, _ in selectors(target["expr"])
    }
    return names - {"ALERTS"}


@pytest.fixture(scope="module")
def labels_of(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, set[str]]]:
    """Series name -> the label names its series have in a real Prometheus."""
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
        deadline = time.monotonic() + 90
        while set(found) != wanted and time.monotonic() < deadline:
            time.sleep(1)
            for name in wanted - set(found):
                series = prometheus.get("/api/v1/series", **{"match[]": name})
                if series:
                    found[name] = {label for s in series for label in s} - {"__name__"}
        assert set(found) == wanted, f"never produced: {sorted(wanted - set(found))}"
        yield found
    finally:
        prometheus.stop()
        universe.stop()


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
