# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
GOVUK := api/static/govuk/govuk-frontend.min.css
PYTEST_ARGS ?= -n auto

.PHONY: run test install assets chromium lint format bench migrate demo screens clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# GOV.UK Frontend from npm; without Node the pages are served unstyled (with a warning).
assets: $(GOVUK)
$(GOVUK): frontend/package.json frontend/package-lock.json frontend/build.mjs
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix frontend --ignore-scripts --no-audit --no-fund --loglevel=error && npm run --prefix frontend --silent build; \
	else \
		echo "WARNING: npm not found: GOV.UK Frontend is not built and pages will be unstyled." >&2; \
	fi

# Debian's chromium for the browser tests (Playwright never downloads a browser here).
chromium:
	@if ! command -v chromium >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "Installing Debian's chromium for the browser tests"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else \
			echo "WARNING: chromium missing and cannot be installed here (needs root and apt-get)." >&2; \
		fi; \
	fi

migrate: install
	$(BIN)/workforce db upgrade

demo: migrate
	$(BIN)/workforce demo

run: install assets demo
	@echo "Starting the scheduler and the API on http://$${WORKFORCE_HOST:-127.0.0.1}:$${WORKFORCE_PORT:-8000} (Ctrl-C stops both)"
	@$(BIN)/workforce scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null; wait $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/workforce serve

test: install assets chromium
	$(BIN)/pytest $(PYTEST_ARGS)

# Screens of each user's journey at 1280 and 390 px, for review, into var/screens/.
screens: install assets chromium
	$(BIN)/python -m tests.browser.screens var/screens

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: install
	@for script in bench/bench_*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) var frontend/node_modules api/static/govuk .pytest_cache .mypy_cache .ruff_cache
