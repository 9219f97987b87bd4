# The portal's commands. `make run` and `make test` do all set-up on a fresh machine.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=

# The first Python >= 3.12 on the PATH (pyenv honours .python-version).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.14 python3 python; do \
	command -v $$p >/dev/null 2>&1 && \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && \
	{ echo $$p; break; }; done)

.PHONY: help run test check lint format messages worker beat bench clean

help:  ## List the commands
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/bin/python:
	@if [ -z "$(PYTHON)" ]; then \
		echo "Python 3.12 or newer is needed but none was found on the PATH."; \
		echo "Install python3.12 or python3.13 (or with pyenv: pyenv install 3.13) and run make again."; \
		exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

# Links in emails point at the served address unless SITE_URL says otherwise.
SITE_URL ?= http://$(HOST):$(PORT)

run: $(VENV)/.installed  ## Set up and serve the portal at http://127.0.0.1:8000 (development mode; PORT=…, HOST=…)
	@SITE_URL='$(SITE_URL)' $(PY) manage.py migrate --noinput -v0 && echo "Database: migrated."
	@SITE_URL='$(SITE_URL)' $(PY) manage.py load_network
	@SITE_URL='$(SITE_URL)' $(PY) manage.py demo_data
	@SITE_URL='$(SITE_URL)' $(PY) manage.py ensure_dev_admin
	@SITE_URL='$(SITE_URL)' DJANGO_RUNSERVER_HIDE_WARNING=true $(PY) manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev  ## Install the dev dependencies and run the whole suite
	$(PY) -m pytest $(PYTEST_ARGS)

check: $(VENV)/.installed-dev  ## Lint, migrations up to date, every UI language's translations complete and compiled
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	PY=$(PY) scripts/check-messages.sh

format: $(VENV)/.installed-dev  ## Format and auto-fix the code
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(VENV)/.installed  ## Update every UI language's catalogue from the code and compile them
	for locale in $$(ls locale); do \
	    $(PY) manage.py makemessages -l $$locale --add-location=file --ignore=tests || exit 1; \
	done
	$(PY) manage.py compilemessages --ignore=$(VENV)

worker: $(VENV)/.installed  ## Run a Celery worker (needs REDIS_URL and CELERY_TASK_ALWAYS_EAGER=false)
	$(VENV)/bin/celery -A alliance worker -Q celery,webhooks --loglevel=INFO

beat: $(VENV)/.installed  ## Run Celery beat, exactly one per deployment (needs REDIS_URL)
	$(VENV)/bin/celery -A alliance beat --loglevel=INFO

bench: $(VENV)/.installed-dev  ## Benchmarks (opt-in; need PostgreSQL and Redis): email fan-out, partner API, admin lists (seed bench_100k and bench_1m once)
	$(PY) bench/email_fanout.py
	$(PY) bench/partner_api.py
	$(PY) bench/admin_lists.py
	$(PY) bench/webhooks.py
	$(PY) bench/public_pages.py

clean:  ## Remove the virtualenv, the development database and caches
	rm -rf $(VENV) db.sqlite3 .pytest_cache .ruff_cache staticfiles
