# The two commands a newcomer needs: `make run` and `make test`. Everything they need is set up here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000

.PHONY: run test bench lint format migrate demo services-check frontend-build frontend-build-e2e frontend-test api-types chromium clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3

# Runtime dependencies (make run) and dev dependencies (make test) install from pinned files.
$(VENV)/.runtime-installed: requirements.txt constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt -c constraints.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	$(BIN)/pip install --quiet -r requirements-dev.txt -c constraints.txt
	touch $@

# The browser app: npm installs exactly package-lock.json; the build lands in frontend/dist,
# which Django serves at /.
frontend/node_modules/.installed: frontend/package-lock.json
	@command -v npm >/dev/null || { echo "Node.js 20 and npm are needed for the browser app."; exit 1; }
	cd frontend && npm ci --no-audit --no-fund
	touch $@

frontend-build: frontend/node_modules/.installed
	cd frontend && npm run build

# The browser tests' build (frontend/dist-e2e): test handles on window, never in frontend/dist.
frontend-build-e2e: frontend/node_modules/.installed
	cd frontend && npm run build:e2e

frontend-test: frontend/node_modules/.installed frontend/tools/openapi-types/node_modules/.installed
	cd frontend && npm run typecheck && npm test

# The generator of frontend/src/lib/api-schema.ts (its own TypeScript 5, see its package.json);
# `make api-types` regenerates the file (and frontend/src/lib/realtime-protocol.ts from
# apps/realtime/protocol.py), tests/test_api_types.py fails when either is stale.
frontend/tools/openapi-types/node_modules/.installed: frontend/tools/openapi-types/package-lock.json
	cd frontend/tools/openapi-types && npm ci --no-audit --no-fund
	touch $@

api-types: $(VENV)/.dev-installed frontend/tools/openapi-types/node_modules/.installed
	$(BIN)/python scripts/api_types.py
	$(BIN)/python scripts/realtime_types.py

# Browser tests drive Debian's Chromium (a browser download is not possible here).
chromium:
	@test -x /usr/bin/chromium || apt-get install -y --no-install-recommends chromium \
	  || { echo "Install Debian's chromium (apt-get install -y chromium) for the browser tests."; exit 1; }

migrate: $(VENV)/.runtime-installed
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo_data

# Web (ASGI: HTTP + WebSockets), a Celery worker and celery beat, on the embedded default
# unless .env says otherwise. Ctrl-C stops all three.
run: demo frontend-build
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "Starting the platform on http://localhost:$(PORT) (Ctrl-C to stop)"
	PORT=$(PORT) $(BIN)/honcho --procfile Procfile start

services-check: $(VENV)/.dev-installed
	$(BIN)/python scripts/services_check.py

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.dev-installed
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint services-check frontend-test frontend-build frontend-build-e2e chromium
	$(BIN)/pytest -n 3 --dist loadscope --no-loadscope-reorder

bench: $(VENV)/.dev-installed services-check frontend-build-e2e chromium
	$(BIN)/python bench/run.py

clean:
	rm -rf var bench/results.json .pytest_cache
