"""The GitHub workflows: valid YAML, pinned actions, the README's test command, and the backend
check failing clearly."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from components import versions
from tests.support.harness import GLOBAL_STACKS, STACKS
from tests.support.paths import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def load(path: Path) -> dict:
    document = yaml.safe_load(path.read_text())
    # YAML reads the key `on` as True.
    document["on"] = document.pop(True, document.get("on"))
    return document


def steps(path: Path) -> list[dict]:
    return [step for job in load(path)["jobs"].values() for step in job["steps"]]


def test_the_three_workflows_exist() -> None:
    assert {p.name for p in WORKFLOWS} == {"ci.yml", "preview.yml", "deploy.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_a_version(path: Path) -> None:
    uses = [s["uses"] for s in steps(path) if "uses" in s]
    assert uses
    for ref in uses:
        assert re.fullmatch(r"[\w.-]+/[\w.-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})", ref), ref


def test_ci_runs_the_readmes_test_command() -> None:
    readme = (ROOT / "README.md").read_text()
    quick_start = readme.split("## Quick start", 1)[1].split("```", 2)[1]
    test_command = next(
        line.split("#")[0].strip() for line in quick_start.splitlines() if "test" in line
    )
    assert test_command == "make test"
    assert any(s.get("run") == test_command for s in steps(ROOT / ".github/workflows/ci.yml"))
    ci_run = (ROOT / ".ci" / "run").read_text()
    assert re.search(rf"^{re.escape(test_command)}$", ci_run, flags=re.M)


def matrix_of_every_stack_file(workflow: dict, job: str) -> None:
    """The job's matrix is the list `python -m scripts.stacks` prints: every Pulumi.*.yaml."""
    stacks = workflow["jobs"]["stacks"]
    assert any(
        s.get("run", "").endswith('"list=$(python3 -m scripts.stacks)" >> "$GITHUB_OUTPUT"')
        for s in stacks["steps"]
    )
    assert workflow["jobs"][job]["needs"] == "stacks"
    assert (
        workflow["jobs"][job]["strategy"]["matrix"]["stack"]
        == "${{ fromJSON(needs.stacks.outputs.list) }}"
    )
    listed = json.loads(
        subprocess.run(
            [sys.executable, "-m", "scripts.stacks"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    # The clusters in promotion order, prod last among them, then the global view that reads them.
    assert set(listed) == set(STACKS) | set(GLOBAL_STACKS) and listed[0] == "dev"
    assert listed[-1 - len(GLOBAL_STACKS)] == "prod" and listed[len(STACKS) :] == list(
        GLOBAL_STACKS
    )


def pulumi_step(workflow: dict, job: str) -> dict:
    step = next(
        s for s in workflow["jobs"][job]["steps"] if s.get("uses", "").startswith("pulumi/actions@")
    )
    assert step["with"]["pulumi-version"] == versions.PULUMI_CLI_VERSION  # pinned, as in make up
    assert step["with"]["upsert"] is True  # a stack new to the backend is created
    return step


def test_current_major_versions_of_the_setup_actions() -> None:
    for path in WORKFLOWS:
        for ref in (s["uses"] for s in steps(path) if "uses" in s):
            name, _, version = ref.partition("@")
            if name in ("actions/checkout", "actions/setup-python"):
                assert version == "v6", ref


def test_preview_covers_every_stack_with_a_pr_comment_and_the_policy_pack() -> None:
    workflow = load(ROOT / ".github/workflows/preview.yml")
    assert "pull_request" in workflow["on"]
    matrix_of_every_stack_file(workflow, "preview")
    pulumi = pulumi_step(workflow, "preview")
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["with"]["diff"] is True and pulumi["with"]["comment-on-pr"] is True
    assert pulumi["with"]["policyPacks"] == "policy"
    assert workflow["permissions"]["pull-requests"] == "write"


def test_deploy_waits_for_ci_and_goes_through_environments() -> None:
    workflow = load(ROOT / ".github/workflows/deploy.yml")
    ci = load(ROOT / ".github/workflows/ci.yml")
    trigger = workflow["on"]["workflow_run"]
    assert trigger == {"workflows": [ci["name"]], "types": ["completed"], "branches": ["main"]}
    assert "conclusion == 'success'" in workflow["jobs"]["stacks"]["if"]
    matrix_of_every_stack_file(workflow, "up")
    job = workflow["jobs"]["up"]
    assert job["environment"] == "${{ matrix.stack }}"
    assert job["strategy"]["max-parallel"] == 1  # dev, then the others, prod last
    checkout = next(s for s in job["steps"] if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["ref"] == "${{ github.event.workflow_run.head_sha }}"  # what CI tested
    assert pulumi_step(workflow, "up")["with"]["command"] == "up"


def check_backend(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(ROOT / "scripts" / "ci-check-backend.sh")],
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "repository variable PULUMI_BACKEND_URL is not set"),
        (
            {"PULUMI_BACKEND_URL": "s3://b/p", "KUBECONFIG_CONTENT": "x"},
            "secret PULUMI_CONFIG_PASSPHRASE is not set",
        ),
        (
            {"PULUMI_BACKEND_URL": "https://api.pulumi.com", "KUBECONFIG_CONTENT": "x"},
            "secret PULUMI_ACCESS_TOKEN is not set",
        ),
        ({"PULUMI_BACKEND_URL": "ftp://x", "KUBECONFIG_CONTENT": "x"}, "is not a backend URL"),
        ({"PULUMI_BACKEND_URL": "gs://b", "PULUMI_CONFIG_PASSPHRASE": "p"}, "KUBECONFIG_<STACK>"),
    ],
)
def test_the_workflow_fails_clearly_without_backend_settings(
    env: dict[str, str], message: str
) -> None:
    result = check_backend(env)
    assert result.returncode == 1
    assert message in result.stdout


def test_backend_check_passes_when_configured() -> None:
    result = check_backend(
        {
            "PULUMI_BACKEND_URL": "s3://bucket/ai-observability",
            "PULUMI_CONFIG_PASSPHRASE": "p",
            "KUBECONFIG_CONTENT": "x",
        }
    )
    assert result.returncode == 0, result.stdout
