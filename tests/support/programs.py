"""Program runs per stack, computed once per test session (the program is deterministic)."""

from __future__ import annotations

from pathlib import Path

from tests.support.harness import ProgramRun, run_program, unwrap_secret

_RUNS: dict[str, ProgramRun] = {}


def program_run(stack: str) -> ProgramRun:
    """The run of one stack with its documented secrets."""
    if stack not in _RUNS:
        _RUNS[stack] = run_program(stack)
    return _RUNS[stack]


def deployed_alertmanager_config(stack: str, directory: Path) -> Path:
    """alertmanager.yaml exactly as the stack's Secret carries it, written to a file."""
    secret = program_run(stack).one("kubernetes:core/v1:Secret", "monitoring-alertmanager-config")
    text = unwrap_secret(secret.inputs["stringData"])["alertmanager.yaml"]
    path = directory / f"alertmanager-{stack}.yaml"
    path.write_text(text)
    return path
