# The two commands a newcomer needs: `make run` and `make test`.
# Everything else here is a helper for those two or for maintainers.

PORT ?= 8000
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run test lint format migrate seed countries bench clean help

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(PY):
	@echo "Creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV)
	@$(PIP) install --quiet --upgrade pip

# Stamp files: reinstall only when the requirements change.
$(VENV)/.runtime: requirements.txt | $(PY)
	@echo "Installing requirements.txt"
	@$(PIP) install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	@echo "Installing requirements-dev.txt"
	@$(PIP) install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

migrate: $(VENV)/.runtime  ## Apply database migrations
	@$(PY) manage.py migrate --noinput -v 0 && echo "Database migrated"

seed: migrate  ## Load the source document, taxonomies, countries and items (idempotent)
	@$(PY) manage.py seed

run: seed  ## Install, migrate, seed, create the first admin and serve on 127.0.0.1:$(PORT)
	@$(PY) manage.py ensure_admin --url http://127.0.0.1:$(PORT)/admin/
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	@$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: $(VENV)/.dev  ## Run the whole test suite (DATABASE_URL=postgres://… to run it on PostgreSQL)
	$(PY) -m pytest

lint: $(VENV)/.dev  ## ruff check and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.dev  ## Reformat the code
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: $(VENV)/.dev  ## Benchmark at 1M updates on the local PostgreSQL and rewrite docs/performance.md
	@command -v wrk >/dev/null || apt-get install -y wrk >/dev/null 2>&1 || echo "wrk not installed: the HTTP load test will be skipped"
	$(PY) bench/run.py $(BENCH_ARGS)

countries: $(VENV)/.dev  ## Rebuild fixtures/countries.json from hdx-python-country
	$(PY) manage.py build_countries_fixture

clean:  ## Remove the virtualenv, the SQLite database and caches
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache .ruff_cache
