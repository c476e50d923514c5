"""Every dashboard is a Grafana model Grafana understands and keeps the design's promises:
panel types, units, options and variable settings from Grafana's own sets; UTC, 30s refresh,
read-only, links that keep time and variables; a layout without gaps; runbook links to alerts
that exist; thresholds at the alerts' configured values; legends naming real labels."""

from __future__ import annotations

import re
from typing import Any

import pytest

from dashboards.all import all_dashboards
from rules.catalog import CATALOGS, dcgm_family
from rules.config import RulesConfig, TeamBudget
from rules.groups import rule_groups
from rules.stack import StackFacts
from tests.support.dashboard_models import CONFIG, UIDS, dashboards
from tests.support.dashboard_models import panels as data_panels

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
# Grafana's panel plugin ids (public/app/plugins/panel/*/plugin.json) used for metrics.
PANEL_TYPES = {"timeseries", "stat", "gauge", "table", "heatmap", "bargauge", "row"}
# Unit ids of Grafana's value formats (packages/grafana-data/src/valueFormats/categories.ts),
# and its custom "suffix:<text>" form.
UNITS = {
    "none", "short", "percent", "percentunit", "s", "ms", "bytes", "decbytes", "reqps",
    "celsius", "watt", "currencyUSD", "dtdurations", "dateTimeAsIso",
}  # fmt: skip
# Option values from Grafana's panel schemas (LegendDisplayMode, LegendPlacement, TooltipDisplayMode,
# BigValueColorMode, BigValueGraphMode) and its reducer ids (standardCalcs).
LEGEND_MODES, PLACEMENTS, TOOLTIPS = (
    {"list", "table", "hidden"},
    {"bottom", "right"},
    {"single", "multi", "none"},
)
COLOR_MODES, GRAPH_MODES = {"value", "background", "background_solid", "none"}, {"none", "area"}
REDUCERS = {"lastNotNull", "last", "max", "min", "mean", "sum", "count", "firstNotNull"}
COLOURS = {"red", "orange", "yellow", "green", "blue", "purple", "transparent"}
# Alert -> the config value its panel marks with a threshold (in the panel's unit).
ALERT_THRESHOLDS = {
    "HighTimeToFirstToken": CONFIG.ttft_p99_seconds,
    "HighInferenceErrorRate": CONFIG.error_ratio,
    "InferenceQueueBacklog": CONFIG.queue_backlog,
    "KVCachePressure": CONFIG.kv_cache_percent,
    "GPUMemoryNearFull": CONFIG.gpu_memory_ratio,
    "GPUThermalThrottle": CONFIG.gpu_temperature_celsius,
    "CostBudgetExceeded": CONFIG.daily_budget_dollars,
    "HallucinationRateHigh": CONFIG.hallucination_rate,
    "SLOErrorBudgetBurnFast": 14.4,  # the fast burn factor over 1h and 5m
    "ModelQualityDrift": -CONFIG.quality_drift,  # drift is the 1h mean minus the 7d mean
    "QueueTimeDominates": CONFIG.queue_share,  # p99 queue / p99 end-to-end
    "HighPreemptionRate": CONFIG.preemptions_per_second,
    "SpeculativeDecodingIneffective": CONFIG.spec_decode_acceptance,
}
# Recorded series' own labels, and those Prometheus and Thanos add.
EXTRA_LABELS = {"slo", "source", "phase", "alertname", "alertstate", "cluster", "severity", "le"}
EXTRA_LABELS |= {"signal"}  # ai:autoscaling_* (rules/autoscaling.py)
# Hardware acronyms a legend may spell in capitals; every other legend word is lower case.
ACRONYMS = {"GPU", "GPUs", "SM", "DRAM"}


def panels(uid: str) -> list[dict[str, Any]]:
    return data_panels(dashboards()[uid])


def known_labels() -> set[str]:
    labels = set(EXTRA_LABELS)
    families = [f for catalog in CATALOGS for f in catalog.values()]
    families += [
        dcgm_family(name) for name in ("DCGM_FI_DEV_XID_ERRORS", "DCGM_EXP_XID_ERRORS_TOTAL")
    ]
    for family in families:
        labels |= family.labels | family.optional
    return labels


def alert_names() -> set[str]:
    """Every alert the rules can raise (PrefixCacheHitRateLow once a model has a threshold,
    TeamBudgetExceeded once a team has a budget)."""
    facts = StackFacts(prefix_cache_hit_ratio={"m": 0.3})
    budgeted = CONFIG.model_copy(update={"budgets": (TeamBudget(team="t", daily_dollars=1),)})
    return {
        r["alert"]
        for a in rule_groups(budgeted, facts).values()
        for g in a
        for r in g["rules"]
        if "alert" in r
    }


@pytest.mark.parametrize("uid", UIDS)
def test_the_dashboard_keeps_its_promises(uid: str) -> None:
    model = dashboards()[uid]
    assert model["uid"] == uid
    assert (model["timezone"], model["refresh"], model["editable"]) == ("utc", "30s", False)
    assert model["graphTooltip"] == 1  # shared crosshair
    assert model["time"] == {"from": "now-6h", "to": "now"}
    assert model["tags"][0] == "ai-observability" and isinstance(model["schemaVersion"], int)
    assert model["schemaVersion"] >= 36 and model["version"] == 1
    assert model["title"] and model["description"].endswith(".")
    assert model["links"] == [
        {
            "type": "dashboards",
            "title": "AI Observability",
            "tags": ["ai-observability"],
            "asDropdown": True,
            "includeVars": True,
            "keepTime": True,
        }
    ]


@pytest.mark.parametrize("uid", UIDS)
def test_variables_offer_all_and_follow_the_time_range(uid: str) -> None:
    variables = dashboards()[uid]["templating"]["list"]
    source, *queries = variables
    assert source == {
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "current": {"selected": True, "text": "default", "value": "default"},
    }
    assert queries[0]["name"] == "cluster"
    for variable in queries:
        name = variable["name"]
        assert variable["type"] == "query" and variable["datasource"] == DATASOURCE
        assert variable["label"] == name.capitalize()
        assert variable["query"] == {"query": variable["definition"], "refId": f"{name}-query"}
        assert re.fullmatch(r"label_values\([\w:]+, \w+\)", variable["definition"])
        assert variable["refresh"] == 2  # on time range change
        assert (variable["includeAll"], variable["allValue"], variable["multi"]) == (
            True,
            ".*",
            True,
        )
        assert variable["current"] == {"selected": True, "text": ["All"], "value": ["$__all"]}
        assert variable["sort"] == 1  # alphabetical


@pytest.mark.parametrize("uid", UIDS)
def test_panels_are_valid_grafana_panels(uid: str) -> None:
    for panel in dashboards()[uid]["panels"]:
        assert panel["type"] in PANEL_TYPES, panel["type"]
        if panel["type"] == "row":
            assert panel["collapsed"] is False and panel["panels"] == []
            assert panel["gridPos"]["w"] == 24 and panel["gridPos"]["h"] == 1
            continue
        assert panel["datasource"] == DATASOURCE, panel["title"]
        refs = [t["refId"] for t in panel["targets"]]
        assert refs == [chr(ord("A") + i) for i in range(len(refs))], panel["title"]
        for target in panel["targets"]:
            assert target["datasource"] == DATASOURCE and target["expr"] == target["expr"].strip()
            if panel["type"] == "table":
                assert (target["instant"], target["format"]) == (True, "table")
        defaults = panel["fieldConfig"]["defaults"]
        unit = defaults["unit"]
        assert unit in UNITS or re.fullmatch(r"suffix: [a-z/]+", unit), (panel["title"], unit)
        assert panel["fieldConfig"]["overrides"] == []
        if "min" in defaults and "max" in defaults:
            assert defaults["min"] < defaults["max"], panel["title"]
        assert 0 <= defaults.get("decimals", 0) <= 6
        check_options(panel)


def check_options(panel: dict[str, Any]) -> None:
    options = panel["options"]
    if panel["type"] == "timeseries":
        legend = options["legend"]
        assert legend["displayMode"] in LEGEND_MODES and legend["placement"] in PLACEMENTS
        assert set(legend["calcs"]) <= REDUCERS and options["tooltip"]["mode"] in TOOLTIPS
    if panel["type"] in ("stat", "gauge"):
        assert options["reduceOptions"]["calcs"] == ["lastNotNull"]
    if panel["type"] == "stat":
        assert options["colorMode"] in COLOR_MODES and options["graphMode"] in GRAPH_MODES
    if panel["type"] == "gauge":
        assert options["showThresholdMarkers"] is True
    if panel["type"] == "heatmap":  # rows are series, not computed buckets
        assert options["calculate"] is False and options["cellGap"] >= 0
        assert options["color"]["mode"] == "scheme" and options["color"]["scheme"][0].isupper()
        assert options["yAxis"]["unit"] == panel["fieldConfig"]["defaults"]["unit"]


@pytest.mark.parametrize("uid", UIDS)
def test_thresholds_start_from_a_base_colour_and_rise(uid: str) -> None:
    for panel in panels(uid):
        defaults = panel["fieldConfig"]["defaults"]
        if "thresholds" not in defaults:
            assert "color" not in defaults
            continue
        assert defaults["color"] == {"mode": "thresholds"}
        assert defaults["thresholds"]["mode"] == "absolute"
        steps = defaults["thresholds"]["steps"]
        assert steps[0]["value"] is None and len(steps) >= 2, panel["title"]
        values = [s["value"] for s in steps[1:]]
        assert values == sorted(set(values)), panel["title"]
        assert {s["color"] for s in steps} <= COLOURS


@pytest.mark.parametrize("uid", UIDS)
def test_the_layout_fills_rows_left_to_right_without_gaps(uid: str) -> None:
    x = y = height = 0
    for number, panel in enumerate(dashboards()[uid]["panels"], start=1):
        assert panel["id"] == number
        pos = panel["gridPos"]
        if panel["type"] == "row" or x + pos["w"] > 24:
            x, y, height = 0, y + height, 0
        assert (pos["x"], pos["y"]) == (x, y), panel["title"]
        assert 0 < pos["w"] <= 24 and pos["h"] > 0
        x, height = x + pos["w"], max(height, pos["h"])
        if panel["type"] == "row":
            x, y, height = 0, y + 1, 0


def test_runbook_links_open_the_section_of_an_existing_alert() -> None:
    alerts, linked = alert_names(), set()
    for uid in UIDS:
        for panel in panels(uid):
            for link in panel["fieldConfig"]["defaults"].get("links", []):
                if not link["title"].startswith("Runbook: "):
                    continue
                alert = link["title"].removeprefix("Runbook: ")
                assert alert in alerts, alert
                assert link["url"] == f"{CONFIG.runbook_base_url}#{alert.lower()}"
                assert link["targetBlank"] is True
                linked.add(alert)
    assert len(linked) >= 10


def test_a_panel_linked_to_an_alert_marks_its_configured_threshold() -> None:
    marked = set()
    for uid in UIDS:
        for panel in panels(uid):
            defaults = panel["fieldConfig"]["defaults"]
            for link in defaults.get("links", []):
                alert = link["title"].removeprefix("Runbook: ")
                if alert in ALERT_THRESHOLDS:
                    values = [s["value"] for s in defaults["thresholds"]["steps"]]
                    assert ALERT_THRESHOLDS[alert] in values, (panel["title"], alert, values)
                    marked.add(alert)
    assert marked == set(ALERT_THRESHOLDS)


def test_dashboard_links_keep_time_and_variables() -> None:
    titles = {uid: model["title"] for uid, model in dashboards().items()}
    found = 0
    for uid in UIDS:
        for panel in panels(uid):
            for link in panel["fieldConfig"]["defaults"].get("links", []):
                if link["title"].startswith("Runbook: "):
                    continue
                target = re.fullmatch(
                    r"/d/([\w-]+)\?\$\{__url_time_range\}&\$\{__all_variables\}", link["url"]
                )
                assert target and target[1] in titles, link
                assert link["title"] == titles[target[1]]
                found += 1
    assert found >= 2


@pytest.mark.parametrize("uid", UIDS)
def test_legends_name_real_labels_and_add_lower_case_words(uid: str) -> None:
    labels = known_labels()
    for panel in panels(uid):
        for target in panel["targets"]:
            legend = target["legendFormat"]
            named = re.findall(r"\{\{\s*(\w+)\s*\}\}", legend)
            assert set(named) <= labels, (panel["title"], legend)
            words = re.sub(r"\{\{\s*\w+\s*\}\}", "", legend)
            for acronym in ACRONYMS:
                words = re.sub(rf"\b{acronym}\b", "", words)
            assert re.fullmatch(r"[a-z0-9 ()/,.:%+-]*", words), (panel["title"], legend)
            if len(panel["targets"]) > 1 and panel["type"] != "table":
                assert legend, f"{panel['title']}: series of several queries need legends"


# Keys of a Grafana panel (the dashboard JSON model); a row has its own.
PANEL_KEYS = {
    "type",
    "title",
    "description",
    "datasource",
    "targets",
    "fieldConfig",
    "options",
    "gridPos",
    "id",
}
ROW_KEYS = {"type", "title", "collapsed", "panels", "gridPos", "id"}
# Units whose range is fixed: a ratio is 0-1, a percentage 0-100.
UNIT_RANGES = {"percentunit": (0, 1), "percent": (0, 100)}


@pytest.mark.parametrize("uid", UIDS)
def test_panels_hold_only_grafana_keys_and_say_what_they_show(uid: str) -> None:
    for panel in dashboards()[uid]["panels"]:
        keys = ROW_KEYS if panel["type"] == "row" else PANEL_KEYS
        assert set(panel) == keys, (panel["title"], set(panel) ^ keys)
        title = panel["title"]
        assert title and (title[0].isupper() or title[0].isdigit()), title
        if panel["type"] == "row":
            continue
        description = panel["description"]
        assert isinstance(description, str) and description.endswith("."), panel["title"]
        assert description[0].isupper() or description[0].isdigit(), panel["title"]
        assert isinstance(panel["options"], dict)


@pytest.mark.parametrize("uid", UIDS)
def test_ratios_and_percentages_keep_their_range(uid: str) -> None:
    for panel in panels(uid):
        defaults = panel["fieldConfig"]["defaults"]
        if "min" in defaults or "max" in defaults:
            assert (defaults["min"], defaults["max"]) == UNIT_RANGES[defaults["unit"]], panel[
                "title"
            ]


@pytest.mark.parametrize("uid", UIDS)
def test_every_row_of_panels_fills_the_width(uid: str) -> None:
    widths: dict[int, int] = {}
    for panel in dashboards()[uid]["panels"]:
        y = panel["gridPos"]["y"]
        widths[y] = widths.get(y, 0) + panel["gridPos"]["w"]
    assert set(widths.values()) == {24}, widths


def test_exemplars_only_where_a_panel_promises_them_on_raw_buckets() -> None:
    promised = 0
    for uid in UIDS:
        for panel in panels(uid):
            flagged = [t for t in panel["targets"] if t.get("exemplar")]
            if "exemplars" in panel["description"].lower():
                promised += 1
                assert any("_bucket" in t["expr"] for t in flagged), panel["title"]
            else:
                assert flagged == [], panel["title"]
    assert promised >= 2  # TTFT and end-to-end latency


def test_bucket_heatmaps_read_buckets_and_series_heatmaps_read_series() -> None:
    seen = set()
    for uid in UIDS:
        for panel in panels(uid):
            if panel["type"] != "heatmap":
                continue
            for target in panel["targets"]:
                buckets = "_bucket" in target["expr"]
                seen.add(buckets)
                assert target.get("format") == ("heatmap" if buckets else None), panel["title"]
                assert (target["legendFormat"] == "{{le}}") == buckets, panel["title"]
    assert seen == {True, False}


@pytest.mark.parametrize("uid", UIDS)
def test_tags_and_variable_sources_are_real(uid: str) -> None:
    model = dashboards()[uid]
    assert all(re.fullmatch(r"[a-z-]+", tag) for tag in model["tags"]), model["tags"]
    assert len(model["tags"]) == len(set(model["tags"])) >= 2
    recorded = {
        r["record"]
        for a in rule_groups(CONFIG).values()
        for g in a
        for r in g["rules"]
        if "record" in r
    }
    known = recorded | {name for catalog in CATALOGS for name in catalog}
    for variable in model["templating"]["list"][1:]:
        source = re.fullmatch(r"label_values\(([\w:]+), \w+\)", variable["definition"])[1]
        assert source in known, (uid, variable["name"], source)


def spend_steps(budget: float) -> list[Any]:
    model = all_dashboards(RulesConfig(daily_budget_dollars=budget))["ai-cost-efficiency"]
    (panel,) = [p for p in model["panels"] if p["title"] == "GPU Spend, Last 24h"]
    return [s["value"] for s in panel["fieldConfig"]["defaults"]["thresholds"]["steps"]]


def test_spend_turns_yellow_at_80_percent_of_a_budget_and_stays_green_without_one() -> None:
    assert spend_steps(0) == [None]  # no budget: nothing to be over
    assert spend_steps(0.5) == [None, 0.4, 0.5]
    assert spend_steps(2500) == [None, 2000, 2500]
