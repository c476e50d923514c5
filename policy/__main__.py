"""The policy pack: `pulumi preview --policy-pack policy`. Starts the policy server (do not import)."""

import sys
from pathlib import Path

# The CLI runs the pack from policy/: make the repository root importable for `policy.*`.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pulumi_policy import PolicyPack

from policy.policies import POLICIES

PolicyPack(name="ai-observability", policies=POLICIES)
