# Téléservices — the README's commands. `make demo` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PLUGINS := $(sort $(wildcard plugins/*/pyproject.toml))
DSFR := platform/teleservices/static/dsfr/dsfr.min.css
TRANSLATIONS := platform/teleservices/translations
MO := $(TRANSLATIONS)/en/LC_MESSAGES/messages.mo
export TELESERVICES_TENANTS_DIR ?= $(CURDIR)/tenants

.PHONY: setup demo test lint format bench services system-deps clean translations

setup: $(STAMP) $(DSFR) $(MO)

$(MO): $(TRANSLATIONS)/en/LC_MESSAGES/messages.po $(STAMP)
	$(BIN)/pybabel compile -d $(TRANSLATIONS) --statistics 2>&1 | tail -n1

# Re-extract the messages to translate and merge them into the catalogues.
translations: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --ignore-dirs=".venv node_modules instance" \
		-o $(TRANSLATIONS)/messages.pot .
	$(BIN)/pybabel update -i $(TRANSLATIONS)/messages.pot -d $(TRANSLATIONS) --no-fuzzy-matching

$(STAMP): pyproject.toml $(PLUGINS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]' $(foreach p,$(PLUGINS),-e $(dir $(p)))
	touch $@

$(DSFR): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	rm -rf platform/teleservices/static/dsfr
	cp -r node_modules/@gouvfr/dsfr/dist platform/teleservices/static/dsfr
	touch $@

system-deps:
	@sh scripts/system-deps.sh

services: system-deps
	@sh scripts/services.sh

demo: setup system-deps
	$(BIN)/teleservices db upgrade
	$(BIN)/teleservices demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python scripts/check_plugin_boundary.py

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: setup services lint
	$(BIN)/python -m pytest -q

bench: setup services
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) node_modules instance platform/teleservices/static/dsfr
