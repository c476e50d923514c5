"""One run of the Pulumi program under mocks, in a fresh process (timed by program_bench.py).

python bench/program_run.py STACK [MODELS]   the whole program; MODELS replaces the model list
python bench/program_run.py --empty          the floor: interpreter, imports, mocks, no resources
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import pulumi_kubernetes  # noqa: E402,F401  (the real program imports it too)
import pulumi_random  # noqa: E402,F401
from harness import run_program  # noqa: E402


def models(count: int) -> list[dict[str, object]]:
    """count vLLM models of one GPU each."""
    return [
        {"name": f"model-{i:03d}", "huggingFaceId": f"org/model-{i}", "gpus": 1, "replicas": 2,
         "modelCache": {"size": "50Gi", "accessMode": "ReadWriteMany"}}
        for i in range(count)
    ]  # fmt: skip


def main(argv: list[str]) -> int:
    """Run once; print the number of registered resources."""
    if argv[:1] == ["--empty"]:
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as empty:
            empty.write("import pulumi\n")
        run = run_program("dev", program_path=Path(empty.name))
    else:
        overrides = {"inference.models": models(int(argv[1]))} if len(argv) > 1 else None
        run = run_program(argv[0], overrides=overrides)
    print(len(run.resources))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
