"""A bad config or inventory stops the exporter at start: exit code 2, the key in the message,
one JSON object per line on stderr and never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.exporter_process import BASE_CONFIG, ROOT, Exporter


def exporter_command(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m exporter ARGS` run to its end (a bad start exits at once)."""
    return subprocess.run(
        [sys.executable, "-m", "exporter", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def run(tmp_path: Path, config: Any, inventory: Any = None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(config))
    args = ["--config", str(tmp_path / "config.yaml"), "--port", "0"]
    if inventory is not None:
        (tmp_path / "inventory.yaml").write_text(yaml.safe_dump(inventory))
        args += ["--inventory", str(tmp_path / "inventory.yaml")]
    return exporter_command(*args)


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
        "inventory_staleness_seconds: must be a number of seconds in [1, 86400], got -5",
    ),
    # .nan and .inf are YAML floats: a NaN staleness kept /healthz green forever, a NaN
    # refresh interval made the re-read loop spin.
    *(
        (
            f"{key}-{name}",
            {key: value},
            f"{key}: must be a {'whole ' if key == 'watch_timeout_seconds' else ''}number",
        )
        for key in (
            "inventory_staleness_seconds",
            "watch_timeout_seconds",
            "static_refresh_seconds",
        )
        for name, value in (("nan", float("nan")), ("inf", float("inf")), ("true", True))
    ),
    ("refresh-too-long", {"static_refresh_seconds": 86_401}, "static_refresh_seconds: must be"),
    ("watch-fraction", {"watch_timeout_seconds": 1.5}, "watch_timeout_seconds: must be a whole"),
    ("watch-zero", {"watch_timeout_seconds": 0}, "watch_timeout_seconds: must be a whole"),
    (
        "price-infinite",
        {"gpus": {"NVIDIA-L4": {"on_demand": float("inf")}}},
        "gpus.NVIDIA-L4.on_demand: must be a non-negative price in USD of at most 1000",
    ),
    (
        "price-nan",
        {"gpus": {"NVIDIA-L4": {"spot": float("nan")}}},
        "gpus.NVIDIA-L4.spot: must be a non-negative price",
    ),
    (
        "price-above-the-ceiling",
        {"gpus": {"NVIDIA-L4": {"on_demand": 1000.01}}},
        "gpus.NVIDIA-L4.on_demand: must be a non-negative price in USD of at most 1000,",
    ),
    (
        "price-above-a-lowered-ceiling",
        {"max_gpu_hour_price": 50, "gpus": {"NVIDIA-L4": {"on_demand": 50.5}}},
        "gpus.NVIDIA-L4.on_demand: must be a non-negative price in USD of at most 50,",
    ),
    (
        "instance-price-above-64-gpus-at-the-ceiling",
        {"instance_types": {"p5.48xlarge": {"on_demand": 64_000.5}}},
        "instance_types.p5.48xlarge.on_demand: must be a non-negative price in USD of at most 64000",
    ),
    ("ceiling-nan", {"max_gpu_hour_price": float("nan")}, "max_gpu_hour_price: must be a price"),
    ("ceiling-zero", {"max_gpu_hour_price": 0}, "max_gpu_hour_price: must be a price"),
    (
        "model-with-a-control-character",
        {"models": ["llama\x07"]},
        "models[0]: not usable as a label value: contains a control character",
    ),
    (
        "evaluator-too-long",
        {"evaluators": ["j" * 254]},
        "evaluators[0]: not usable as a label value: longer than 253 characters",
    ),
]


@pytest.mark.parametrize(("change", "message"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_config_exits_2_naming_the_key(tmp_path: Path, change: dict, message: str) -> None:
    result = run(tmp_path, {**BASE_CONFIG, **change})
    assert result.returncode == 2, result.stderr
    records = json_lines(result.stderr)
    assert [r["msg"] for r in records] == ["bad configuration"]
    assert message in records[0]["error"]


def json_lines(stderr: str) -> list[dict[str, Any]]:
    """Every line of stderr as a JSON object (fails on any other line)."""
    return [json.loads(line) for line in stderr.splitlines()]


def test_config_prices_at_the_ceiling_are_accepted(tmp_path: Path) -> None:
    """The edges of the ranges are inside them (a run that gets past the config listens)."""
    config = {
        **BASE_CONFIG,
        "gpus": {"NVIDIA-L4": {"on_demand": 1000, "spot": 0}},
        "inventory_staleness_seconds": 86_400,
        "static_refresh_seconds": 0.1,
        "watch_timeout_seconds": 3_600,
    }
    with Exporter(tmp_path, config=config, inventory={"nodes": [], "pods": []}) as exporter:
        assert exporter.get("/healthz")[0] == 200


@pytest.mark.parametrize("which", ["config", "token", "inventory"])
def test_a_file_that_is_not_utf8_is_named(tmp_path: Path, which: str) -> None:
    config_path = tmp_path / "config.yaml"
    args = ["--config", str(config_path)]
    if which == "inventory":
        config_path.write_text(yaml.safe_dump(BASE_CONFIG))
        (tmp_path / "inventory.yaml").write_bytes(b"nodes: [{name: caf\xe9}]\n")
        args += ["--inventory", str(tmp_path / "inventory.yaml")]
    elif which == "config":
        config_path.write_bytes(b"models: [caf\xe9]\nevaluators: [judge]\n")
    else:
        (tmp_path / "token").write_bytes(b"s3cret-\xff\xfe\n")
        config_path.write_text(yaml.safe_dump({**BASE_CONFIG, "ingest_token_file": "token"}))
    result = exporter_command(*args)
    assert result.returncode == 2, result.stderr
    (record,) = json_lines(result.stderr)
    if which == "inventory":  # YAML's reader names the byte it cannot decode
        assert record["error"].startswith(f"{tmp_path / 'inventory.yaml'}: not valid YAML")
        assert "UTF-8" in record["error"]
    else:
        named = config_path if which == "config" else tmp_path / "token"
        assert f"{named} is not UTF-8 text" in record["error"]


def test_a_bad_command_line_is_one_json_line_and_exit_2(tmp_path: Path) -> None:
    result = exporter_command("--port", "not-a-port")
    assert result.returncode == 2
    (record,) = json_lines(result.stderr)
    assert record["level"] == "error" and "--port" in record["error"]


def test_bad_inventory_exits_2_naming_the_entry(tmp_path: Path) -> None:
    result = run(tmp_path, BASE_CONFIG, {"nodes": [{"labels": {}}]})
    assert result.returncode == 2
    assert "inventory.yaml: nodes[0].name: required" in result.stderr


def test_not_yaml(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("gpus: [unclosed")
    result = exporter_command("--config", str(tmp_path / "config.yaml"))
    assert result.returncode == 2
    assert "not valid YAML" in result.stderr
