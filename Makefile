# Sanhao: `make demo` serves the platform with demo data, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
# Development and tests run with DEBUG on; the settings themselves default to off.
DEBUG ?= 1
export DEBUG

.PHONY: demo test setup messages lint bench bench-ballots clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

setup: $(VENV)/.installed node_modules/.installed
	node scripts/vendor.mjs
	$(PY) scripts/compile_messages.py

demo: setup
	$(PY) manage.py migrate --verbosity 0
	$(PY) manage.py seed_demo
	@echo ""
	@echo "三好创争 is at http://$(HOST):$(PORT)/  (Ctrl+C stops it and the background worker)"
	$(PY) manage.py run_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy sanhao
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run --verbosity 1

test: lint
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: setup
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	$(PY) bench/run.py
	$(PY) bench/import_bench.py
	$(PY) bench/actuals_import_bench.py
	@command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk >/dev/null)
	$(PY) bench/web.py

# Evaluation day's voting pages under load and faults (gunicorn + PostgreSQL + Redis, locust):
# several minutes; figures in docs/performance.md. Stops and restarts the local PostgreSQL.
bench-ballots: setup
	$(PY) -m pip install --quiet -e ".[dev,bench]"
	$(PY) bench/ballots_load.py

clean:
	rm -rf $(VENV) node_modules sanhao/static/vendor staticfiles
