"""The policy pack loads the way the Pulumi CLI runs it: runpy on the policy/ directory."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import ROOT

LOADER = """
import runpy
import pulumi_policy

class Pack:  # stands in for the real PolicyPack, which would start a gRPC server
    def __init__(self, name, policies):
        print(name, sorted(p.name for p in policies))

pulumi_policy.PolicyPack = Pack
runpy.run_path(".", run_name="__main__")
"""


def test_the_pack_loads_from_its_own_directory() -> None:
    result = subprocess.run(
        [sys.executable, "-c", LOADER],
        cwd=ROOT / "policy",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    name, _, policies = result.stdout.strip().partition(" ")
    assert name == "ai-observability"
    assert "container-resources" in policies and "no-plain-secrets" in policies
