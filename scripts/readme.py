"""The README's generated parts: the layout of the repository (from each package's docstring)
and the configuration reference (from the config declarations and the stack files).

    python -m scripts.readme           exit 1 when README.md is out of date
    python -m scripts.readme --write   rewrite those parts of README.md (make docs)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from scripts.config_reference import table
from scripts.stacks import ROOT, stack_names

# Folders without a package docstring.
FOLDERS = {
    "loadgen/": "The dev load generator (runs in the cluster, standard library only).",
    "docs/": "Runbooks (one per alert), operations (day 2), performance, testing (mutation score).",
    ".github/workflows/": "ci (make test), preview (every stack, on pull requests), deploy.",
    ".ci/": "run: the CI entry point (make test on a clean clone).",
}
ORDER = (
    "components",
    "rules",
    "dashboards",
    "exporter",
    "policy",
    "loadgen",
    "bench",
    "scripts",
    "docs",
    "tests",
    ".github/workflows",
    ".ci",
)


def _docstring(path: Path) -> str:
    """The first line of a module's docstring."""
    return (ast.get_docstring(ast.parse(path.read_text())) or "").splitlines()[0]


def layout() -> str:
    """The tree of the repository, one line per folder or file, with what it holds."""
    lines = [
        f"{'Pulumi.yaml':<24}the project: name, runtime, required CLI version",
        f"{'Pulumi.<stack>.yaml':<24}one per stack: {', '.join(stack_names())}",
        f"{'__main__.py':<24}{_docstring(ROOT / '__main__.py')}",
    ]
    for name in ORDER:
        folder = ROOT / name
        text = FOLDERS.get(f"{name}/") or _docstring(folder / "__init__.py")
        lines.append(f"{name + '/':<24}{text}")
        if name in ("components", "tests"):
            for sub in sorted(p for p in folder.iterdir() if (p / "__init__.py").exists()):
                lines.append(f"{'  ' + sub.name + '/':<24}{_docstring(sub / '__init__.py')}")
        if name == "components":
            lines.append(f"{'  versions.py':<24}{_docstring(folder / 'versions.py')}")
    return "\n".join(lines)


def generated(readme: str) -> str:
    """README.md with both generated parts replaced."""
    for marker, content in (("layout", f"```\n{layout()}\n```"), ("config-reference", table())):
        start, end = f"<!-- {marker}:start -->", f"<!-- {marker}:end -->"
        before, _, rest = readme.partition(start)
        _, _, after = rest.partition(end)
        readme = f"{before}{start}\n{content}\n{end}{after}"
    return readme


def main(argv: list[str]) -> int:
    """Check README.md, or rewrite its generated parts."""
    path = ROOT / "README.md"
    current = path.read_text()
    if "--write" in argv:
        path.write_text(generated(current))
        return 0
    if generated(current) != current:
        print("README.md is out of date: run `make docs`", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
