# Inventory allocation warehouse: every command sets up .venv itself on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export DUCKDB_PATH ?= $(CURDIR)/warehouse/warehouse.duckdb
export DAGSTER_HOME ?= $(CURDIR)/.dagster_home
export DATASET ?= demo
export FRN_PATH ?= $(abspath $(CURDIR)/../shared/data/freshretailnet50k/train.parquet)
export DBT_PROFILES_DIR := $(CURDIR)/dbt_project
# numpy asks the kernel for huge pages for every large array; on the 2-core machine the project
# is measured on, getting them cost more than they saved (benchmarks/RESULTS.md, "Four savings
# on the fast hour"). NUMPY_MADVISE_HUGEPAGE=1 asks for them again.
export NUMPY_MADVISE_HUGEPAGE ?= 0
DBT := cd dbt_project && ../$(BIN)/dbt

.PHONY: run test lint ui docs query bench manifest clean

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON) on PATH (or make PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $@

$(DAGSTER_HOME)/dagster.yaml: dagster_defs/instance.yaml  # run history; one run at a time
	mkdir -p $(@D) && cp $< $@

# dbt's manifest, the graph Dagster reads: parsed again only when a file dbt parses changed (the
# folders are listed too: a file removed changes its folder's time)
MANIFEST := dbt_project/target/manifest.json
DBT_FILES := dbt_project/dbt_project.yml dbt_project/profiles.yml \
	$(shell find dbt_project/models dbt_project/macros dbt_project/tests seeds)

manifest: $(MANIFEST)

$(MANIFEST): $(STAMP) $(DBT_FILES)
	$(DBT) parse --quiet
	touch $@

run: manifest $(DAGSTER_HOME)/dagster.yaml  ## build the demo (or DATASET=freshretailnet) warehouse end to end
	$(BIN)/python -m dagster_defs

test: manifest  ## the whole test suite
	$(BIN)/python -m pytest

lint: manifest  ## ruff (Python), sqlfluff (dbt SQL) and the one YAML style (dbt yml, seeds)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/sqlfluff lint dbt_project/models dbt_project/tests
	$(BIN)/python dbt_project/scripts/format_yaml.py --check

ui: manifest $(DAGSTER_HOME)/dagster.yaml  ## Dagster UI on 127.0.0.1:3000
	$(BIN)/dagster dev -h 127.0.0.1 -p 3000 -m dagster_defs

docs: manifest  ## dbt docs: generate the catalog, then serve it on 127.0.0.1:8080
	$(DBT) docs generate
	$(DBT) docs serve --host 127.0.0.1 --port 8080 --no-browser

query: $(STAMP)  ## one SQL query on the warehouse, read-only: make query SQL="select ..."
	@$(BIN)/python -m python_assets.query "$$SQL"

bench: manifest $(DAGSTER_HOME)/dagster.yaml  ## benchmarks (wall time, peak memory per stage)
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf warehouse .dagster_home dbt_project/target dbt_project/logs
