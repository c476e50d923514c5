"""The layout's rules, enforced: one package per concern, pure content, no path tricks."""

from __future__ import annotations

import ast
import typing
from pathlib import Path

import pytest
from pydantic import BaseModel

from components.config.stack import GlobalStackConfig, StackConfig
from scripts.readme import ORDER
from tests.support.paths import ROOT

pytestmark = pytest.mark.source_text

# Every folder of the layout the README shows that holds Python.
PROJECT_DIRS = tuple(d for d in ORDER if any((ROOT / d).rglob("*.py")))
# Modules that register resources or read Pulumi's config; every other module is pure.
PULUMI_MODULES = {
    "__main__.py",
    "components/config/loader.py",
    "components/kube/registration.py",
    "components/kube/resources.py",
    "components/core/provider.py",
    "components/core/namespaces.py",
    "components/core/network.py",
    "components/content/rules.py",
    "components/content/dashboards.py",
    *(
        f"components/{c}/component.py"
        for c in (
            "monitoring",
            "thanos",
            "gpu",
            "inference",
            "tracing",
            "cost_exporter",
            "autoscaling",
        )
    ),
    # The global view's stack: its certificates, its Query, its wiring.
    *(f"components/global_view/{m}.py" for m in ("certificates", "component", "program")),
}


def python_files(*dirs: str) -> list[Path]:
    return sorted(p for d in dirs for p in (ROOT / d).rglob("*.py") if "venv" not in p.parts)


def imported(path: Path) -> set[str]:
    """Top-level names of every module a file imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_content_imports_neither_pulumi_nor_components() -> None:
    for path in python_files("rules", "dashboards"):
        assert not imported(path) & {"pulumi", "pulumi_kubernetes", "components"}, path


def test_only_the_registering_modules_import_pulumi() -> None:
    for path in [ROOT / "__main__.py", *python_files("components")]:
        relative = str(path.relative_to(ROOT))
        uses_pulumi = bool(imported(path) & {"pulumi", "pulumi_kubernetes", "pulumi_random"})
        assert uses_pulumi == (relative in PULUMI_MODULES), relative


def test_no_path_tricks() -> None:
    for path in [ROOT / "__main__.py", *python_files(*PROJECT_DIRS)]:
        if path == Path(__file__):
            continue
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "path":
                assert not (isinstance(node.value, ast.Name) and node.value.id == "sys"), path


def test_modules_stay_small() -> None:
    for path in [ROOT / "__main__.py", *python_files(*PROJECT_DIRS)]:
        assert len(path.read_text().splitlines()) <= 400, path


def test_components_holds_packages_with_few_top_level_modules() -> None:
    modules = [p.name for p in (ROOT / "components").glob("*.py")]
    assert len(modules) <= 6, modules
    packages = {p.name for p in (ROOT / "components").iterdir() if (p / "__init__.py").exists()}
    assert {
        "config",
        "kube",
        "core",
        "monitoring",
        "thanos",
        "gpu",
        "inference",
        "tracing",
    } <= packages


def test_components_take_their_slice_not_the_whole_stack_config() -> None:
    typed = []
    for path in [ROOT / "__main__.py", *python_files(*PROJECT_DIRS)]:
        if path.is_relative_to(ROOT / "components" / "config") or path == Path(__file__):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            annotation = getattr(node, "annotation", None)
            if (
                isinstance(node, ast.arg)
                and annotation
                and "StackConfig" in ast.unparse(annotation)
            ):
                typed.append(f"{path.relative_to(ROOT)}:{node.arg}")
            if isinstance(node, ast.AnnAssign) and "StackConfig" in ast.unparse(node.annotation):
                typed.append(f"{path.relative_to(ROOT)}:{ast.unparse(node.target)}")
    assert len(typed) <= 5, typed


def declared_fields() -> int:
    """Fields of every config model the stack config reaches (sections, items, options)."""
    seen: set[type[BaseModel]] = set()

    def visit(annotation: object) -> None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation not in seen:
                seen.add(annotation)
                for field in annotation.model_fields.values():
                    visit(field.annotation)
            return
        for argument in typing.get_args(annotation):
            visit(argument)

    visit(StackConfig)
    visit(GlobalStackConfig)  # a global view's stack
    return sum(len(model.model_fields) for model in seen)


# Issue 15 declared the config once: 2,148 lines over 11 modules became at most 60% of that,
# for the 189 fields the config had then. New fields may add lines at no more than that rate.
LINES_PER_FIELD = 0.6 * 2148 / 189


def test_config_code_stays_within_sixty_percent_of_what_it_was_per_field() -> None:
    """Config code per declared field stays at most what issue 15 brought it down to."""
    modules = [
        *(ROOT / "components" / "config").glob("*.py"),
        *(ROOT / "components").glob("*/config.py"),
        ROOT / "rules" / "config.py",
    ]
    lines = sum(len(path.read_text().splitlines()) for path in modules)
    fields = declared_fields()
    assert fields >= 189
    assert lines <= LINES_PER_FIELD * fields, (lines, fields)
