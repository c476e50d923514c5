#!/usr/bin/env bash
# Run the whole test suite on a fresh machine: installs what it needs, then lint and pytest.
# No cluster and no Pulumi CLI are needed. promtool, amtool and Prometheus/Alertmanager come
# from Debian's prometheus and prometheus-alertmanager packages (installed here when running
# as root on Debian/Ubuntu; elsewhere install them yourself, or the tests that need them skip).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x venv/bin/python ]; then
  python3 -m venv venv
fi
venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
touch venv/.installed

if ! command -v promtool >/dev/null || ! command -v amtool >/dev/null; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y prometheus prometheus-alertmanager
  else
    echo "warning: promtool/amtool not found; install prometheus and prometheus-alertmanager" >&2
  fi
fi

venv/bin/ruff check .
venv/bin/ruff format --check .
venv/bin/python -m pytest "$@"
