# Quick start: `make run` (set up everything, serve with demo data) and `make test` (the whole suite).
SHELL := /bin/bash
.DEFAULT_GOAL := help

# The newest Python 3.13 or 3.12 on the machine (pyenv's are found through .python-version).
PYTHON ?= $(shell for p in python3.13 python3.12 python3; do \
	if command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	command -v $$p; break; fi; done)
VENV := .venv
TOOLS := var/tools
UV := $(TOOLS)/bin/uv
UV_VERSION := 0.13.8
PY := $(VENV)/bin/python
PORT ?= 8000
EMBEDDED_RUNNING := import sys; from pathlib import Path; from impact.embedded_db import is_running; sys.exit(0 if is_running(Path('.').resolve()) else 1)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: help setup run test bench lint typecheck messages stop-db clean

help:
	@echo "make run    set up everything and serve the product with demo data at http://127.0.0.1:$(PORT)"
	@echo "make test   run the whole test suite (lint, types, unit, integration and browser tests)"
	@echo "make bench  generate the country and measure every page against the floor (docs/performance.md)"

$(UV):
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed (python3.13 or python3.12 on PATH)."; exit 1; }
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --python $(PYTHON)
	@touch $@

setup: $(VENV)/.synced
	@true

run: export DJANGO_DEBUG ?= 1
run: export DEMO_DATA_ALLOWED ?= 1
run: setup
	$(PY) manage.py migrate --no-input -v 0
	$(PY) manage.py load_demo
	$(PY) manage.py serve --port $(PORT)

# Without DATABASE_URL the tests start the embedded server; it is stopped again afterwards unless it was
# already running (e.g. under `make run` in another terminal).
# (mypy's Django plugin reads the settings, which start the server: the check comes first.)
test: setup
	@if [ -z "$$DATABASE_URL" ] && ! $(PY) -W ignore -c "$(EMBEDDED_RUNNING)"; then trap '$(MAKE) -s stop-db' EXIT; fi; \
	set -ex; \
	$(VENV)/bin/ruff check .; \
	$(VENV)/bin/ruff format --check .; \
	$(VENV)/bin/mypy .; \
	$(PY) manage.py makemigrations --check --dry-run -v 0; \
	$(VENV)/bin/pytest

# Not part of `make test`: generates the country into its own database (several minutes), then measures.
# BENCH_ARGS passes options, e.g. BENCH_ARGS="--reuse --rounds 20".
bench: setup
	$(PY) bench/run.py $(BENCH_ARGS)

messages: setup
	$(PY) manage.py makemessages -l fi -l sv -l en --ignore=.venv --ignore=var --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv --ignore=var

stop-db: setup
	$(PY) -c "from pathlib import Path; from impact.embedded_db import stop; print('stopped' if stop(Path('.').resolve()) else 'not running')"

clean: stop-db
	rm -rf $(VENV) $(TOOLS) var/pgdata var/static
