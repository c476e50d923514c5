#!/usr/bin/env bash
# Fail a workflow early, with the setting to add, when the Pulumi backend is not configured.
set -euo pipefail
fail() { echo "::error::$*"; exit 1; }
[ -n "${PULUMI_BACKEND_URL:-}" ] || fail "repository variable PULUMI_BACKEND_URL is not set (s3://bucket/prefix, gs://bucket, azblob://container or https://api.pulumi.com)"
case "$PULUMI_BACKEND_URL" in
  https://api.pulumi.com*|https://app.pulumi.com*)
    [ -n "${PULUMI_ACCESS_TOKEN:-}" ] || fail "secret PULUMI_ACCESS_TOKEN is not set (needed for Pulumi Cloud)" ;;
  s3://*|gs://*|azblob://*|file://*)
    [ -n "${PULUMI_CONFIG_PASSPHRASE:-}" ] || fail "secret PULUMI_CONFIG_PASSPHRASE is not set (needed to decrypt stack secrets with a file backend)" ;;
  *) fail "PULUMI_BACKEND_URL '$PULUMI_BACKEND_URL' is not a backend URL Pulumi knows" ;;
esac
[ -n "${KUBECONFIG_CONTENT:-}" ] || fail "the secret KUBECONFIG_<STACK> for this stack is not set"
echo "backend: ${PULUMI_BACKEND_URL%%\?*}"
