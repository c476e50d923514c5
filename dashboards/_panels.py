"""Panel, variable and layout helpers shared by every dashboard."""

from __future__ import annotations

from typing import Any

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
TAG = "ai-observability"
GRID_WIDTH = 24
RED, ORANGE, YELLOW, GREEN = "red", "orange", "yellow", "green"


def with_cluster(legend: str) -> str:
    """A per-series legend names the series' cluster too: through a global view the same
    model or node may answer from several clusters (a query that sums clusters away shows
    nothing there). Fixed legends (a sum's) and bucket bounds stay as they are."""
    if "{{" not in legend or "{{cluster}}" in legend or legend == "{{le}}":
        return legend  # a fixed legend, or a heatmap's bucket bounds
    return f"{legend} {{{{cluster}}}}"


def target(expr: str, legend: str = "", ref: str = "A", exemplar: bool = False) -> dict[str, Any]:
    """One PromQL query of a panel."""
    t: dict[str, Any] = {
        "refId": ref,
        "datasource": DATASOURCE,
        "expr": expr.strip(),
        "legendFormat": with_cluster(legend),
    }
    if exemplar:
        t["exemplar"] = True
    return t


def _targets(queries: list[tuple[str, str]], exemplar: bool = False) -> list[dict[str, Any]]:
    return [
        target(expr, legend, chr(ord("A") + i), exemplar=exemplar)
        for i, (expr, legend) in enumerate(queries)
    ]


def thresholds(*steps: tuple[float | None, str]) -> dict[str, Any]:
    """Absolute thresholds: (None, base colour), then (value, colour) ..."""
    return {"mode": "absolute", "steps": [{"value": v, "color": c} for v, c in steps]}


def _panel(
    kind: str,
    title: str,
    description: str,
    queries: list[tuple[str, str]],
    unit: str,
    w: int,
    h: int,
    **extra: Any,
) -> dict[str, Any]:
    defaults: dict[str, Any] = {"unit": unit}
    for key in ("min", "max", "decimals"):
        if key in extra:
            defaults[key] = extra.pop(key)
    if "thresholds" in extra:
        defaults["thresholds"] = extra.pop("thresholds")
        defaults["color"] = {"mode": "thresholds"}
    if "links" in extra:
        defaults["links"] = extra.pop("links")
    if "custom" in extra:  # the panel type's own field options, e.g. stacking
        defaults["custom"] = extra.pop("custom")
    return {
        "type": kind,
        "title": title,
        "description": description,
        "datasource": DATASOURCE,
        "targets": _targets(queries, exemplar=extra.pop("exemplar", False)),
        "fieldConfig": {"defaults": defaults, "overrides": []},
        "options": extra.pop("options", {}),
        "gridPos": {"w": w, "h": h},
        **extra,
    }


def timeseries(
    title: str,
    description: str,
    queries: list[tuple[str, str]],
    unit: str,
    w: int = 12,
    h: int = 8,
    **extra: Any,
) -> dict[str, Any]:
    """A time series panel."""
    extra.setdefault(
        "options",
        {
            "legend": {
                "displayMode": "table",
                "placement": "right",
                "calcs": ["lastNotNull", "max"],
            },
            "tooltip": {"mode": "multi"},
        },
    )
    return _panel("timeseries", title, description, queries, unit, w, h, **extra)


def stat(
    title: str,
    description: str,
    queries: list[tuple[str, str]],
    unit: str,
    w: int = 6,
    h: int = 5,
    **extra: Any,
) -> dict[str, Any]:
    """A single-value panel."""
    extra.setdefault(
        "options",
        {"reduceOptions": {"calcs": ["lastNotNull"]}, "colorMode": "value", "graphMode": "area"},
    )
    return _panel("stat", title, description, queries, unit, w, h, **extra)


def gauge(
    title: str,
    description: str,
    queries: list[tuple[str, str]],
    unit: str,
    w: int = 6,
    h: int = 6,
    **extra: Any,
) -> dict[str, Any]:
    """A gauge panel."""
    extra.setdefault(
        "options", {"reduceOptions": {"calcs": ["lastNotNull"]}, "showThresholdMarkers": True}
    )
    return _panel("gauge", title, description, queries, unit, w, h, **extra)


def heatmap(
    title: str,
    description: str,
    queries: list[tuple[str, str]],
    unit: str,
    w: int = 12,
    h: int = 8,
    **extra: Any,
) -> dict[str, Any]:
    """A heatmap whose rows are series (one per pod or GPU), not computed buckets."""
    extra.setdefault(
        "options",
        {
            "calculate": False,
            "cellGap": 1,
            "color": {"scheme": "Oranges", "mode": "scheme"},
            "yAxis": {"unit": unit},
        },
    )
    return _panel("heatmap", title, description, queries, unit, w, h, **extra)


def bucket_heatmap(
    title: str, description: str, expr: str, unit: str, w: int = 12, h: int = 8
) -> dict[str, Any]:
    """A heatmap of histogram buckets: one query summed by le, Grafana reading it as buckets."""
    panel = heatmap(title, description, [(expr, "{{le}}")], unit, w, h)
    panel["targets"][0]["format"] = "heatmap"
    return panel


def table(
    title: str,
    description: str,
    queries: list[tuple[str, str]],
    unit: str,
    w: int = 12,
    h: int = 8,
    **extra: Any,
) -> dict[str, Any]:
    """A table of the latest values, one row per series."""
    panel = _panel("table", title, description, queries, unit, w, h, **extra)
    for t in panel["targets"]:
        t["instant"] = True
        t["format"] = "table"
    return panel


def row(title: str) -> dict[str, Any]:
    """A full-width row header."""
    return {
        "type": "row",
        "title": title,
        "collapsed": False,
        "panels": [],
        "gridPos": {"w": GRID_WIDTH, "h": 1},
    }


def layout(panels: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Place panels left to right, wrapping at 24 columns; number them 1, 2, ..."""
    x = y = row_height = 0
    for number, panel in enumerate(panels, start=1):
        pos = panel["gridPos"]
        if x + pos["w"] > GRID_WIDTH or panel["type"] == "row":
            x, y = 0, y + row_height
            row_height = 0
        pos["x"], pos["y"] = x, y
        x += pos["w"]
        row_height = max(row_height, pos["h"])
        if panel["type"] == "row":
            x, y, row_height = 0, y + pos["h"], 0
        panel["id"] = number
    return panels


def query_variable(name: str, label: str, query: str, multi: bool = True) -> dict[str, Any]:
    """A label_values variable with All (matching series without the label too)."""
    return {
        "name": name,
        "label": label,
        "type": "query",
        "datasource": DATASOURCE,
        "query": {"query": query, "refId": f"{name}-query"},
        "definition": query,
        "refresh": 2,
        "includeAll": True,
        "allValue": ".*",
        "multi": multi,
        "current": {"selected": True, "text": ["All"], "value": ["$__all"]},
        "sort": 1,
    }


def datasource_variable() -> dict[str, Any]:
    """The Prometheus-type datasource (Thanos Query by default)."""
    return {
        "name": "datasource",
        "label": "Data source",
        "type": "datasource",
        "query": "prometheus",
        "current": {"selected": True, "text": "default", "value": "default"},
    }


def standard_variables(
    namespace_source: str | None = None, model: bool = True
) -> list[dict[str, Any]]:
    """datasource and cluster, then namespace (its values from namespace_source) and model
    where the dashboard's series carry those labels: a variable that filters no panel is not
    offered."""
    variables = [
        datasource_variable(),
        query_variable("cluster", "Cluster", "label_values(up, cluster)"),
    ]
    if namespace_source:
        query = f"label_values({namespace_source}, namespace)"
        variables.append(query_variable("namespace", "Namespace", query))
    if model:
        query = "label_values(ai:tokens_per_second, model_name)"
        variables.append(query_variable("model", "Model", query))
    return variables


def dashboard(
    uid: str,
    title: str,
    description: str,
    panels: list[dict[str, Any]],
    variables: list[dict[str, Any]],
    tags: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A whole dashboard: stable uid, links to the others, UTC, refreshed every 30s."""
    return {
        "uid": uid,
        "title": title,
        "description": description,
        "tags": [TAG, *tags],
        "timezone": "utc",
        "editable": False,
        "graphTooltip": 1,
        "refresh": "30s",
        "schemaVersion": 39,
        "version": 1,
        "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": variables},
        "links": [
            {
                "type": "dashboards",
                "title": "AI Observability",
                "tags": [TAG],
                "asDropdown": True,
                "includeVars": True,
                "keepTime": True,
            }
        ],
        "panels": layout(panels),
    }


def runbook_link(base: str, alert: str) -> list[dict[str, Any]]:
    """A panel link to an alert's runbook section."""
    return [{"title": f"Runbook: {alert}", "url": f"{base}#{alert.lower()}", "targetBlank": True}]


def dashboard_link(title: str, uid: str) -> list[dict[str, Any]]:
    """A panel link to another dashboard, keeping time range and variables."""
    return [{"title": title, "url": f"/d/{uid}?${{__url_time_range}}&${{__all_variables}}"}]
