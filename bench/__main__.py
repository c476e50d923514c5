"""Every benchmark in one run: `venv/bin/python -m bench` (what `make bench` runs).

python -m bench                      program build, exporter at scale, rules at fleet scale
python -m bench program exporter     only the named ones
python -m bench rules -- --pods 100  arguments after -- go to the rules benchmark

Each part prints its figures and ratios; the exit status is non-zero when a part fails or the
rules benchmark misses its target (see docs/performance.md).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARTS = {
    "program": "bench.program_bench",
    "exporter": "bench.exporter_bench",
    "rules": "bench.rules_bench",
}


def main(argv: list[str]) -> int:
    """Run the chosen parts in order, each in its own process."""
    split = argv.index("--") if "--" in argv else len(argv)
    names, extra = argv[:split], argv[split + 1 :]
    unknown = [n for n in names if n not in PARTS]
    if unknown:
        choices = ", ".join(PARTS)
        print(f"unknown benchmark {', '.join(unknown)}; choose from {choices}", file=sys.stderr)
        return 2
    status = 0
    for name in names or list(PARTS):
        print(f"== {name} ==", flush=True)
        began = time.monotonic()
        args = [sys.executable, "-m", PARTS[name], *(extra if name == "rules" else [])]
        code = subprocess.run(args, cwd=ROOT).returncode
        print(f"== {name}: exit {code} after {time.monotonic() - began:.0f} s ==\n", flush=True)
        status = status or code
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
