# Soirée: `make run` serves the demo on SQLite, `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST_PORT ?= 127.0.0.1:8000
# The demo runs with DEBUG on, tasks executed immediately and e-mails printed to the console.
DEMO_ENV := DEBUG=1 TASKS_BACKEND=immediate EMAIL_URL=console://

.PHONY: run install migrate seed test lint check-migrations check-schema pytest pytest-postgres typecheck worker clean screenshots bench

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# axe-core for the accessibility browser test, at the exact version of package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

install: $(STAMP)
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory node_modules/.package-lock.json; \
	else echo "npm is missing: the accessibility browser test will fail until \`npm ci\` has run."; fi

run: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py seed_demo
	@echo "Portal:   http://$(HOST_PORT)/"
	@echo "Admin:    http://$(HOST_PORT)/admin/"
	@echo "API docs: http://$(HOST_PORT)/api/v1/docs/"
	$(DEMO_ENV) $(BIN)/python manage.py runserver $(HOST_PORT)

worker: install
	$(BIN)/python manage.py db_worker

# Every check (lint includes the import contract of pyproject.toml); the PostgreSQL pass runs when TEST_POSTGRES_URL points at a server where the role may create databases.
# The SQLite and PostgreSQL passes share nothing (own databases, own Redis database, temporary media), so
# they run side by side, each printing its report when it ends.
test: install lint typecheck check-migrations check-schema
	$(MAKE) --no-print-directory -j2 --output-sync=target pytest pytest-postgres

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

# The type checker loads the settings, which refuse to start without SECRET_KEY unless DEBUG is on.
typecheck: install
	DEBUG=1 $(BIN)/mypy

check-migrations: install
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

check-schema: install
	DEBUG=1 $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null

pytest: install
	$(BIN)/pytest -q

pytest-postgres: install
	@if [ -n "$$TEST_POSTGRES_URL" ]; then \
		echo "== the whole suite again on PostgreSQL =="; \
		DATABASE_URL="$$TEST_POSTGRES_URL" \
		TEST_REDIS_URL="$${TEST_REDIS_URL:+$${TEST_REDIS_URL%/*}/14}" $(BIN)/pytest -q; \
	else \
		echo "TEST_POSTGRES_URL is not set: skipping the PostgreSQL pass (concurrency tests need it)."; \
	fi

# The README's screenshots: the demo data at 360 px in French, written to docs/screenshots/.
screenshots: install
	$(BIN)/python docs/screenshots.py

# Every figure of SPEC §12 on PostgreSQL (DATABASE_URL, a database of its own: see README's
# Performance), then README's table written from that run's output (`bench/readme.py`).
bench: install
	bench/run
	$(BIN)/python bench/readme.py "$$(ls -t bench/results/*.jsonl | head -n 1)"

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .test-media node_modules
