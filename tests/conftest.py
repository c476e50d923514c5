"""Shared fixtures: program runs per stack (cached, the program is deterministic), tool lookup."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from harness import STACKS, ProgramRun, run_program

_RUNS: dict[str, ProgramRun] = {}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="rewrite tests/snapshots from the current program (make snapshot)",
    )


def program_run(stack: str) -> ProgramRun:
    """The run of one stack with its documented secrets (computed once per test session)."""
    if stack not in _RUNS:
        _RUNS[stack] = run_program(stack)
    return _RUNS[stack]


@pytest.fixture(params=STACKS)
def stack_run(request: pytest.FixtureRequest) -> ProgramRun:
    """The program run of each stack in turn."""
    return program_run(request.param)


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
