# The commands the README names. Every target creates what it needs (the venv from
# requirements-dev.txt, tools into .tools/), so each works on a fresh clone.
.PHONY: up test lint format preview tools chart-keys bench exporter-image mixin dashboards snapshot docs mutation

VENV := venv/.installed

$(VENV): requirements.txt requirements-dev.txt
	test -x venv/bin/python || python3 -m venv venv
	venv/bin/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

up:          ## deploy the dev stack (venv, pinned tools when missing, kind cluster, pulumi up)
	scripts/up-dev.sh

test:        ## the whole test suite: installs what it needs, then ruff and pytest
	scripts/test.sh

lint: $(VENV) ## ruff only
	venv/bin/ruff check . && venv/bin/ruff format --check .

format: $(VENV) ## apply ruff's formatting and safe fixes
	venv/bin/ruff format . && venv/bin/ruff check --fix .

preview:     ## pulumi preview --diff for STACK (default dev), with the local state backend
	scripts/preview.sh

tools: $(VENV) ## install the pinned Pulumi CLI, kind and kubectl into .tools/bin
	venv/bin/python -m scripts.tools pulumi kind kubectl

chart-keys:  ## regenerate the chart key catalog (needs helm) after a chart version bump
	scripts/chart-keys.sh

bench: $(VENV) ## every benchmark under bench/ (prints figures; see docs/performance.md)
	venv/bin/python -m bench

exporter-image: $(VENV) ## build the cost & quality exporter image (needs Docker)
	docker build -f exporter/Dockerfile -t ai-observability-exporter:$$(venv/bin/python -c 'import exporter; print(exporter.__version__)') .

mixin: $(VENV) ## write STACK's rule files, PrometheusRules and dashboards into build/<stack>/
	venv/bin/python -m scripts.mixin --stack $${STACK:-dev}

dashboards: mixin ## the same (the dashboards are in build/<stack>/dashboards/)

snapshot: $(VENV) ## rewrite tests/program/snapshots from the program (after a deliberate change)
	venv/bin/python -m pytest -q tests/program/test_snapshot.py --update-snapshots

mutation: $(VENV) ## mutation testing (mutmut) of rules, dashboards, config and exporter; see docs/testing.md
	venv/bin/pip install --quiet --disable-pip-version-check -r requirements-mutation.txt
	rm -rf mutants
	venv/bin/mutmut run --max-children 2 > mutation.log
	venv/bin/python -m scripts.mutation_recheck
	venv/bin/python -m scripts.mutation_score

docs: $(VENV)  ## regenerate the README's layout and configuration reference
	venv/bin/python -m scripts.readme --write
