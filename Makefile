# RENUM: `make run` serves the app with a worker on embedded defaults; `make test` runs everything.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export RENUM_HOST ?= 127.0.0.1
export RENUM_PORT ?= 8000
export RENUM_DATA_DIR ?= ./var

.PHONY: run install test lint typecheck unit browser bench catalogs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	RENUM_WORKER_IN_PROCESS=true $(BIN)/renum run --host $(RENUM_HOST) --port $(RENUM_PORT)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: $(STAMP)
	$(BIN)/pytest -n 2

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python -m bench.media

catalogs: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -o renum/locale/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i renum/locale/messages.pot -d renum/locale -D messages --no-fuzzy-matching --ignore-obsolete --width 120

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
