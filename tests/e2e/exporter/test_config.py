"""A bad config or inventory stops the exporter at start: exit code 2 and the key in the message."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.exporter_process import BASE_CONFIG, ROOT


def run(tmp_path: Path, config: Any, inventory: Any = None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    args = [
        sys.executable,
        "-m",
        "exporter",
        "--config",
        str(tmp_path / "config.yaml"),
        "--port",
        "0",
    ]
    if inventory is not None:
        (tmp_path / "inventory.yaml").write_text(yaml.safe_dump(inventory))
        args += ["--inventory", str(tmp_path / "inventory.yaml")]
    return subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=30, check=False)


CASES = [
    (
        "negative-price",
        {"gpus": {"NVIDIA-L4": {"on_demand": -1}}},
        "gpus.NVIDIA-L4.on_demand: must be a non-negative price",
    ),
    (
        "price-not-a-number",
        {"gpus": {"NVIDIA-L4": {"spot": "cheap"}}},
        "gpus.NVIDIA-L4.spot: must be a non-negative price",
    ),
    (
        "unknown-capacity-in-table",
        {"gpus": {"NVIDIA-L4": {"reserved": 0.5}}},
        "gpus.NVIDIA-L4.reserved: unknown capacity type",
    ),
    (
        "unknown-default-capacity",
        {"default_capacity_type": "reserved"},
        "default_capacity_type: unknown capacity type 'reserved'",
    ),
    ("empty-models", {"models": []}, "models: expected a non-empty list"),
    ("empty-evaluators", {"evaluators": []}, "evaluators: expected a non-empty list"),
    ("unknown-key", {"modles": ["x"]}, "modles: unknown key"),
    (
        "missing-token-file",
        {"ingest_token_file": "/nonexistent/token"},
        "ingest_token_file: cannot read",
    ),
    (
        "negative-staleness",
        {"inventory_staleness_seconds": -5},
        "inventory_staleness_seconds: must be a positive number",
    ),
]


@pytest.mark.parametrize(("change", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_config_exits_2_naming_the_key(tmp_path: Path, change: dict, message: str) -> None:
    result = run(tmp_path, {**BASE_CONFIG, **change})
    assert result.returncode == 2, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_inventory_exits_2_naming_the_entry(tmp_path: Path) -> None:
    result = run(tmp_path, BASE_CONFIG, {"nodes": [{"labels": {}}]})
    assert result.returncode == 2
    assert "inventory.yaml: nodes[0].name: required" in result.stderr


def test_not_yaml(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("gpus: [unclosed")
    result = subprocess.run(
        [sys.executable, "-m", "exporter", "--config", str(tmp_path / "config.yaml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 2
    assert "not valid YAML" in result.stderr
