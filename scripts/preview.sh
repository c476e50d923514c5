#!/usr/bin/env bash
# `pulumi preview --diff` of STACK (default dev) against the local state backend, as `make up`
# uses it (same backend and passphrase defaults); says what is missing before it starts.
set -euo pipefail
cd "$(dirname "$0")/.."

STACK="${STACK:-dev}"
die() { echo "error: $*" >&2; exit 1; }

[ -f "Pulumi.$STACK.yaml" ] || die "no stack file Pulumi.$STACK.yaml (stacks: $(ls Pulumi.*.yaml | sed 's/Pulumi\.\(.*\)\.yaml/\1/' | tr '\n' ' '))"
if [ ! -x venv/bin/python ]; then
  python3 -m venv venv
fi
venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt

export PATH="$PWD/.tools/bin:$PATH"
version="$(venv/bin/python -c 'from components.versions import PULUMI_CLI_VERSION; print(PULUMI_CLI_VERSION)')"
command -v pulumi >/dev/null || die "the Pulumi CLI is not installed: \`make tools\` installs the pinned $version into .tools/ (or see https://www.pulumi.com/docs/install/)"

export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$PWD/.pulumi-state}"
if [ -z "${PULUMI_CONFIG_PASSPHRASE+x}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE=""  # the default of `make up`'s local state
fi
# The secrets the stack still needs: the preview stops at the first missing one.
venv/bin/python -m scripts.stack_secrets "$STACK" || echo "warning: set the secrets above, or the preview stops at the first one" >&2

mkdir -p .pulumi-state
pulumi stack select --create "$STACK"
pulumi preview --diff --stack "$STACK"
