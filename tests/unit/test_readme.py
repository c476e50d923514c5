"""The README's generated parts (layout, configuration reference) are current, and complete."""

from __future__ import annotations

from components.config.stack import StackConfig
from scripts.config_reference import rows
from scripts.readme import generated
from tests.support.paths import ROOT


def test_the_readme_is_up_to_date() -> None:
    readme = (ROOT / "README.md").read_text()
    assert generated(readme) == readme, "README.md is out of date: run `make docs`"


def test_the_reference_documents_every_key() -> None:
    readme = (ROOT / "README.md").read_text()
    for key, info, _ in rows(StackConfig):
        assert f"| `{key}` |" in readme, key
        assert info.description, f"{key} has no documentation"


def test_the_layout_lists_every_concern_package() -> None:
    readme = (ROOT / "README.md").read_text()
    for package in (ROOT / "components").iterdir():
        if (package / "__init__.py").exists():
            assert f"  {package.name}/" in readme, package.name
