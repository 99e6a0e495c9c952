# Two commands on a fresh machine: `make run` and `make test`. Everything else is set up by them.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal.app:create_app
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=

.PHONY: run test assets db system-deps bench clean

run: $(VENV)/.installed assets db
	$(BIN)/python -m portal.run

test: $(VENV)/.installed-test assets system-deps
	@if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2).close()" 2>/dev/null; then \
	  export TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(PG_URL)}"; echo "PostgreSQL answers: database tests run on SQLite and PostgreSQL"; \
	else echo "PostgreSQL is not answering on 127.0.0.1:5432: PostgreSQL tests will skip (and fail in CI)"; fi; \
	$(BIN)/python -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure, not a pass"; exit 1; fi; \
	exit $$status

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

assets: govuk_templates/static/manifest.json

govuk_templates/static/manifest.json: node_modules/.package-lock.json govuk_templates/assets.py $(wildcard govuk_templates/static_src/*) | $(VENV)/.installed
	$(BIN)/python -m govuk_templates.assets

db: $(VENV)/.installed
	SCANNER_WARNING=false $(FLASK) db upgrade  # a migration scans nothing; `make run` says it once

# Debian's chromium (browser tests), clamav-daemon (virus scan tests) and nginx (the HTTPS tier's TLS proxy):
# installed when missing and run as root.
system-deps:
	@missing=""; \
	command -v chromium >/dev/null || [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/sbin/clamd ] || missing="$$missing clamav-daemon"; \
	[ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian packages:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	  else \
	    echo "The tests need these Debian packages:$$missing. Install them with: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) node_modules govuk_templates/static
