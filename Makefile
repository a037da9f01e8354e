# Two commands: `make run` (set up, then serve on http://127.0.0.1:8000) and `make test`.
# Every step is idempotent, so running either twice changes nothing.

SHELL := /bin/bash
.DEFAULT_GOAL := run

# pyenv provides 3.13 here (see .python-version); uv must be handed it and never download one.
PYTHON ?= $(shell pyenv which python3 2>/dev/null || command -v python3.13 || command -v python3)
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := .venv
export DEBUG ?= 1

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
MANAGE := $(PY) manage.py
NODE_DIR := theme/static_src
CHROMIUM := /usr/bin/chromium
# npm's config warnings, and Tailwind's timing lines (it prints them whenever DEBUG is set).
NPM_NOISE := npm warn|\[ *[0-9.]+m?s\]|^$$

.PHONY: run test test-explore mutation setup deps tailwind db bytecode chromium servers lint format check-deploy clean
.PHONY: serve stop backup restore stack-packages

run: setup
	$(MANAGE) check
	@echo "Serving on http://127.0.0.1:8000 (Ctrl-C to stop)"
	$(VENV)/bin/daphne -b 127.0.0.1 -p 8000 --websocket-max-message-size 65536 --ping-interval 60 --ping-timeout 30 portal.asgi:application

# Three runs: the whole suite on SQLite (the embedded default), then the tests marked
# `postgres` (or `postgres_too`: the websocket tests) against a real PostgreSQL server that
# the suite starts itself, then the tests marked `stack` against a whole deployment
# (deploy/stack.py) they bring up and take down.
# The first in TEST_WORKERS pytest-xdist processes, a test file to each in the suite's order
# (browser tests last in each worker: tests/conftest.py; docs/testing.md, "Two workers").
TEST_WORKERS ?= 2
test: setup chromium servers stack-packages
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)
	PORTAL_TEST_DB=postgres $(VENV)/bin/pytest -m "postgres or postgres_too" $(PYTEST_ARGS)
	PORTAL_TEST_STACK=1 $(VENV)/bin/pytest -m stack $(PYTEST_ARGS) || test $$? -eq 5

# The production shape on this machine (docs/deploy.md): PostgreSQL, Redis, one daphne
# worker per core behind nginx (https://127.0.0.1:8080, or SERVE_PORT), the task worker,
# all under one supervisord; state, logs and secrets in var/serve/. Again: changes nothing.
export SERVE_DIR SERVE_PORT SERVE_WORKERS SERVE_HOSTS SERVE_DEMO SERVE_TLS_CERT SERVE_TLS_KEY
export SERVE_PG_PORT SERVE_REDIS_PORT SERVE_METRICS_PORT
serve: deps tailwind
	$(PY) -m deploy.stack up

# Stops exactly what `make serve` started (the data stays in var/serve/).
stop:
	$(PY) -m deploy.stack down

# The stack's database (pg_dump) and media files into var/serve/backups/<time>/.
backup:
	$(PY) -m deploy.stack backup

restore:
	@test -n "$(BACKUP)" || (echo "usage: make restore BACKUP=var/serve/backups/<time>"; exit 2)
	$(PY) -m deploy.stack restore "$(BACKUP)"

# nginx, supervisor, PostgreSQL, Redis and openssl from Debian, if missing.
stack-packages: deps
	$(PY) -m deploy.stack install

# The Hypothesis state machines and fuzzers with a fresh seed and many more examples; failing
# examples are kept in .hypothesis/ and replayed first next time (`make test` is derandomised).
test-explore: setup
	HYPOTHESIS_PROFILE=explore $(VENV)/bin/pytest -m hypothesis $(PYTEST_ARGS)

# Mutation testing of every app's rules.py and services (docs/testing.md), in a fresh copy of
# the tree in mutants/; about 16 1/2 minutes here (docs/testing.md), so not part of `make test`. Survivors after:
# `.venv/bin/mutmut results`, one of them: `.venv/bin/mutmut show <name>`.
mutation: deps
	rm -rf mutants
	$(PY) tests/mutmut_run.py run
	$(PY) tests/mutmut_run.py scores

setup: deps tailwind db bytecode

# The portal's own modules too, those git tracks (1.7 -> 1.5 s); a module edited since is
# compiled again in memory as usual, and this step rewrites only those. One that does not
# compile is named here and fails where it is imported.
bytecode: deps
	@git ls-files -z '*.py' | xargs -0 -r $(PY) -m compileall -q || echo "(left to compile on import: the modules above)"

# A bootstrap venv with uv in it; uv then installs exactly what uv.lock says (uv is in the lock).
$(UV):
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 13), f"need Python 3.13, got {sys.version}"'
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check "uv==$$(sed -n '/^name = "uv"$$/{n;s/version = "\(.*\)"/\1/p}' uv.lock)"

# Compiled to bytecode at install: with PYTHONDONTWRITEBYTECODE set (as on this machine) no
# process writes its .pyc files, and every one (each test server, worker, manage.py) compiled
# the libraries it imports from source again: 5.1 s to import the portal instead of 1.7 s.
$(VENV)/.synced: $(UV) uv.lock pyproject.toml Makefile
	$(UV) sync --frozen --compile-bytecode --python $(PY)
	@touch $@

deps: $(VENV)/.synced

$(NODE_DIR)/node_modules/.installed: $(NODE_DIR)/package.json $(NODE_DIR)/package-lock.json | deps
	$(MANAGE) tailwind install 2>&1 | grep -vE "$(NPM_NOISE)"; test -d $(NODE_DIR)/node_modules/tailwindcss
	@touch $@

tailwind: $(NODE_DIR)/node_modules/.installed
	$(MANAGE) tailwind build 2>&1 | grep -vE "$(NPM_NOISE)" || true
	@test -s theme/static/css/dist/styles.css || (echo "Tailwind build failed" && exit 1)

db: deps
	$(MANAGE) migrate --no-input -v0
	$(MANAGE) load_demo

# Debian's Chromium for the Playwright tests (Playwright cannot download its own browser here).
chromium:
	@test -x $(CHROMIUM) || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# PostgreSQL and Redis binaries for the tests that start real servers (Debian packages).
servers:
	@command -v pg_ctl >/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)
	@command -v redis-server >/dev/null || \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server)

# Style, then the layer contract in pyproject.toml (an import pointing up the layers fails).
lint: deps
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

format:
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# What production settings look like to Django's deployment checklist.
check-deploy: deps
	DEBUG=0 SECRET_KEY="$$(openssl rand -hex 40)" ALLOWED_HOSTS=meetup.example.org \
		EMAIL_HOST=smtp.example.org DATABASE_URL=sqlite:///var/deploy-check.sqlite3 \
		$(MANAGE) check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) $(NODE_DIR)/node_modules theme/static/css/dist var
