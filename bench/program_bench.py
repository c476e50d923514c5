"""Program build time under mocks: dev, prod, and prod with 1, 10, 50 and 200 models, against
the floor: a fresh process with the interpreter, the imports and the mocks, running a program
that registers nothing. The floor imports every library module the real prod program loads
(pulumi_kubernetes loads its API groups lazily, on first use, and that is most of the time);
the bare floor, which imports only pulumi and pulumi_kubernetes' top level, is printed too.

Each case runs in a fresh process REPEAT times; the median wall time is reported. Run from the
repository root: `venv/bin/python -m bench.program_bench` (or `make bench`).
"""

from __future__ import annotations

import itertools
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPEAT = 5
MODEL_COUNTS = (1, 10, 50, 200)


def timed(*args: str) -> tuple[float, int]:
    """Median seconds of REPEAT fresh runs, and the resources the run registered."""
    durations, resources = [], 0
    for _ in range(REPEAT):
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "bench.program_run", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        durations.append(time.perf_counter() - start)
        resources = int(result.stdout.strip().splitlines()[-1])
    return statistics.median(durations), resources


def library_modules() -> Path:
    """A file listing the library modules one real prod run loads (the floor imports them)."""
    listing = subprocess.run(
        [sys.executable, "-m", "bench.program_run", "--imports", "prod"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    path = Path(tempfile.mkdtemp()) / "modules.txt"
    path.write_text(listing)
    return path


def main() -> int:
    bare, _ = timed("--empty")
    modules = library_modules()
    floor, _ = timed("--empty", str(modules))
    print(f"bare floor (pulumi, mocks, empty program): {bare * 1000:.0f} ms")
    print(
        f"floor (the same plus the {len(modules.read_text().split())} library modules "
        f"the program loads): {floor * 1000:.0f} ms"
    )
    for stack in ("dev", "prod"):
        seconds, resources = timed(stack)
        print(
            f"{stack}: {seconds * 1000:.0f} ms, {resources} resources, "
            f"{seconds / floor:.2f}x the floor (target prod <= 2x), {seconds / bare:.2f}x bare"
        )
    points = []
    for count in MODEL_COUNTS:
        seconds, resources = timed("prod", str(count))
        points.append((count, seconds))
        print(
            f"prod with {count:3d} models: {seconds * 1000:.0f} ms, {resources} resources, "
            f"{seconds / floor:.2f}x the floor"
        )
    # Cost per added model between consecutive sizes: flat means linear growth.
    for (n1, t1), (n2, t2) in itertools.pairwise(points):
        print(f"  per added model from {n1} to {n2}: {(t2 - t1) / (n2 - n1) * 1000:.1f} ms")
    (n1, t1), (n2, t2), (n3, t3) = points[1], points[2], points[3]
    early, late = (t2 - t1) / (n2 - n1), (t3 - t2) / (n3 - n2)
    print(f"per-model cost 50->200 vs 10->50: {late / early:.2f} (about 1 for linear growth)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
