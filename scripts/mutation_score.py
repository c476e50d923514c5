"""The mutation score of the last `make mutation`: mutants caught (by `mutmut run`, or by the
fresh-interpreter recheck of its survivors) over all mutants, the rest by function, and which of
them docs/testing.md does not accept (the gaps it lists). Exits 1 under the target or when the
run left mutants unchecked."""

from __future__ import annotations

import collections
import json
import re
import subprocess
import sys
from pathlib import Path

TARGET = 0.85
ROOT = Path(__file__).resolve().parents[1]
ACCEPTED_DOC = ROOT / "docs" / "testing.md"
RECHECK = ROOT / "mutants" / "recheck.json"
# A timeout is a mutant the tests notice (it hangs them): counted as caught, listed apart.
CAUGHT = {"killed", "killed in a fresh interpreter", "timeout", "caught by type check"}


def results() -> dict[str, str]:
    """Mutant name -> status, from `mutmut results --all true`."""
    text = subprocess.run(
        [sys.executable, "-m", "mutmut", "results", "--all", "true"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    ).stdout
    found = {}
    for line in text.splitlines():
        name, _, status = line.strip().partition(": ")
        if status:
            found[name] = status
    return found


def accepted() -> set[str]:
    """Mutant names docs/testing.md accepts (`module.x_function__mutmut_N` in its table)."""
    return set(re.findall(r"`([\w.ǁ]+__mutmut_\d+)`", ACCEPTED_DOC.read_text()))


def function_of(mutant: str) -> str:
    """The mutated function of a mutant name."""
    return mutant.rsplit("__mutmut_", 1)[0]


def main() -> int:
    """Print the score; 1 under the target or with unaccepted survivors."""
    statuses = results()
    if RECHECK.exists():  # survivors rechecked in fresh interpreters (scripts/mutation_recheck)
        for name, outcome in json.loads(RECHECK.read_text()).items():
            if outcome == "killed":
                statuses[name] = "killed in a fresh interpreter"
    if not statuses:
        print("no mutants: run `mutmut run` first (make mutation does)")
        return 1
    counts = collections.Counter(statuses.values())
    unchecked = counts["not checked"]
    checked = len(statuses) - unchecked
    caught = sum(counts[s] for s in CAUGHT)
    score = caught / checked if checked else 0.0
    print(f"mutants: {len(statuses)}")
    for status, count in counts.most_common():
        print(f"  {status}: {count}")
    print(f"score: {score:.1%} of the {checked} mutants checked caught (target {TARGET:.0%})")
    if unchecked:
        print(f"incomplete: {unchecked} mutants not checked (run `mutmut run` to finish)")
    escaped = sorted(n for n, s in statuses.items() if s not in CAUGHT and s != "not checked")
    by_function = collections.Counter(function_of(n) for n in escaped)
    if escaped:
        print("not caught, by function:")
        for function, count in by_function.most_common():
            print(f"  {count:4d}  {function}")
    unaccepted = [n for n in escaped if n not in accepted()]
    if unaccepted:
        print(f"{len(unaccepted)} not caught and not accepted in docs/testing.md (gaps):")
        for name in unaccepted:
            print(f"  {name}")
    return 0 if score >= TARGET and not unchecked else 1


if __name__ == "__main__":
    sys.exit(main())
