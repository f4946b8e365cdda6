# Bottega: make run · make test · make bench · make lint
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wiki
HOST ?= 127.0.0.1
PORT ?= 5000
PYTHON ?= python3

.PHONY: run test bench lint format migrate clean messages

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[postgres]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[postgres,test]'
	touch $@ $(VENV)/.run-installed

run: $(VENV)/.run-installed
	$(FLASK) db upgrade
	@if [ "$${WIKI_DEMO:-1}" != "0" ]; then $(FLASK) load-demo --if-empty; fi
	$(FLASK) run --host $(HOST) --port $(PORT)

test: $(VENV)/.test-installed
	$(PY) -m pytest $(PYTEST_ARGS)

bench: $(VENV)/.test-installed
	$(PY) -m benchmarks

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.test-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrate: $(VENV)/.run-installed
	$(FLASK) db upgrade

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Collect every translatable string into messages.pot (N_ marks messages raised in services).
messages: $(VENV)/.run-installed
	$(VENV)/bin/pybabel extract -F babel.cfg -k N_ -k _ -k gettext -k ngettext:1,2 -o messages.pot .
