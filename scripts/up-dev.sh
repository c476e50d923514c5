#!/usr/bin/env bash
# Deploy the dev stack from a fresh clone: virtualenv, the pinned Pulumi CLI, kind and kubectl
# when missing (into .tools/, checksums verified), local state backend, a kind cluster if
# needed, then `pulumi up`. Idempotent: run it again after any change.
#   AUTO_APPROVE=1 scripts/up-dev.sh   skips pulumi's confirmation prompt
set -euo pipefail
cd "$(dirname "$0")/.."

STACK=dev
KIND_CLUSTER=ai-observability

die() { echo "error: $*" >&2; exit 1; }

command -v python3 >/dev/null || die "python3 (3.11 or newer) is required"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "python3 is $(python3 --version); 3.11 or newer is required"

# 1. Python dependencies, in the virtualenv Pulumi.yaml names.
if [ ! -x venv/bin/python ]; then
  python3 -m venv venv
fi
venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt

# 2. The Pulumi CLI, kind and kubectl at the pinned versions (components/versions.py), when the
#    machine has none: downloaded into .tools/bin and checked against the published SHA-256.
missing=()
for tool in pulumi kind kubectl; do
  command -v "$tool" >/dev/null || [ -x ".tools/bin/$tool" ] || missing+=("$tool")
done
export PATH="$PWD/.tools/bin:$PATH"
if [ "${#missing[@]}" -gt 0 ]; then
  venv/bin/python -m scripts.tools "${missing[@]}" >/dev/null
fi

# 3. A local file state backend: no cloud account needed.
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$PWD/.pulumi-state}"
mkdir -p .pulumi-state
if [ -z "${PULUMI_CONFIG_PASSPHRASE+x}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  # Local state only: its secrets are encrypted with an empty passphrase.
  export PULUMI_CONFIG_PASSPHRASE=""
fi

# 4. The cluster: the context named in Pulumi.dev.yaml, created with kind when it is missing.
context="$(venv/bin/python -c 'import yaml; print(yaml.safe_load(open("Pulumi.dev.yaml"))["config"]["kubernetes:context"])')"
if ! kubectl config get-contexts -o name 2>/dev/null | grep -qx "$context"; then
  if [ "$context" = "kind-$KIND_CLUSTER" ]; then
    command -v docker >/dev/null || die "kind needs Docker: install Docker (https://docs.docker.com/get-docker/) and start it"
    echo "Creating kind cluster $KIND_CLUSTER (context $context)..."
    kind create cluster --name "$KIND_CLUSTER" --wait 120s
  else
    die "the dev stack deploys to context $context, which your kubeconfig does not have"
  fi
fi

# 5. The cost & quality exporter image, built locally and loaded into the kind cluster (dev has
#    no registry). Pulumi.dev.yaml's exporter.image names this tag.
exporter_image="$(venv/bin/python -c 'import yaml; print(yaml.safe_load(open("Pulumi.dev.yaml"))["config"].get("ai-observability:exporter", {}).get("image", ""))')"
if [ -n "$exporter_image" ] && [ "$context" = "kind-$KIND_CLUSTER" ]; then
  command -v docker >/dev/null || die "docker is needed to build the exporter image $exporter_image"
  docker build -f exporter/Dockerfile -t "$exporter_image" .
  kind load docker-image "$exporter_image" --name "$KIND_CLUSTER"
fi

# 6. The stack and the deployment.
pulumi stack select --create "$STACK"
args=(up --stack "$STACK" --diff)
if [ "${AUTO_APPROVE:-0}" = "1" ]; then
  args+=(--yes)
fi
pulumi "${args[@]}"

echo
echo "Grafana: $(pulumi stack output grafanaPortForward --stack "$STACK"), then http://localhost:3000"
echo "  user $(pulumi stack output grafanaAdminUser --stack "$STACK"), password: pulumi stack output grafanaAdminPassword --show-secrets --stack $STACK"
