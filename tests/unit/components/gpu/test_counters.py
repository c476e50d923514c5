"""The DCGM counters list: well formed, no duplicates, defaults kept, and it covers every
DCGM_FI_* name the project's rules and dashboards use."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from components.gpu.counters import (
    ADDED_COUNTERS,
    DEFAULT_COUNTERS,
    counter_names,
    counters_csv,
)
from dashboards.all import all_dashboards
from rules.config import RulesConfig
from rules.groups import rule_groups
from tests.support.paths import ROOT

# Where PromQL lives: every file here is scanned, so the check grows with the project.
SCANNED_DIRS = ("rules", "dashboards", "components", "exporter")
COUNTERS_MODULE = ROOT / "components" / "gpu" / "counters.py"
DCGM_NAME = re.compile(r"\bDCGM_FI_[A-Z0-9_]+\b")


def csv_rows() -> list[list[str]]:
    text = counters_csv()
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return list(csv.reader(io.StringIO("\n".join(lines)), skipinitialspace=True))


def test_every_line_is_field_type_help() -> None:
    rows = csv_rows()
    assert len(rows) == len(DEFAULT_COUNTERS) + len(ADDED_COUNTERS)
    for row in rows:
        assert len(row) == 3, row
        field, kind, help_text = row
        assert re.fullmatch(r"DCGM_(FI|EXP)_[A-Z0-9_]+", field), field
        assert kind in {"gauge", "counter", "label"}, row
        assert help_text.strip(), row


def test_no_duplicates() -> None:
    fields = [row[0] for row in csv_rows()]
    assert len(fields) == len(set(fields))


def test_the_defaults_are_all_kept() -> None:
    """A custom list replaces the exporter's own: dropping a default silently loses a metric."""
    assert len(DEFAULT_COUNTERS) == 26  # 25 metrics and 1 label in dcgm-exporter 4.6.0-4.8.3
    for must_stay in (
        "DCGM_FI_DEV_GPU_UTIL",
        "DCGM_FI_DEV_FB_USED",
        "DCGM_FI_DEV_FB_FREE",
        "DCGM_FI_DEV_FB_RESERVED",
        "DCGM_FI_DEV_XID_ERRORS",
        "DCGM_FI_PROF_PIPE_TENSOR_ACTIVE",
        "DCGM_FI_PROF_DRAM_ACTIVE",
    ):
        assert must_stay in counter_names()


def test_what_the_issue_asked_for_is_added_with_a_reason() -> None:
    added = {c.field: c for c in ADDED_COUNTERS}
    for field in (
        "DCGM_FI_DEV_CLOCKS_EVENT_REASONS",  # throttle reasons
        "DCGM_FI_DEV_ENFORCED_POWER_LIMIT",  # power limit
        "DCGM_FI_DEV_SLOWDOWN_TEMP",  # temperature limit
        "DCGM_EXP_XID_ERRORS_TOTAL",  # XID errors as a counter
    ):
        assert field in added and added[field].why
    assert not set(added) & {c.field for c in DEFAULT_COUNTERS}
    assert all(c.why for c in ADDED_COUNTERS)
    # Not exported on purpose: ratios use FB_USED / (FB_USED + FB_FREE).
    assert "DCGM_FI_DEV_FB_TOTAL" not in counter_names()


def dcgm_names_used(root: Path) -> dict[str, set[str]]:
    """DCGM_FI_* name -> files that use it, under the scanned directories of root."""
    used: dict[str, set[str]] = {}
    for directory in SCANNED_DIRS:
        for path in (root / directory).rglob("*"):
            if not path.is_file() or path.resolve() == COUNTERS_MODULE.resolve():
                continue
            if path.suffix not in {".py", ".yaml", ".yml", ".json", ".libsonnet", ".txt"}:
                continue
            for name in DCGM_NAME.findall(path.read_text(errors="replace")):
                used.setdefault(name, set()).add(str(path.relative_to(root)))
    return used


def test_every_dcgm_name_the_project_uses_is_exported() -> None:
    missing = {
        name: files for name, files in dcgm_names_used(ROOT).items() if name not in counter_names()
    }
    assert missing == {}


def test_the_cross_check_catches_an_unexported_name(tmp_path: Path) -> None:
    """Control: a rule that divides by FB_TOTAL (not exported) is reported."""
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "gpu.py").write_text(
        'EXPR = "DCGM_FI_DEV_FB_USED / DCGM_FI_DEV_FB_TOTAL"\n'
    )
    used = dcgm_names_used(tmp_path)
    assert set(used) == {"DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_TOTAL"}
    assert {name for name in used if name not in counter_names()} == {"DCGM_FI_DEV_FB_TOTAL"}


def expressions() -> list[str]:
    """Every rule expression and every dashboard query the project deploys."""
    config = RulesConfig(daily_budget_dollars=1000)
    exprs = [r["expr"] for gs in rule_groups(config).values() for g in gs for r in g["rules"]]
    for model in all_dashboards(config).values():
        exprs += [t["expr"] for p in model["panels"] for t in p.get("targets", [])]
    return exprs


def unread(fields: list[str], exprs: list[str]) -> list[str]:
    """The fields no expression reads."""
    return [f for f in fields if not any(re.search(rf"\b{f}\b", e) for e in exprs)]


def test_every_added_counter_feeds_a_rule_or_a_panel() -> None:
    """Collecting a counter costs the exporter and Prometheus; nothing collected goes unread."""
    assert unread([c.field for c in ADDED_COUNTERS], expressions()) == []


def test_an_unread_counter_is_reported() -> None:
    """Control: the shutdown temperature was collected once and read by nothing."""
    fields = ["DCGM_FI_DEV_SLOWDOWN_TEMP", "DCGM_FI_DEV_SHUTDOWN_TEMP"]
    assert unread(fields, expressions()) == ["DCGM_FI_DEV_SHUTDOWN_TEMP"]
