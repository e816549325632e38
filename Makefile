# One place for every routine task; CI runs `make test` via .ci/run.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: review ui test test-fast check lint format typecheck bench clean

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

# the edit-test loop: the core, the CLI and the store; no crash loops, git clones, long
# fuzzing or full-screen UI (those run in `make test`)
FAST_TESTS := tests/test_layers.py tests/test_problem_kinds.py tests/test_dedupe.py \
	tests/test_collection.py tests/test_scheduling.py tests/test_analytics.py \
	tests/test_fastyaml.py tests/test_markdown_import.py tests/test_patch_index.py \
	tests/test_rebuild.py tests/test_quick_due.py tests/test_report_html.py \
	tests/test_anki_export.py tests/test_optimize.py tests/test_cli.py tests/test_tui_text.py \
	tests/test_transfer_cli.py tests/test_write_through.py

test-fast: $(STAMP)  ## under a minute: what to run after each edit
	PEARLDECK_FUZZ_EXAMPLES=25 $(BIN)/pytest -q -x -m "not slow" $(FAST_TESTS)

check: $(STAMP) lint typecheck test  ## everything CI should hold: format, lint, types, tests

lint: $(STAMP)
	$(BIN)/ruff format --check src tests bench
	$(BIN)/ruff check src tests bench
	$(BIN)/pytest -q -p no:cacheprovider tests/test_layers.py  # the layer contract

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

# every test is checked by mypy --strict too, as the source is
TYPED_TESTS := $(wildcard tests/*.py tests/reliability/*.py)

typecheck: $(STAMP)
	$(BIN)/mypy src
	MYPYPATH=src:. $(BIN)/mypy --explicit-package-bases $(TYPED_TESTS)

bench: $(STAMP)  ## measure every performance target against its baseline
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
