"""Write a stack's monitoring content into build/<stack>/, like a monitoring mixin's output:
the rule files, the PrometheusRules and the dashboards, for a Prometheus you already run.

    python -m scripts.mixin [--stack dev] [--release kube-prometheus-stack] [--out build]

build/<stack>/rules/*.yaml          plain rule files (`rule_files:` of a Prometheus, promtool)
build/<stack>/dashboards/*.json     Grafana dashboard JSON (import by hand or provisioning)
build/<stack>/kubernetes.yaml       PrometheusRules (label release: <release>) and dashboard
                                    ConfigMaps (label grafana_dashboard: "1") for kubectl apply
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

from components.config.errors import ConfigError
from components.config.stack import parse_section
from components.content.dashboards import dashboard_configmaps
from components.content.rules import prometheus_rules, stack_facts
from components.kube.selection import SELECTION_LABEL
from dashboards.all import all_dashboards, to_json
from rules.groups import render_rule_file, rule_groups
from scripts.stacks import stack_sections

ROOT = Path(__file__).resolve().parents[1]


def mixin_files(stack: str, release: str, namespace: str) -> dict[str, str]:
    """Relative path -> content of every file of the stack's mixin."""
    sections = stack_sections(stack)
    rules = parse_section(sections, "rules")
    facts = stack_facts(
        *(parse_section(sections, s) for s in ("gpu", "inference", "prometheus", "exporter"))
    )
    files = {
        f"rules/ai-observability-{area}.yaml": render_rule_file(groups)
        for area, groups in rule_groups(rules, facts).items()
    }
    files |= {f"dashboards/{uid}.json": to_json(m) for uid, m in all_dashboards(rules).items()}
    objects = list(prometheus_rules(rules, facts, namespace).values())
    for rule in objects:
        rule["metadata"]["labels"][SELECTION_LABEL] = release
    objects += dashboard_configmaps(rules, namespace)
    files["kubernetes.yaml"] = yaml.safe_dump_all(objects, sort_keys=False, width=1000)
    return files


def main(argv: list[str] | None = None) -> int:
    """Write the files; a config mistake is reported with its key, like `pulumi up` does."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", default="dev", help="take thresholds and SLOs from this stack")
    parser.add_argument("--release", default="kube-prometheus-stack", help="your release name")
    parser.add_argument("--namespace", default="monitoring", help="namespace of the objects")
    parser.add_argument("--out", type=Path, default=ROOT / "build")
    args = parser.parse_args(argv)
    try:
        files = mixin_files(args.stack, args.release, args.namespace)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for relative, content in files.items():
        path = args.out / args.stack / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    print(json.dumps({"stack": args.stack, "out": str(args.out / args.stack), "files": len(files)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
