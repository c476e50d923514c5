"""The deployed surface of each stack, as stored fixtures: every registered resource (type, name,
parent, inputs, dependencies, protect), the stack outputs, the rendered rule files and the
dashboards' JSON.

A refactor must leave these files unchanged; a change to what is deployed refreshes them on
purpose (`make snapshot`), so that its diff shows exactly what a `pulumi up` would change.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from tests.support.harness import ProgramRun

SNAPSHOTS = Path(__file__).resolve().parents[1] / "program" / "snapshots"
PROMETHEUS_RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
DASHBOARD_PREFIX = "ai-observability-dashboard-"


def _provider(reference: str) -> str:
    """A provider reference without its id (URN::id -> URN)."""
    return reference.rsplit("::", 1)[0] if reference else ""


def resources_document(run: ProgramRun) -> dict[str, Any]:
    """Every registration sorted by URN, and the stack outputs."""
    resources = [
        {
            "urn": r.urn,
            "type": r.type,
            "name": r.name,
            "parent": r.parent,
            "custom": r.custom,
            "provider": _provider(r.provider),
            "protect": r.protect,
            "retainOnDelete": r.retain_on_delete,
            "dependencies": sorted(r.dependencies),
            "inputs": r.inputs,
        }
        for r in sorted(run.resources, key=lambda r: r.urn)
    ]
    outputs = {
        name: {"value": value, "secret": name in run.secret_outputs}
        for name, value in sorted(run.outputs.items())
    }
    return {"stack": run.stack, "outputs": outputs, "resources": resources}


def rule_files(run: ProgramRun) -> dict[str, str]:
    """The rule file of each PrometheusRule, as Prometheus would load it."""
    files = {}
    for rule in run.of_type(PROMETHEUS_RULE):
        name = rule.inputs["metadata"]["name"]
        files[f"{name}.yaml"] = yaml.safe_dump(
            {"groups": rule.inputs["spec"]["groups"]}, sort_keys=False, width=1000
        )
    return files


def dashboard_files(run: ProgramRun) -> dict[str, str]:
    """The JSON model of each dashboard ConfigMap, exactly as deployed."""
    files = {}
    for config_map in run.of_type(CONFIG_MAP):
        if config_map.inputs["metadata"]["name"].startswith(DASHBOARD_PREFIX):
            for key, text in config_map.inputs["data"].items():
                files[key] = text
    return files


def snapshot_files(run: ProgramRun) -> dict[str, str]:
    """Relative path -> content of every snapshot file of one stack."""
    files = {"resources.json": json.dumps(resources_document(run), indent=1, sort_keys=True) + "\n"}
    files.update({f"rules/{k}": v for k, v in rule_files(run).items()})
    files.update({f"dashboards/{k}": v for k, v in dashboard_files(run).items()})
    return files


def stored_files(stack: str) -> dict[str, str]:
    """The committed snapshot of one stack."""
    root = SNAPSHOTS / stack
    return {
        str(path.relative_to(root)): path.read_text()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def write_snapshot(run: ProgramRun) -> None:
    """Replace the committed snapshot of one stack with this run."""
    root = SNAPSHOTS / run.stack
    for path in sorted(root.rglob("*"), reverse=True) if root.exists() else []:
        path.unlink() if path.is_file() else path.rmdir()
    for relative, content in snapshot_files(run).items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)
