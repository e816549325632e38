# One place for every routine task; CI runs `make test` via .ci/run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: review ui test check lint format typecheck bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)
	@echo "pearls is installed as $(CURDIR)/$(BIN)/pearls; to type just 'pearls': . $(BIN)/activate"

review: $(STAMP)  ## open today's review on the starter collection
	$(BIN)/pearls --dir pearls review

ui: $(STAMP)
	$(BIN)/pearls --dir pearls ui

test: $(STAMP)  ## set up from nothing and run the whole test suite
	$(BIN)/pytest -q

check: $(STAMP) lint typecheck test  ## everything CI should hold: format, lint, types, tests

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

typecheck: $(STAMP)
	$(BIN)/mypy src

bench: $(STAMP)  ## measure every performance target against its baseline
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
