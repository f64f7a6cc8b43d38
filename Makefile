# Office Manager Academy. `make run` serves the course, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
PYTEST_ARGS ?=

.PHONY: run test lint format check clean security venv bench

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

run: venv
	$(BIN)/flask --app app lms check
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app lms refresh-summaries
	$(BIN)/flask --app app lms bootstrap
	@# The LTI grade worker runs beside the server and stops with it (Ctrl-C ends both).
	$(BIN)/flask --app app lms lti deliver --loop & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask --app app run --host 127.0.0.1 --port $(PORT)

# The suite on SQLite (browser tests included when Chromium is installed), then on PostgreSQL
# when TEST_DATABASE_URL names a server (the browser tests run their own SQLite server: not twice).
test: venv
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the same suite on PostgreSQL ($$TEST_DATABASE_URL)"; \
		LMS_TEST_DB=postgres $(BIN)/python -m pytest --ignore=tests/browser $(PYTEST_ARGS); \
	else \
		echo "== PostgreSQL run skipped: TEST_DATABASE_URL is not set (see README, 'Tests')."; \
	fi

# SQL injection scan: sqlmap (installed with apt-get if missing) against a throwaway local server.
security: venv
	bash scripts/security_scan.sh

# Benchmarks against the bare-Flask limit (bench/README.md). BENCH_ARGS=--quick for a 1-minute run.
BENCH_ARGS ?=

bench: venv
	$(BIN)/python bench/run.py $(BENCH_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: venv
	$(BIN)/flask --app app lms check

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
