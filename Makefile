# Two commands do all set-up on a fresh machine: `make demo` (full weekly refresh) and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export LIVINGREVIEW_DATA_DIR ?= $(CURDIR)/data
export AIRFLOW__COSMOS__ENABLE_TELEMETRY := False
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DO_NOT_TRACK := 1

.PHONY: setup test lint demo build lock clean

setup: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

lock:  ## re-resolve requirements.in into requirements.lock (needs the registry)
	rm -rf /tmp/lr-lock-venv && $(PYTHON) -m venv /tmp/lr-lock-venv
	/tmp/lr-lock-venv/bin/pip install --quiet -r requirements.in
	/tmp/lr-lock-venv/bin/pip freeze --exclude-editable > requirements.lock

test: setup lint
	$(BIN)/pytest -q

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf data logs dbt_project/target dbt_project/logs
