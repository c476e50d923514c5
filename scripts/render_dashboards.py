"""Write the dashboards as JSON files for manual import: `make dashboards` (build/dashboards/).

With --stack, the thresholds, SLOs and runbook URL come from Pulumi.<stack>.yaml.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from components.rules_config import RulesConfig, parse_rules  # noqa: E402
from dashboards.all import all_dashboards, to_json  # noqa: E402


def rules_config(stack: str | None) -> RulesConfig:
    """The stack's rules config (defaults without a stack)."""
    if stack is None:
        return RulesConfig()
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    raw = config.get("ai-observability:rules")
    return parse_rules(json.loads(json.dumps(raw)) if raw is not None else None)


def main(argv: list[str] | None = None) -> int:
    """Render every dashboard into the output directory."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stack", help="take thresholds and SLOs from Pulumi.<stack>.yaml")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "dashboards")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for uid, model in all_dashboards(rules_config(args.stack)).items():
        path = args.out / f"{uid}.json"
        path.write_text(to_json(model))
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
