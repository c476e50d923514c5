"""Shared fixtures: the program run of each stack, and the snapshot refresh option."""

from __future__ import annotations

import pytest

from tests.support.harness import STACKS, ProgramRun
from tests.support.programs import program_run


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-snapshots",
        action="store_true",
        help="rewrite tests/program/snapshots from the current program (make snapshot)",
    )


@pytest.fixture(params=STACKS)
def stack_run(request: pytest.FixtureRequest) -> ProgramRun:
    """The program run of each stack in turn."""
    return program_run(request.param)
