"""What each stack deploys equals the committed snapshot (refresh on purpose: `make snapshot`)."""

from __future__ import annotations

import difflib

import pytest

from tests.support.harness import STACKS
from tests.support.programs import program_run
from tests.support.snapshot import snapshot_files, stored_files, write_snapshot


# A change detector: it fails on every change, right or wrong, so mutation runs leave it out.
@pytest.mark.snapshot
@pytest.mark.parametrize("stack", STACKS)
def test_stack_matches_its_snapshot(stack: str, request: pytest.FixtureRequest) -> None:
    run = program_run(stack)
    if request.config.getoption("--update-snapshots"):
        write_snapshot(run)
    stored, current = stored_files(stack), snapshot_files(run)
    assert stored, f"no snapshot for {stack}: run `make snapshot`"
    assert sorted(current) == sorted(stored), "snapshot files differ (added or removed)"
    for name, text in current.items():
        if text != stored[name]:
            diff = difflib.unified_diff(
                stored[name].splitlines(), text.splitlines(), f"stored/{name}", f"now/{name}", n=2
            )
            pytest.fail(f"{stack}/{name} changed:\n" + "\n".join(list(diff)[:80]))
