# The two set-up commands are `make run` and `make test` (see README.md).
VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
export DAGSTER_HOME ?= $(CURDIR)/.dagster

.PHONY: install run lint test test-fast dev stack sample bench clean

$(BIN)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[test]'
	touch $@

install: $(BIN)/.installed

# Set up and run the whole pipeline on the bundled sample with embedded storage.
run: install
	mkdir -p "$(DAGSTER_HOME)"
	$(BIN)/jippnas submit data/sample/submissions/*.json
	cd $(CURDIR) && $(BIN)/dagster asset materialize -m jippnas_orchestration.definitions --select '*'
	@$(BIN)/jippnas status

# ruff: lint and formatting (`ruff format .` fixes the latter)
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Test tiers (README, "Test tiers"). `make test` is the whole suite (what CI runs) on TEST_WORKERS
# pytest-xdist workers (default 4 on 2 cores: the drills spend much of their time waiting on
# processes, sensors and PostgreSQL; the workers share one PostgreSQL server and the sample
# baselines; tests sharing a module-scoped fixture stay on one worker: tests/conftest.py;
# TEST_WORKERS=0: one process). `make test-fast` runs on PYTEST_WORKERS workers.
TEST_WORKERS ?= 4
PYTEST_WORKERS ?= 2
xdist = $(if $(filter-out 0,$(1)),-n $(1) --dist loadgroup,)
PYTEST_ARGS ?=
# `make test-fast`: no PostgreSQL, Chromium, Dagster service or CLI process, nor the pipeline drills
# marked slow (markers: pyproject.toml; set in tests/conftest.py); needs no system package.
FAST_TIER := not (postgres or browser or daemon or subprocess or slow)

# Everything the tests need (PostgreSQL is started by the test harness itself).
test: install
	$(BIN)/ruff check .
	bash scripts/ensure_system_packages.sh
	$(BIN)/python -m pytest -q -rs $(call xdist,$(TEST_WORKERS)) $(PYTEST_ARGS) tests

test-fast: install
	$(BIN)/python -m pytest -q -rs $(call xdist,$(PYTEST_WORKERS)) -m "$(FAST_TIER)" $(PYTEST_ARGS) tests

dev: install
	mkdir -p "$(DAGSTER_HOME)"
	$(BIN)/dagster dev -w workspace.yaml

# The production topology as processes: PostgreSQL, gRPC code server, webserver, daemon (run queue),
# static server for the outputs (deploy/stack/). Without DAGSTER_PG_* and JIPPNAS_WAREHOUSE_URL set,
# a throwaway PostgreSQL is started. Ctrl-C stops everything.
stack: install
	$(BIN)/python -m jippnas_orchestration.testing.stack

sample: install
	$(BIN)/jippnas generate data/sample --seed 2024

bench: install
	# the scaled set, the step benchmarks (~15 min), the whole pipeline at scale 45 and 300 (over an hour), docs/benchmarks.md
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf .jippnas output .dagster/storage .dagster/history .dagster/schedules .dagster/logs
