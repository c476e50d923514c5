"""How much each recorded quantile moves when the buckets rules/buckets.py drops are gone: the
rules' own quantile expression over the synthetic fleet's history, with every bucket and
without the dropped ones, on the same Prometheus at the same instant."""

from __future__ import annotations

from bench.prometheus_process import Prometheus
from rules import engine, inference
from rules.buckets import dropped_buckets, le_pattern, promql_string
from rules.config import RulesConfig

MAX_DRIFT = 0.05  # relative, per model and quantile


def recorded_quantiles() -> dict[str, tuple[str, ...]]:
    """histogram -> the quantiles the rules record from it (p50, p99, ...)."""
    result = {h: qs for h, qs in inference.QUANTILES.values()}
    for histogram in engine.PHASES.values():
        result[histogram] = engine.QUANTILES
    return result


def _quantile(histogram: str, q: str, window: str, without: str) -> str:
    matcher = f'{{le!~"{without}"}}' if without else ""
    return (
        f"histogram_quantile({int(q[1:]) / 100}, sum by (model_name, le) "
        f"(rate({histogram}_bucket{matcher}[{window}])))"
    )


def _per_model(prom: Prometheus, query: str, at: int) -> dict[str, float]:
    result = prom.get("/api/v1/query", query=query, time=str(at))["result"]
    return {s["metric"]["model_name"]: float(s["value"][1]) for s in result}


def report_drift(prom: Prometheus, cfg: RulesConfig, at: int) -> bool:
    """Print, per histogram and recorded quantile, the largest relative move over the models
    when the dropped buckets are gone; True when none exceeds MAX_DRIFT."""
    print(
        f"\nrecorded quantiles without the dropped buckets (rules/buckets.py), "
        f"largest relative move over the models (target <= {MAX_DRIFT:.0%}):"
    )
    ok = True
    quantiles = recorded_quantiles()
    for histogram, bounds in dropped_buckets(cfg).items():
        if histogram not in quantiles:
            print(f"  {histogram}: no rule records a quantile of it; {len(bounds)} buckets dropped")
            continue
        without = promql_string("|".join(le_pattern(b) for b in bounds))
        for q in quantiles[histogram]:
            every = _per_model(prom, _quantile(histogram, q, cfg.rate_window, ""), at)
            kept = _per_model(prom, _quantile(histogram, q, cfg.rate_window, without), at)
            if not every or every.keys() != kept.keys():
                print(f"  {histogram} {q}: NO DATA ({len(every)} vs {len(kept)} models)")
                ok = False
                continue
            moves = {m: abs(kept[m] - v) / v for m, v in every.items() if v}
            worst = max(moves, key=moves.get)
            ok &= moves[worst] <= MAX_DRIFT
            print(
                f"  {histogram:40s} {q}: {moves[worst]:7.3%} "
                f"(model {worst}: {every[worst]:.4g} -> {kept[worst]:.4g}); "
                f"{len(bounds)} buckets dropped, {len(every)} models"
            )
    return ok
