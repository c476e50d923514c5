#!/usr/bin/env bash
# Deploy the dev stack from a fresh clone: virtualenv, local state backend, a kind cluster if
# needed, then `pulumi up`. Idempotent: run it again after any change.
#   AUTO_APPROVE=1 scripts/up-dev.sh   skips pulumi's confirmation prompt
set -euo pipefail
cd "$(dirname "$0")/.."

STACK=dev
KIND_CLUSTER=ai-observability

die() { echo "error: $*" >&2; exit 1; }

command -v pulumi >/dev/null || die "the Pulumi CLI is not installed: see https://www.pulumi.com/docs/install/ (curl -fsSL https://get.pulumi.com | sh)"
command -v python3 >/dev/null || die "python3 (3.11 or newer) is required"
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' || die "python3 is $(python3 --version); 3.11 or newer is required"

# 1. Python dependencies, in the virtualenv Pulumi.yaml names.
if [ ! -x venv/bin/python ]; then
  python3 -m venv venv
fi
venv/bin/pip install --quiet --disable-pip-version-check -r requirements.txt

# 2. A local file state backend: no cloud account needed.
export PULUMI_BACKEND_URL="${PULUMI_BACKEND_URL:-file://$PWD/.pulumi-state}"
mkdir -p .pulumi-state
if [ -z "${PULUMI_CONFIG_PASSPHRASE+x}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  # dev only: secrets in the local dev state are encrypted with an empty passphrase.
  export PULUMI_CONFIG_PASSPHRASE=""
fi

# 3. The cluster: the context named in Pulumi.dev.yaml, created with kind when it is missing.
context="$(venv/bin/python -c 'import yaml; print(yaml.safe_load(open("Pulumi.dev.yaml"))["config"]["kubernetes:context"])')"
if ! kubectl config get-contexts -o name 2>/dev/null | grep -qx "$context"; then
  if [ "$context" = "kind-$KIND_CLUSTER" ] && command -v kind >/dev/null; then
    echo "Creating kind cluster $KIND_CLUSTER (context $context)..."
    kind create cluster --name "$KIND_CLUSTER" --wait 120s
  elif [ "$context" = "kind-$KIND_CLUSTER" ]; then
    die "no kubeconfig context $context and kind is not installed: install kind (https://kind.sigs.k8s.io) and Docker, or point the dev stack at a cluster you have: pulumi config set kubernetes:context <context> --stack $STACK"
  else
    die "the dev stack deploys to context $context, which your kubeconfig does not have"
  fi
fi

# 4. The cost & quality exporter image, built locally and loaded into the kind cluster (dev has
#    no registry). Pulumi.dev.yaml's exporter.image names this tag.
exporter_image="$(venv/bin/python -c 'import yaml; print(yaml.safe_load(open("Pulumi.dev.yaml"))["config"].get("ai-observability:exporter", {}).get("image", ""))')"
if [ -n "$exporter_image" ] && [ "$context" = "kind-$KIND_CLUSTER" ]; then
  command -v docker >/dev/null || die "docker is needed to build the exporter image $exporter_image"
  docker build -f exporter/Dockerfile -t "$exporter_image" .
  kind load docker-image "$exporter_image" --name "$KIND_CLUSTER"
fi

# 5. The stack and the deployment.
pulumi stack select --create "$STACK"
args=(up --stack "$STACK" --diff)
if [ "${AUTO_APPROVE:-0}" = "1" ]; then
  args+=(--yes)
fi
pulumi "${args[@]}"

echo
echo "Grafana: $(pulumi stack output grafanaPortForward --stack "$STACK"), then http://localhost:3000"
echo "  user $(pulumi stack output grafanaAdminUser --stack "$STACK"), password: pulumi stack output grafanaAdminPassword --show-secrets --stack $STACK"
