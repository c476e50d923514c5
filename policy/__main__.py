"""The policy pack: `pulumi preview --policy-pack policy`. Starts the policy server (do not import).

The CLI runs this file from policy/ (runpy on the directory), where `policy` is not importable
as a package; load this directory as the package `policy` so that its modules import each other
by their package names, exactly as the tests import them.
"""

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
_spec = importlib.util.spec_from_file_location(
    "policy", HERE / "__init__.py", submodule_search_locations=[str(HERE)]
)
assert _spec is not None and _spec.loader is not None
sys.modules["policy"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(sys.modules["policy"])

from pulumi_policy import PolicyPack  # noqa: E402

from policy.policies import POLICIES  # noqa: E402

PolicyPack(name="ai-observability", policies=POLICIES)
