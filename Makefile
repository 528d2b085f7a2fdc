# The two commands the README starts with: `make demo` and `make test`.
# Both set everything up first, on a fresh machine included.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system-packages demo test lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

# Chromium for the browser tests comes from the system's packages, never from a
# download by the test tool itself.
system-packages:
	bash scripts/system-packages.sh

demo: setup
	$(BIN)/youthbridge demo

# The suite runs twice, in time zones fourteen hours ahead of and ten hours behind
# UTC, so that no date can move with the zone of the process. The second run uses
# PostgreSQL when YOUTHBRIDGE_TEST_DATABASE_URL names a server.
test: setup system-packages
	TZ=Pacific/Kiritimati YOUTHBRIDGE_TEST_DATABASE_URL= $(BIN)/pytest -q -n 2
	TZ=America/Adak $(BIN)/pytest -q -n 2

lint: setup
	$(BIN)/ruff check src tests $(wildcard bench)
	$(BIN)/ruff format --check src tests $(wildcard bench)
	$(BIN)/mypy

bench: setup
	$(BIN)/python bench/ingest_bench.py

clean:
	rm -rf $(VENV) youthbridge-data test-artifacts
