# The commands the README names. Each target is a thin wrapper around a script in scripts/.
.PHONY: up test lint format preview chart-keys bench exporter-image dashboards mixin snapshot

up:          ## deploy the dev stack (virtualenv, local state, kind cluster if missing, pulumi up)
	scripts/up-dev.sh

test:        ## the whole test suite: installs what it needs, then ruff and pytest
	scripts/test.sh

lint:        ## ruff only
	venv/bin/ruff check . && venv/bin/ruff format --check .

format:      ## apply ruff's formatting and safe fixes
	venv/bin/ruff format . && venv/bin/ruff check --fix .

preview:     ## pulumi preview --diff for STACK (default dev), with the local state backend
	PULUMI_BACKEND_URL=$${PULUMI_BACKEND_URL:-file://$$PWD/.pulumi-state} pulumi preview --diff --stack $${STACK:-dev}

chart-keys:  ## regenerate the chart key catalog (needs helm) after a chart version bump
	scripts/chart-keys.sh

bench:       ## every benchmark under bench/ (prints figures; see docs/performance.md)
	venv/bin/python -m bench

exporter-image: ## build the cost & quality exporter image (needs Docker)
	docker build -f exporter/Dockerfile -t ai-observability-exporter:$$(venv/bin/python -c 'import exporter; print(exporter.__version__)') .

mixin:       ## write STACK's rule files, PrometheusRules and dashboards into build/<stack>/
	venv/bin/python -m scripts.mixin --stack $${STACK:-dev}

dashboards: mixin ## the same (dashboards are in build/<stack>/dashboards/)

snapshot:    ## rewrite tests/snapshots from the current program (after a deliberate change)
	venv/bin/python -m pytest -q tests/program/test_snapshot.py --update-snapshots
