"""promtool on the rendered rule files: check rules, and the unit tests in tests/unit/rules/promtool/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from rules.config import RulesConfig
from rules.groups import AREAS, render_rule_file, rule_groups
from tests.support.tools import promtool

PROMTOOL_TESTS = Path(__file__).parent / "promtool"
# The config the unit tests are written for: the defaults, plus a 1,000 USD daily budget.
TEST_CONFIG = RulesConfig(daily_budget_dollars=1000)


def render(directory: Path, cfg: RulesConfig = TEST_CONFIG) -> None:
    """rules/<area>.yaml as deployed, and rules-bare/<area>.yaml without annotations."""
    for sub in ("rules", "rules-bare"):
        (directory / sub).mkdir(parents=True, exist_ok=True)
    for area, groups in rule_groups(cfg, gpu_enabled=True).items():
        text = render_rule_file(groups)
        (directory / "rules" / f"{area}.yaml").write_text(text)
        bare = yaml.safe_load(text)
        for group in bare["groups"]:
            for rule in group["rules"]:
                rule.pop("annotations", None)
        (directory / "rules-bare" / f"{area}.yaml").write_text(yaml.safe_dump(bare))


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    render(tmp_path)
    for test_file in PROMTOOL_TESTS.glob("*.test.yaml"):
        shutil.copy(test_file, tmp_path / test_file.name)
    return tmp_path


@pytest.mark.parametrize("gpu_enabled", [True, False])
def test_check_rules_on_every_rendered_group(tmp_path: Path, gpu_enabled: bool) -> None:
    for area, groups in rule_groups(RulesConfig(), gpu_enabled=gpu_enabled).items():
        path = tmp_path / f"{area}.yaml"
        path.write_text(render_rule_file(groups))
        result = promtool("check", "rules", str(path))
        assert result.returncode == 0, result.stdout + result.stderr
        assert "SUCCESS" in result.stdout


def test_promtool_unit_tests_pass(rendered: Path) -> None:
    files = sorted(str(p) for p in rendered.glob("*.test.yaml"))
    assert len(files) == len(AREAS) + 1  # one per area and the annotations file
    result = promtool("test", "rules", *files)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("area", "find", "replace", "test_file"),
    [
        # A quantile per pod instead of per model (the classic mistake).
        ("inference", "sum by (model_name, le)", "sum by (model_name, pod, le)", "inference"),
        # Cost per token without converting $/h to $/s: 3600x too high.
        ("cost", "ai:model_cost_dollars_per_hour / 3600", "ai:model_cost_dollars_per_hour", "cost"),
        # Alerting on any non-zero XID code instead of a new one.
        ("gpu", "changes(DCGM_FI_DEV_XID_ERRORS[10m]) > 0 and ", "", "gpu"),
    ],
    ids=["quantile-per-pod", "cost-units", "xid-forever"],
)
def test_the_unit_tests_catch_the_classic_mistakes(
    rendered: Path, area: str, find: str, replace: str, test_file: str
) -> None:
    """Control: break a rule the way published rule files get it wrong; promtool fails."""
    for sub in ("rules", "rules-bare"):
        path = rendered / sub / f"{area}.yaml"
        text = path.read_text()
        assert find in text, f"{find!r} not in {path}"
        path.write_text(text.replace(find, replace))
    result = promtool("test", "rules", str(rendered / f"{test_file}.test.yaml"))
    assert result.returncode != 0
    assert "FAILED" in result.stdout + result.stderr
