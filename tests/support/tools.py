"""Command-line tools the tests run (promtool, amtool, prometheus, alertmanager)."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest


def require_tool(name: str) -> str:
    """Path of a command-line tool; missing fails under CI=true and skips elsewhere."""
    path = shutil.which(name)
    if path:
        return path
    message = f"{name} is not installed (apt-get install prometheus prometheus-alertmanager)"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    """Run promtool (see require_tool when it is missing); the result, whatever its status."""
    return subprocess.run(
        [require_tool("promtool"), *args], capture_output=True, text=True, timeout=300, check=False
    )


def amtool(*args: str) -> subprocess.CompletedProcess[str]:
    """Run amtool (see require_tool when it is missing); the result, whatever its status."""
    return subprocess.run(
        [require_tool("amtool"), *args], capture_output=True, text=True, timeout=60, check=False
    )
