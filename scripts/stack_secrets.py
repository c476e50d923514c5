"""The secrets a stack needs, which of them its file documents and which it already stores.

    python -m scripts.stack_secrets STACK   the secrets STACK still needs, with the commands

Needed: an endpoint per Alertmanager receiver whose type is not none, and the bucket's keys
when Thanos authenticates with keys (the Hugging Face token is optional: gated weights only).
"""

from __future__ import annotations

import re
import sys

from components.config.stack import parse_section
from components.thanos.config import CREDENTIAL_KEYS
from scripts.stacks import stack_file, stack_sections

SET_SECRET = re.compile(r"pulumi config set --secret (?:--path )?([\w.]+)")


def needed_secrets(stack: str) -> dict[str, str]:
    """`--path` key -> what it holds, of every secret the stack's config requires."""
    sections = stack_sections(stack)
    alertmanager = parse_section(sections, "alertmanager")
    needed = {
        f"alertmanagerSecrets.{role}": f"{receiver.type} endpoint"
        for role, receiver in alertmanager.receivers
        if receiver.needs_secret
    }
    if "global" in sections:  # a global view has no bucket of its own
        return needed
    thanos = parse_section(sections, "thanos")
    bucket = thanos.object_storage
    if thanos.has_bucket and bucket is not None and bucket.auth == "keys":
        for key in CREDENTIAL_KEYS[bucket.provider].split():
            needed[f"thanosObjectStorageCredentials.{key}"] = f"{bucket.provider} {key}"
    return needed


def documented_secrets(stack: str) -> list[str]:
    """The keys the stack file's comments tell the user to set with --secret."""
    return SET_SECRET.findall(stack_file(stack).read_text())


def stored_secrets(stack: str) -> set[str]:
    """The `--path` keys the stack file already holds encrypted (`secure:` values)."""
    stored = set()
    for key, value in stack_sections(stack).items():
        if isinstance(value, dict) and "secure" in value:
            stored.add(key)
        elif isinstance(value, dict):
            stored |= {
                f"{key}.{k}" for k, v in value.items() if isinstance(v, dict) and "secure" in v
            }
    return stored


def main(argv: list[str]) -> int:
    """Print what the stack still needs; exit 1 when something required is missing."""
    stack = argv[0] if argv else "dev"
    missing = {k: v for k, v in needed_secrets(stack).items() if k not in stored_secrets(stack)}
    for key, what in missing.items():
        command = f"pulumi config set --secret --path {key} <value> --stack {stack}"
        print(f"missing secret {key} ({what}): {command}")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
