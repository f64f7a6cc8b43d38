# Office Manager Academy. `make run` serves the course, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
PYTEST_ARGS ?=
# Worker processes for the tests that can run in parallel (pytest-xdist); 0 runs them in-process.
TEST_WORKERS ?= auto
# Worker processes for the browser tests (each its own live server, database and Chromium); 0 runs them
# in-process. 0 by default: a second Chromium cost ~50 CPU-s more, and make test took 18-20 % longer.
BROWSER_WORKERS ?= 0
PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check
# What serving needs, and the test and lint tools on top: two markers, so `make run` skips the latter.
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev

.PHONY: run test lint format check clean security venv bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUNTIME): requirements.txt | $(BIN)/python
	$(PIP) -r requirements.txt
	touch $@

$(DEV): requirements-dev.txt $(RUNTIME)
	$(PIP) -r requirements-dev.txt
	touch $@

venv: $(DEV)

run: $(RUNTIME)
	$(BIN)/flask --app app lms check
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app lms refresh-summaries
	$(BIN)/flask --app app lms bootstrap
	@# The LTI grade worker and the mail worker run beside the server and stop with it (Ctrl-C ends all).
	$(BIN)/flask --app app lms lti deliver --loop & grades=$$!; \
	$(BIN)/flask --app app lms mail deliver --loop & mails=$$!; \
	trap 'kill $$grades $$mails 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask --app app run --host 127.0.0.1 --port $(PORT)

# The suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL names a server (with the rate
# limits kept in Redis when TEST_REDIS_URL names one). On SQLite the runs share the machine: the
# domain, web and tool tests on TEST_WORKERS processes (pytest-xdist), beside them the browser tests
# (a live server and Chromium, in one process unless BROWSER_WORKERS says more) and the concurrency
# tests (their own threads and locks, in one process), then the domain's timing check; the last three
# with their output in test-artifacts/. Run after the parallel tests, the concurrency tests left a core
# idle for 20 s (they wait out their rendezvous windows); their time limits are many times what they need.
TIMED := test_generation_is_fast
# Without the Playwright plugin, which only the browser tests use (its import is a quarter second per process).
PARALLEL_TESTS := tests --ignore=tests/concurrency --ignore=tests/browser -n $(TEST_WORKERS) -k "not $(TIMED)" -p no:playwright
CONCURRENCY_TESTS := tests/concurrency -p no:xdist -p no:playwright
# Named, not found by -k in all of tests/domain: collecting the rest only to deselect it took seconds.
TIMED_TESTS := tests/domain/test_simulation.py::$(TIMED) -p no:xdist -p no:playwright
BROWSER_LOG := test-artifacts/browser-tests.log
CONCURRENCY_LOG := test-artifacts/concurrency-tests.log
TIMED_LOG := test-artifacts/timing-check.log
# The browser tests are the longest chain (one process, waiting on Chromium between its turns): the
# parallel tests run at a lower priority, taking the CPU the others leave, so they do not stretch it.
# The timing check starts when the browser and concurrency tests are done: it then shares the
# machine only with the lower-priority parallel tests, if they still run, and has a core to itself.
PARALLEL_NICE ?= 10
# pytest's status 5 (no test selected) passes for the concurrency tests and the timing check: as one
# run they always had a test left by a PYTEST_ARGS="-k ..." (the README's "-k quiz" keeps none of the latter).
# Python's bytecode caches on, where the environment turned them off: every pytest process (workers,
# the tests' own subprocesses) otherwise compiled lms/ and rewrote the asserts of every test module
# again, ~3.5 CPU-s each. The caches are __pycache__ folders beside the sources (ignored by git).
test: export PYTHONDONTWRITEBYTECODE :=

test: $(DEV)
	@mkdir -p $(dir $(BROWSER_LOG))
	@( $(BIN)/python -m pytest $(CONCURRENCY_TESTS) $(PYTEST_ARGS) > $(CONCURRENCY_LOG) 2>&1 & concurrency=$$!; \
	  $(BIN)/python -m pytest tests/browser -n $(BROWSER_WORKERS) $(PYTEST_ARGS) > $(BROWSER_LOG) 2>&1; browser=$$?; \
	  wait $$concurrency; concurrency=$$?; \
	  $(BIN)/python -m pytest $(TIMED_TESTS) $(PYTEST_ARGS) > $(TIMED_LOG) 2>&1; timed=$$?; \
	  [ $$browser -eq 0 ] && [ $$concurrency -eq 0 -o $$concurrency -eq 5 ] && [ $$timed -eq 0 -o $$timed -eq 5 ] ) & beside=$$!; \
	nice -n $(PARALLEL_NICE) $(BIN)/python -m pytest $(PARALLEL_TESTS) $(PYTEST_ARGS); parallel=$$?; \
	wait $$beside; beside=$$?; \
	echo "== concurrency tests"; cat $(CONCURRENCY_LOG); \
	echo "== browser tests"; cat $(BROWSER_LOG); \
	echo "== timing check"; cat $(TIMED_LOG); \
	[ $$parallel -eq 0 ] && [ $$beside -eq 0 ]
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== the same suite on PostgreSQL ($$TEST_DATABASE_URL)$${TEST_REDIS_URL:+, rate limits in $$TEST_REDIS_URL}"; \
		export LMS_TEST_DB=postgres $${TEST_REDIS_URL:+RATELIMIT_STORAGE_URI=$$TEST_REDIS_URL}; \
		$(BIN)/python -m pytest $(PARALLEL_TESTS) $(PYTEST_ARGS) && \
		$(BIN)/python -m pytest $(CONCURRENCY_TESTS) $(PYTEST_ARGS); \
	else \
		echo "== PostgreSQL run skipped: TEST_DATABASE_URL is not set (see README, 'Tests')."; \
	fi

# SQL injection scan: sqlmap (installed with apt-get if missing) against a throwaway local server.
security: $(RUNTIME)
	bash scripts/security_scan.sh

# Benchmarks against the bare-Flask limit (bench/README.md). BENCH_ARGS=--quick for a 1-minute run.
BENCH_ARGS ?=

bench: $(RUNTIME)
	$(BIN)/python -m bench $(BENCH_ARGS)

lint: $(DEV)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(DEV)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: $(RUNTIME)
	$(BIN)/flask --app app lms check

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
