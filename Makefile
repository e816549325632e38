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
	tests/test_transfer_cli.py tests/test_write_through.py tests/test_note_cache.py \
	tests/test_parse_appended.py tests/test_plainscan.py tests/test_random_ids.py

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

# the tests mypy --strict checks too: every one (a new test file goes in here)
TYPED_TESTS := tests/anki_decks.py tests/anki_replay.py tests/budget.py tests/conftest.py \
	tests/media_fixtures.py tests/test_analytics.py tests/test_anki_export.py \
	tests/test_anki_import.py tests/test_anki_parity.py tests/test_anki_roundtrip.py tests/test_anki_skeleton.py \
	tests/test_atomicfile.py tests/test_bench_smoke.py tests/test_cli.py tests/test_clock_skew.py \
	tests/test_collection.py tests/test_countdown.py tests/test_dedupe.py \
	tests/test_device_name.py tests/test_fastyaml.py tests/test_git_merge_driver.py \
	tests/test_images_cli.py tests/test_images_export.py tests/test_index_property.py \
	tests/test_layers.py tests/test_lint.py tests/test_markdown_import.py \
	tests/test_markdown_obsidian.py tests/test_markdown_sync.py tests/test_markup.py tests/test_new_card_order.py tests/test_note_cache.py \
	tests/test_optimize.py tests/test_parse_appended.py tests/test_patch_index.py tests/test_pearl_rules.py tests/test_plainscan.py \
	tests/test_problem_kinds.py tests/test_quick_due.py tests/test_random_ids.py tests/test_readme_examples.py \
	tests/test_rebuild.py tests/test_reliability_concurrency.py tests/test_reliability_crash.py \
	tests/test_reliability_editor_race.py tests/test_reliability_faults.py \
	tests/test_reliability_fuzz.py tests/test_reliability_hostile.py \
	tests/test_reliability_hostile_export.py tests/test_reliability_merge.py \
	tests/test_reliability_time.py tests/test_reliability_wal_full.py \
	tests/test_reliability_yamltraps.py tests/test_report_html.py tests/test_rule_change.py \
	tests/test_scheduling.py tests/test_starter.py tests/test_study_records.py tests/test_sync.py \
	tests/test_transfer_cli.py tests/test_tui_add_browse.py tests/test_tui_block.py \
	tests/test_tui_browse_filters.py tests/test_tui_capture.py tests/test_tui_errors.py \
	tests/test_tui_firstrun.py tests/test_tui_home_goals.py tests/test_tui_images.py \
	tests/test_tui_loading.py tests/test_tui_log_exam.py tests/test_tui_report.py \
	tests/test_tui_review.py tests/test_tui_snapshots.py tests/test_tui_text.py \
	tests/test_tui_tmux.py tests/test_write_through.py tests/tui_helpers.py \
	tests/reliability/__init__.py tests/reliability/common.py tests/reliability/crash_child.py \
	tests/reliability/diskfull_child.py tests/reliability/faults.py \
	tests/reliability/rate_child.py tests/reliability/run_commands.py \
	tests/reliability/walfull_child.py

typecheck: $(STAMP)
	$(BIN)/mypy src
	MYPYPATH=src:. $(BIN)/mypy --explicit-package-bases $(TYPED_TESTS)

bench: $(STAMP)  ## measure every performance target against its baseline
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
