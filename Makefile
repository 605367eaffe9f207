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

.PHONY: setup test lint lint-sql demo build lock clean bench eval-screening

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

# A full weekly refresh through Airflow (`airflow dags test`, SQLite in .airflow/) against the local
# API simulator, then the release DAG; prints where the marts, Data Docs and release are.
demo: setup
	$(BIN)/python -m livingreview.demo

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# sqlfluff with the dbt templater compiles every model, and the screening models read their seeds
# while compiling: lint against a scratch warehouse holding just the seeds, then drop it.
lint-sql: setup
	scratch=$$(mktemp -d) && mkdir -p $$scratch/warehouse && cd dbt_project && \
	LIVINGREVIEW_DATA_DIR=$$scratch ../$(BIN)/dbt seed --quiet --profiles-dir . \
		--target-path $$scratch/target --log-path $$scratch/logs && \
	LIVINGREVIEW_DATA_DIR=$$scratch ../$(BIN)/sqlfluff lint models --processes 2; \
	status=$$?; rm -rf $$scratch; exit $$status

# Performance figures (benchmarks/run.py): a table, then one JSON line. ONLY=backfill,incremental runs
# some measures; QUICK=1 is a small-scale smoke run. Generated data goes under $(LIVINGREVIEW_DATA_DIR)/bench.
bench: setup
	$(BIN)/python -m benchmarks.run $(if $(ONLY),--only $(ONLY)) $(if $(QUICK),--quick)

# Rule screening against the labelled sample (review/labels/screening_labels.csv; text read in place
# from the shared arXiv listings): confusion matrices, recall/precision/F1/specificity, WSS@95 and tag
# agreement for train, heldout and all. ERRORS=1 also lists each disagreement.
# Then the ML model and the combined rule+model screener on the held-out split (livingreview/model_eval.py;
# the model trains on the train split only) with the issue-5 acceptance verdict. For the text model's
# learning curve over the labelled rounds: .venv/bin/python -m livingreview.model_eval --learning-curve
eval-screening: setup
	$(BIN)/python -m livingreview.screening_eval $(if $(ERRORS),--errors)
	$(BIN)/python -m livingreview.model_eval

clean:
	rm -rf data logs dbt_project/target dbt_project/logs
