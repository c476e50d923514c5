"""Print every key path of a Helm chart's values.yaml, one per line, as the key catalog tests use.

Usage: helm show values prometheus-community/kube-prometheus-stack --version 88.5.3 \
         | python -m scripts.chart_value_paths - > tests/program/fixtures/<chart>.paths

Each line is `<path>\t<kind>`; kind is `map` (a map with keys), `open` (an empty map, a list or
a map of the user's own keys such as nodeSelector, so any key below it is accepted) or `value`
(a scalar or null).
Pass `--prefix grafana.` for a subchart's values, whose keys sit under the subchart's name.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from typing import Any

import yaml

# Maps whose keys are the user's own (label names, node selectors), even when the chart's
# default has some: any key below them is accepted.
FREE_FORM_MAPS = {"nodeSelector", "labels", "annotations", "podLabels", "podAnnotations"}


def value_paths(node: Any, prefix: str = "") -> Iterator[tuple[str, str]]:
    """Yield (path, kind) for every key below node."""
    for key, child in node.items():
        path = f"{prefix}{key}"
        if isinstance(child, dict) and child:
            yield path, "open" if key in FREE_FORM_MAPS else "map"
            yield from value_paths(child, path + ".")
        elif isinstance(child, (dict, list)):
            yield path, "open"
        else:
            yield path, "value"


def main(argv: list[str] | None = None) -> int:
    """Read a values file (or - for stdin) and print its key paths."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("values", help="path to values.yaml, or - for stdin")
    parser.add_argument("--prefix", default="", help="prefix for every path, e.g. grafana.")
    args = parser.parse_args(argv)
    if args.values == "-":
        text = sys.stdin.read()
    else:
        with open(args.values, encoding="utf-8") as handle:
            text = handle.read()
    for path, kind in value_paths(yaml.safe_load(text), args.prefix):
        print(f"{path}\t{kind}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
