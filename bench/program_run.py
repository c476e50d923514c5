"""One run of the Pulumi program under mocks, in a fresh process (timed by program_bench.py).

python -m bench.program_run STACK [MODELS]      the whole program; MODELS replaces the model list
python -m bench.program_run --imports STACK     run it and print the non-project modules it loaded
python -m bench.program_run --empty [FILE]      the floor: interpreter, mocks, an empty program,
                                                after importing the modules listed in FILE
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import tempfile
from pathlib import Path

import pulumi_kubernetes  # noqa: F401  (the real program imports it too)
import pulumi_random  # noqa: F401

from tests.support.harness import run_program

ROOT = Path(__file__).resolve().parents[1]


def models(count: int) -> list[dict[str, object]]:
    """count vLLM models of one GPU each."""
    return [
        {"name": f"model-{i:03d}", "huggingFaceId": f"org/model-{i}", "gpus": 1, "replicas": 2,
         "modelCache": {"size": "50Gi", "accessMode": "ReadWriteMany"}}
        for i in range(count)
    ]  # fmt: skip


def outside_project() -> list[str]:
    """Loaded modules that are not the project's own code (libraries and the standard library)."""
    environment = Path(sys.prefix).resolve()
    names = []
    for name, module in list(sys.modules.items()):
        origin = Path(getattr(module, "__file__", None) or ROOT).resolve()
        if origin.is_relative_to(environment) or not origin.is_relative_to(ROOT):
            names.append(name)
    return sorted(names)


def empty_program(preload: Path | None) -> int:
    """Import the listed modules, then run a program that registers nothing."""
    if preload:
        for name in preload.read_text().split():
            # A few modules are only importable as a side effect of another.
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as empty:
        empty.write("import pulumi\n")
    return len(run_program("dev", program_path=Path(empty.name)).resources)


def main(argv: list[str]) -> int:
    """Run once; print the number of registered resources (or the module list)."""
    if argv[:1] == ["--empty"]:
        print(empty_program(Path(argv[1]) if len(argv) > 1 else None))
    elif argv[:1] == ["--imports"]:
        run_program(argv[1])
        print("\n".join(outside_project()))
    else:
        overrides = {"inference.models": models(int(argv[1]))} if len(argv) > 1 else None
        print(len(run_program(argv[0], overrides=overrides).resources))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
