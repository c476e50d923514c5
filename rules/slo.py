"""SLOs per model, SRE-workbook style: error ratios over seven windows and multi-window,
multi-burn-rate alerts (fast: page, slow: ticket)."""

from __future__ import annotations

from typing import Any

from rules._builders import alert, group, record
from rules.buckets import le_pattern, promql_string
from rules.catalog import INFERENCE_HANDLERS
from rules.config import RulesConfig, SloConfig
from rules.stack import StackFacts

WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
# (long window, short window, burn rate) for a 30-day budget.
FAST_BURNS = (("1h", "5m", 14.4), ("6h", "30m", 6.0))
SLOW_BURNS = (("1d", "2h", 3.0), ("3d", "6h", 1.0))
# The long windows: their request counts are recorded for the minimum-traffic guard.
COUNTED_WINDOWS = tuple(long for long, _, _ in FAST_BURNS + SLOW_BURNS)
LONG_WINDOWS = tuple(long for long, _, _ in SLOW_BURNS)  # evaluated at the long interval


def le_matcher(seconds: float) -> str:
    """Matches the bucket bound however it is printed: vLLM writes 2.5 and 5.0; Prometheus 3
    normalises to the same float form, older tools may write 5. (Backslashes are doubled for
    the PromQL string literal.)"""
    return f'le=~"{promql_string(le_pattern(seconds))}"'


BASE_WINDOW = WINDOWS[0]


def sli_sources(slo: SloConfig, rate_window: str) -> dict[str, tuple[str, str]]:
    """source -> (bad events per second, all events per second) per model over BASE_WINDOW.
    An availability SLO has two sources, HTTP 5xx and finished_reason="error"; the worse one
    counts, so a failure either side sees is never averaged away by the other. When the
    inference rules rate over the same window, their recorded rates are reused (the SLO group
    then reads 20 series per model instead of every pod's counters)."""
    w = BASE_WINDOW
    reuse = rate_window == BASE_WINDOW
    if slo.type == "latency":
        assert slo.threshold_seconds is not None
        le = le_matcher(slo.threshold_seconds)
        if reuse:
            buckets = "ai:ttft_seconds_bucket:rate"
            total = f'sum by (model_name) ({buckets}{{le="+Inf"}})'
            fast = f"sum by (model_name) ({buckets}{{{le}}})"
        else:
            h = "vllm:time_to_first_token_seconds"
            total = f"sum by (model_name) (rate({h}_count[{w}]))"
            fast = f"sum by (model_name) (rate({h}_bucket{{{le}}}[{w}]))"
        return {"ttft": (f"{total} - {fast}", total)}
    if reuse:
        return {
            "http": ("ai:http_server_errors_per_second", "ai:http_requests_per_second"),
            "engine": ("ai:engine_errors_per_second", "ai:requests_per_second"),
        }
    http = f'http_requests_total{{handler=~"{INFERENCE_HANDLERS}"'
    finished = "vllm:request_success_total"
    return {
        "http": (
            f'sum by (model_name) (rate({http}, status="5xx"}}[{w}]))',
            f"sum by (model_name) (rate({http}}}[{w}]))",
        ),
        # A server without the error series (the simulator) has 0 errors, not no data.
        "engine": (
            f'sum by (model_name) (rate({finished}{{finished_reason="error"}}[{w}]))'
            f" or 0 * sum by (model_name) (rate({finished}[{w}]))",
            f"sum by (model_name) (rate({finished}[{w}]))",
        ),
    }


def error_ratio(matchers: str, window: str, by: str = "model_name") -> str:
    """The share of bad events over a window from the recorded base rates selected by
    `matchers`, the worse source counting: the longer windows sum the base rates over time
    (traffic-weighted), which reads 20 series per model instead of every pod's raw counters."""
    sel = f"{{{matchers}}}"
    if window == BASE_WINDOW:
        errors, requests = (
            f"slo:sli_errors:rate{window}{sel}",
            f"slo:sli_requests:rate{window}{sel}",
        )
    else:
        errors = f"sum_over_time(slo:sli_errors:rate{BASE_WINDOW}{sel}[{window}])"
        requests = f"sum_over_time(slo:sli_requests:rate{BASE_WINDOW}{sel}[{window}])"
    return f"max by ({by}) ({errors} / ({requests} > 0))"


def sli_error_ratio(slo: SloConfig, window: str) -> str:
    """The share of bad events of one SLO over a window, per model."""
    return error_ratio(f'slo="{slo.name}"', window)


def counts(slo: SloConfig, window: str, interval_seconds: float) -> list[dict[str, Any]]:
    """Bad and all events of one SLO over a long window, per model and source: the base rates
    integrated over the window (each sample stands for one evaluation interval), then the
    ratio from them, so the guard and the ratio read the window once."""
    labels, sel = {"slo": slo.name}, f'{{slo="{slo.name}"}}'
    rules = [
        record(
            f"slo:sli_{kind}:count{window}",
            f"sum_over_time(slo:sli_{kind}:rate{BASE_WINDOW}{sel}[{window}]) * {interval_seconds:g}",
            labels,
        )
        for kind in ("errors", "requests")
    ]
    ratio = f"slo:sli_errors:count{window}{sel} / (slo:sli_requests:count{window}{sel} > 0)"
    rules.append(
        record(f"slo:sli_error:ratio_rate{window}", f"max by (model_name) ({ratio})", labels)
    )
    return rules


def recording_rules(slo: SloConfig, rate_window: str, facts: StackFacts) -> list[dict[str, Any]]:
    """Base rates per source, then slo:sli_error:ratio_rate<window>{slo=...} for every window
    (with event counts for the long ones)."""
    rules = []
    for source, (errors, requests) in sli_sources(slo, rate_window).items():
        labels = {"slo": slo.name, "source": source}
        rules.append(record(f"slo:sli_errors:rate{BASE_WINDOW}", errors, labels))
        rules.append(record(f"slo:sli_requests:rate{BASE_WINDOW}", requests, labels))
    for w in WINDOWS:
        if w in COUNTED_WINDOWS:
            rules += counts(slo, w, facts.interval_seconds)
        else:
            rules.append(
                record(f"slo:sli_error:ratio_rate{w}", sli_error_ratio(slo, w), {"slo": slo.name})
            )
    return rules


def burn_condition(
    slo: SloConfig, burns: tuple[tuple[str, str, float], ...], min_requests: int
) -> str:
    """(long > rate x budget and short > rate x budget, with at least min_requests requests
    in the long window) or ... for each pair."""
    budget, sel = slo.error_budget, f'{{slo="{slo.name}"}}'
    pairs = [
        f"(slo:sli_error:ratio_rate{long}{sel} > {rate * budget:.6g}\n"
        f" and slo:sli_error:ratio_rate{short}{sel} > {rate * budget:.6g}\n"
        f" and on (model_name) max by (model_name) (slo:sli_requests:count{long}{sel})"
        f" >= {min_requests})"
        for long, short, rate in burns
    ]
    return "\nor\n".join(pairs)


def alerts(cfg: RulesConfig, slo: SloConfig) -> list[dict[str, Any]]:
    """The fast and slow burn alerts of one SLO."""
    what = (
        f"{slo.objective_percent:g}% of requests with a time to first token under "
        f"{slo.threshold_seconds:g}s"
        if slo.type == "latency"
        else f"{slo.objective_percent:g}% of requests without a server error"
    )
    labels = {"slo": slo.name}
    return [
        alert(
            "SLOErrorBudgetBurnFast",
            burn_condition(slo, FAST_BURNS, cfg.min_requests),
            "2m",
            "critical",
            "An SLO is burning its error budget fast.",
            f"{{{{ $labels.model_name }}}} is failing SLO {slo.name} ({what}): "
            "{{ $value | humanizePercentage }} of requests are bad; at this rate the 30-day "
            "budget is gone in about two days or less (at least "
            f"{cfg.min_requests} requests in the long window).",
            cfg.runbook_base_url,
            labels,
        ),
        alert(
            "SLOErrorBudgetBurnSlow",
            burn_condition(slo, SLOW_BURNS, cfg.min_requests),
            "15m",
            "warning",
            "An SLO is burning its error budget.",
            f"{{{{ $labels.model_name }}}} is failing SLO {slo.name} ({what}): "
            "{{ $value | humanizePercentage }} of requests are bad, enough to use the 30-day "
            f"budget before the period ends (at least {cfg.min_requests} requests in the long "
            "window).",
            cfg.runbook_base_url,
            labels,
        ),
    ]


def groups(cfg: RulesConfig, facts: StackFacts) -> list[dict[str, Any]]:
    """One recording and one alert group per SLO."""
    result = []
    for slo in cfg.slos:
        rules = recording_rules(slo, cfg.rate_window, facts)
        # The slow-burn windows (a day and more) with their ratios, at the long interval.
        long = [r for r in rules if any(r["record"].endswith(w) for w in LONG_WINDOWS)]
        result.append(group(f"ai-slo-{slo.name}.rules", [r for r in rules if r not in long]))
        result.append(group(f"ai-slo-{slo.name}-long.rules", long, "long"))
        result.append(group(f"ai-slo-{slo.name}.alerts", alerts(cfg, slo)))
    return result
