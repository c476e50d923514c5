"""Re-run the tests on every mutant `mutmut run` left alive, each in a fresh interpreter.

mutmut's workers fork from a process that has already imported the project, so a mutant in
code that runs while a module loads (a config declaration helper, a catalog entry, a units
parser built at import) can never take effect there. A fresh interpreter with the mutant named
in MUTANT_UNDER_TEST imports the mutated code, as `make test` would run it. Results go to
mutants/recheck.json: mutant -> killed | survived | timeout.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTANTS = ROOT / "mutants"
RESULTS = MUTANTS / "recheck.json"
TIMEOUT_SECONDS = 300
WORKERS = 2
# Modules whose helpers build the config declarations and catalogs while they load: every
# concern's tests read those declarations, so all of them judge these mutants.
DECLARATIONS = ("rules.config.", "rules.catalog.", "components.config.")
DECLARATION_TESTS = (
    "tests/unit/components",
    "tests/unit/rules/test_conventions.py",
    "tests/unit/rules/test_fixtures.py",
    "tests/unit/rules/test_boundaries.py",
)


def survivors() -> list[str]:
    """Mutants `mutmut results` lists as survived or without tests."""
    text = subprocess.run(
        [sys.executable, "-m", "mutmut", "results"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    found = []
    for line in text.splitlines():
        name, _, status = line.strip().partition(": ")
        if status in ("survived", "no tests"):
            found.append(name)
    return found


def selection_for(mutant: str, stats: dict[str, list[str]], fallback: list[str]) -> list[str]:
    """The unit tests that mirror the mutated module's package (tests/unit/rules for rules/...),
    and those mutmut's stats saw calling the function (tests added since are in the former);
    for the declarations, the tests of every concern."""
    function = mutant.rsplit("__mutmut_", 1)[0]
    if function.startswith(DECLARATIONS):
        return list(DECLARATION_TESTS)
    package = (
        function.split(".")[:-2] if function.startswith("components.") else function.split(".")[:1]
    )
    mirror = Path("tests", "unit", *package)
    mirrored = [str(mirror)] if (ROOT / mirror).is_dir() else []  # mutants/ copies the tests
    others = sorted(t for t in stats.get(function, []) if not t.startswith(f"{mirror}/"))
    return mirrored + others or fallback


def recheck(mutant: str, tests: list[str], pytest_args: list[str]) -> str:
    """killed, survived or timeout: the tests on one mutant in a fresh interpreter."""
    outcome = _run(mutant, tests, pytest_args)
    if outcome == "exit 4" and len(tests) > 1:  # a test id from the stats no longer exists
        outcome = _run(mutant, tests[:1], pytest_args)
    return outcome


def _run(mutant: str, tests: list[str], pytest_args: list[str]) -> str:
    command = [sys.executable, "-m", "pytest", "-x", "-q", *pytest_args, *tests]
    environment = {**os.environ, "MUTANT_UNDER_TEST": mutant}
    try:
        result = subprocess.run(
            command,
            cwd=MUTANTS,
            env=environment,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    # 1: a test failed; 2: a test module could not even be imported with the mutant.
    return {0: "survived", 1: "killed", 2: "killed", 5: "no tests"}.get(
        result.returncode, f"exit {result.returncode}"
    )


def main() -> int:
    """Recheck every survivor; write and summarise the results."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mutmut"]
    stats = json.loads((MUTANTS / "mutmut-stats.json").read_text())
    by_function = stats["tests_by_mangled_function_name"]
    fallback = config["pytest_add_cli_args_test_selection"]
    # A recheck already decided stands (the run can be resumed); errors are tried again.
    done = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    decided = {n: o for n, o in done.items() if o in ("killed", "survived", "timeout")}
    names = [n for n in survivors() if n not in decided]
    print(f"rechecking {len(names)} mutants in fresh interpreters")
    with ThreadPoolExecutor(WORKERS) as pool:
        outcomes = pool.map(
            lambda name: recheck(
                name, selection_for(name, by_function, fallback), config["pytest_add_cli_args"]
            ),
            names,
        )
        results = decided | dict(zip(names, outcomes, strict=True))
    RESULTS.write_text(json.dumps(results, indent=1, sort_keys=True))
    killed = sum(1 for outcome in results.values() if outcome == "killed")
    print(f"killed in a fresh interpreter: {killed} of {len(results)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
