# Two commands on a fresh machine: `make run` and `make test`. Everything else is set up by them; `make help` lists the rest.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal.app:create_app
PG_URL ?= postgresql://postgres@127.0.0.1:5432/test
PYTEST_ARGS ?=
# The tests run in parallel, one worker per core (at most 4), each test file whole on one worker (tests/conftest.py
# groups them); `make test-unit WORKERS=` runs them in this process, one at a time. The HTTPS tier runs on its own
# afterwards, in one process: among other tests on a worker its journeys' emails went missing (issue 16 note).
WORKERS ?= auto --maxprocesses 4
XDIST = $(if $(strip $(WORKERS)),-n $(WORKERS) --dist loadgroup,)
LINTED := portal capture secure_share disclosure_log govuk_templates accessibility tests
PYBABEL := $(BIN)/pybabel
# One catalogue per part of the portal (README "Welsh"): its folder, then the packages its English comes from.
# A part's init_app adds its folder to the app's (portal.i18n.add_translations); tests/unit/test_translations.py
# reads this line, so a new part's catalogue is checked as soon as it is listed here.
CATALOGUES := portal/translations=portal+govuk_templates+accessibility secure_share/translations=secure_share capture/translations=capture disclosure_log/translations=disclosure_log
CATALOGUE_DIRS := $(foreach c,$(CATALOGUES),$(firstword $(subst =, ,$(c))))
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(addsuffix /*/LC_MESSAGES/messages.po,$(CATALOGUE_DIRS))))

.PHONY: help run test test-unit test-integration test-browser test-https lint assets db system-deps clean \
	translations translations-compile translations-review
.DEFAULT_GOAL := help

# With PostgreSQL answering on 127.0.0.1:5432 the database tests run on it as well as on SQLite. pytest's
# exit 5 (no tests collected) is a failure, never a pass.
define pytest
@if $(BIN)/python -c "import socket; socket.create_connection(('127.0.0.1', 5432), 2).close()" 2>/dev/null; then \
  export TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(PG_URL)}"; echo "PostgreSQL answers: database tests run on SQLite and PostgreSQL"; \
else echo "PostgreSQL is not answering on 127.0.0.1:5432: PostgreSQL tests will skip (and fail in CI)"; fi; \
$(BIN)/python -m pytest $(if $(2),,$(XDIST)) $(1) $(PYTEST_ARGS); status=$$?; \
if [ $$status -eq 5 ]; then echo "pytest collected no tests: that is a failure, not a pass"; exit 1; fi; \
exit $$status
endef

help: ## this list
	@awk -F':.*## ' '/^[a-z-]+:.*## / {printf "  make %-17s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

run: $(VENV)/.installed assets translations-compile db ## the portal at http://127.0.0.1:5000, its worker and a reference case system
	$(BIN)/python -m portal.run

test: lint $(VENV)/.installed-test assets translations-compile system-deps ## lint, then every tier below (what CI runs)
	$(call pytest,--ignore=tests/https)
	$(call pytest,tests/https,serial)

test-unit: $(VENV)/.installed-test assets translations-compile ## tests/unit: fakes and SQLite (PostgreSQL too if it answers); no system packages
	$(call pytest,tests/unit)

test-integration: $(VENV)/.installed-test assets translations-compile system-deps ## tests/integration: real clamd, SMTP, PostgreSQL, S3 API
	$(call pytest,tests/integration)

test-browser: $(VENV)/.installed-test assets translations-compile system-deps ## tests/browser: Playwright and axe in Debian's Chromium
	$(call pytest,tests/browser)

test-https: $(VENV)/.installed-test assets translations-compile system-deps ## tests/https: nginx, gunicorn, PostgreSQL, Redis, S3, clamd over https://
	$(call pytest,tests/https,serial)

lint: $(VENV)/.installed-test ## ruff, import-linter's layer contracts, mypy on the ports and fakes
	$(BIN)/ruff check $(LINTED)
	$(BIN)/lint-imports
	$(BIN)/mypy portal/adapters/ports.py tests/fakes.py

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

assets: govuk_templates/static/manifest.json ## build the pinned GOV.UK Frontend assets into govuk_templates/static

govuk_templates/static/manifest.json: node_modules/.package-lock.json govuk_templates/assets.py $(wildcard govuk_templates/static_src/*) | $(VENV)/.installed
	$(BIN)/python -m govuk_templates.assets

# Translations. The .po files are the catalogues (committed); the .mo files they compile to are not (.gitignore):
# run, test and the test-* targets compile whichever is out of date. The templates (.pot) keep no creation date,
# so extracting unchanged English changes no file.
translations: $(VENV)/.installed ## extract the English of every catalogue, add it to its English and Welsh .po files, compile them
	@for entry in $(CATALOGUES); do \
	  folder=$${entry%%=*}; sources=$${entry#*=}; \
	  $(PYBABEL) --quiet extract -F babel.cfg --add-comments=Translators: --add-location=file --sort-output \
	    --no-wrap --project="Public services portal" -o $$folder/messages.pot $${sources//+/ } || exit 1; \
	  sed -i '/^"POT-Creation-Date: /d' $$folder/messages.pot; \
	  for language in en cy; do \
	    if [ -f $$folder/$$language/LC_MESSAGES/messages.po ]; then \
	      $(PYBABEL) --quiet update --no-wrap --ignore-pot-creation-date -i $$folder/messages.pot -d $$folder -l $$language || exit 1; \
	    else $(PYBABEL) --quiet init --no-wrap -i $$folder/messages.pot -d $$folder -l $$language || exit 1; fi; \
	  done; \
	done
	@$(MAKE) --no-print-directory translations-compile

translations-compile: $(MO_FILES)

%/LC_MESSAGES/messages.mo: %/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(PYBABEL) --quiet compile -i $< -o $@

translations-review: $(VENV)/.installed ## list the Welsh still to be checked by a fluent speaker, to send to one (README "Welsh")
	@$(BIN)/python -m portal.catalogues review $(CATALOGUE_DIRS) capture/forms

db: $(VENV)/.installed ## create or migrate the database (SQLite in var/ unless DATABASE_URL)
	SCANNER_WARNING=false $(FLASK) db upgrade  # a migration scans nothing; `make run` says it once

# Debian's chromium (browser tests), clamav-daemon (virus scan tests) and nginx (the HTTPS tier's TLS proxy):
# installed when missing and run as root.
system-deps: ## install Debian's chromium, clamav-daemon and nginx when missing (as root)
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

clean: ## remove .venv, node_modules and the built assets
	rm -rf $(VENV) node_modules govuk_templates/static
