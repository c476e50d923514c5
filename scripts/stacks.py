"""The stacks of this project, read from their Pulumi.<stack>.yaml files.

python -m scripts.stacks    the stacks in promotion order, as JSON (the workflows' matrix)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "ai-observability:"


def stack_names() -> list[str]:
    """Every stack that has a Pulumi.<stack>.yaml, in promotion order: dev first, prod after
    the other clusters, a global view last (it reads the clusters)."""
    names = sorted(p.name.split(".")[1] for p in ROOT.glob("Pulumi.*.yaml"))
    return sorted(names, key=lambda name: {"dev": 0, "prod": 2, "global": 3}.get(name, 1))


def is_global_view(stack: str) -> bool:
    """Whether a stack is a global view (its file has a `global` section)."""
    return "global" in stack_sections(stack)


def stack_file(stack: str) -> Path:
    """The path of a stack's file."""
    return ROOT / f"Pulumi.{stack}.yaml"


def _config(stack: str) -> dict[str, Any]:
    import yaml  # only here: the workflows list the stacks before installing anything

    return yaml.safe_load(stack_file(stack).read_text()).get("config") or {}


def stack_sections(stack: str) -> dict[str, Any]:
    """The project's config sections of a stack file (without the `ai-observability:` prefix)."""
    return {k[len(PREFIX) :]: v for k, v in _config(stack).items() if k.startswith(PREFIX)}


def stack_context(stack: str) -> str | None:
    """The kubeconfig context a stack deploys to."""
    return _config(stack).get("kubernetes:context")


if __name__ == "__main__":
    print(json.dumps(stack_names()))
