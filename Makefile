# The two commands a newcomer needs: `make run` and `make test`.
# Everything else here is a helper for those two or for maintainers.

PORT ?= 8000
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: run worker test lint format migrate seed countries map bench backup restore serve faults clean help lock \
	cluster cluster-stop cluster-status cluster-faults messages

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(PY):
	@echo "Creating $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV)

# Stamp files: reinstall only when the locks change. The locks (requirements.txt, requirements-dev.txt)
# pin every package with its hashes, so every machine installs exactly the same files.
$(VENV)/.runtime: requirements.txt | $(PY)
	@echo "Installing requirements.txt"
	@$(PIP) install --quiet --require-hashes -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(PY)
	@echo "Installing requirements-dev.txt"
	@$(PIP) install --quiet --require-hashes -r requirements-dev.txt
	@touch $@ $(VENV)/.runtime

LOCK := $(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links

lock: $(VENV)/.dev  ## Recompile the locks from requirements.in and requirements-dev.in (pip-tools; every package, with hashes)
	$(LOCK) --output-file requirements.txt requirements.in
	$(LOCK) --output-file requirements-dev.txt requirements-dev.in

migrate: $(VENV)/.runtime  ## Apply database migrations
	@$(PY) manage.py migrate --noinput -v 0 && echo "Database migrated"

seed: migrate  ## Load the source document, taxonomies, countries, items and the ICRMW baseline (idempotent)
	@$(PY) manage.py seed
	@$(PY) manage.py load_icrmw_baseline

# Invitation links (emails, `manage.py invite_user`) point at SITE_URL: by default the address `make run` serves.
SITE_URL ?= http://127.0.0.1:$(PORT)
run serve: export SITE_URL := $(SITE_URL)

run: seed  ## Install, migrate, seed, create the first admin and serve on 127.0.0.1:$(PORT)
	@$(PY) manage.py ensure_admin --url http://127.0.0.1:$(PORT)/admin/
	@if [ -n "$$CELERY_BROKER_URL" ]; then echo "Background tasks: sent to $$CELERY_BROKER_URL; start a worker with \`make worker\` (digests and schedules run there)"; \
	 else echo "Background tasks: no worker configured (CELERY_BROKER_URL unset), tasks run inside the web process and schedules (digests) do not run"; fi
	@echo "Invitation links point at SITE_URL=$(SITE_URL) (set SITE_URL if people reach the tracker at another address;"
	@echo "  from another shell: SITE_URL=$(SITE_URL) $(PY) manage.py invite_user ana@example.org --organization … --role reporter)"
	@STATIC_COLLECTED=1 $(PY) manage.py collectstatic --noinput -v 0 && echo "Static files: collected into staticfiles/, served compressed and cached by WhiteNoise, as in production"
	@echo "Serving on http://127.0.0.1:$(PORT)/ (Ctrl-C stops)"
	@STATIC_COLLECTED=1 $(PY) manage.py runserver --nostatic 127.0.0.1:$(PORT)

# Redis on this machine unless CELERY_BROKER_URL names another; any number of workers may run.
worker: migrate  ## Run a Celery worker and the beat scheduler against Redis (CELERY_BROKER_URL, default redis://127.0.0.1:6379/0)
	CELERY_BROKER_URL=$${CELERY_BROKER_URL:-redis://127.0.0.1:6379/0} $(VENV)/bin/celery -A tracker worker --beat \
		--loglevel=INFO --concurrency=$${WORKER_CONCURRENCY:-2}

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
	$(PY) bench/digest.py $(DIGEST_ARGS)
	$(PY) bench/api.py $(API_ARGS)
	$(PY) bench/bulk_review.py $(BULK_ARGS)

backup: $(VENV)/.runtime  ## Back up the database and evidence files into backups/ (pg_dump or SQLite's backup API)
	$(PY) manage.py backup --to backups

restore: $(VENV)/.runtime  ## Restore FILE=backups/tracker-….dump|.sqlite3 [MEDIA=backups/media-….tar.gz] (replaces data)
	@test -n "$(FILE)" || (echo "Usage: make restore FILE=backups/tracker-….dump [MEDIA=backups/media-….tar.gz]" && exit 2)
	$(PY) manage.py restore "$(FILE)" $(if $(MEDIA),--media "$(MEDIA)") --yes

serve: $(VENV)/.runtime  ## Production server: collectstatic, migrate, gunicorn (deploy/gunicorn.conf.py: WEB_CONCURRENCY × WEB_THREADS) on 127.0.0.1:$(PORT)
	STATIC_COLLECTED=1 $(PY) manage.py collectstatic --noinput -v 0
	$(PY) manage.py migrate --noinput -v 0
	STATIC_COLLECTED=1 GUNICORN_BIND=127.0.0.1:$(PORT) $(VENV)/bin/gunicorn -c deploy/gunicorn.conf.py --access-logfile -

faults: $(VENV)/.dev  ## Restart a private PostgreSQL under load; check nothing acknowledged is lost (docs/reliability.md)
	$(PY) bench/faults.py

# The production topology on one machine: nginx, two gunicorn servers, a Celery worker and beat, a private
# PostgreSQL and Redis, an SMTP sink; everything under .cluster/. Ports: CLUSTER_PORT (8080), CLUSTER_WEB_PORTS
# (8081,8082), CLUSTER_PG_PORT (55433), CLUSTER_REDIS_PORT (56379), CLUSTER_SMTP_PORT (8025).
NGINX_INSTALL = command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || { echo "Installing Debian's nginx"; \
	apt-get install -y nginx >/dev/null 2>&1 || { apt-get update >/dev/null 2>&1 && apt-get install -y nginx >/dev/null 2>&1; }; }

cluster: $(VENV)/.runtime  ## Start nginx, 2 gunicorn servers, a Celery worker and beat, PostgreSQL, Redis on one machine (.cluster/)
	@$(NGINX_INSTALL)
	@$(PY) bench/cluster.py start

cluster-stop:  ## Stop what `make cluster` started (its data stays in .cluster/)
	@$(PY) bench/cluster.py stop

cluster-status:  ## Which pieces of `make cluster` are up
	@$(PY) bench/cluster.py status

cluster-faults: $(VENV)/.runtime  ## Load through the balancer while killing a web server, a worker mid-task, restarting PostgreSQL (docs/reliability.md)
	@$(NGINX_INSTALL)
	$(PY) bench/cluster_faults.py $(FAULT_ARGS)

# The five translations (English is the source text). Edit locale/<ll>/LC_MESSAGES/django.po, then `make messages`:
# it adds new strings from the code and templates (and marks vanished ones obsolete), and compiles the .mo files
# the site reads. Both are committed, so `make run` and `make test` need no gettext tools. Needs GNU gettext.
LOCALES := -l fr -l es -l ru -l zh_Hans -l ar
MESSAGES_IGNORE := --ignore=.venv* --ignore=staticfiles --ignore=media --ignore=open-data --ignore=backups \
	--ignore=test-artifacts --ignore=.cluster* --ignore=node_modules

messages: $(VENV)/.runtime  ## Update the translation catalogs (locale/*/LC_MESSAGES/django.po) from the code and compile them
	$(PY) manage.py makemessages $(LOCALES) --no-location --no-obsolete $(MESSAGES_IGNORE)
	$(PY) manage.py compilemessages $(LOCALES) $(MESSAGES_IGNORE)

countries: $(VENV)/.dev  ## Rebuild fixtures/countries.json from hdx-python-country
	$(PY) manage.py build_countries_fixture

map: $(VENV)/.runtime  ## Rebuild atlas/world.json (projected, simplified world map) from the vendored Natural Earth file
	$(PY) manage.py build_world_map

clean:  ## Remove the virtualenv, the SQLite database and caches
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles .pytest_cache .ruff_cache
