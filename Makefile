# Two commands for a fresh machine: `make run` publishes the bundled seeds, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast test-later clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

run: $(VENV)/.installed
	$(BIN)/feeds build --config config.yaml

# The tests run spread over the cores (pytest-xdist; `worksteal`: a worker that runs out takes
# tests from the other's queue, so neither waits at the end), and pytest may keep the test modules it
# rewrites (and hypothesis's) as bytecode: without it each worker redoes that, about 1.5 s.
test test-fast test-later: export PYTHONDONTWRITEBYTECODE :=

# Everything, then the fast tier again on later dates (`test-later`).
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -n auto --dist worksteal
	$(MAKE) --no-print-directory test-later

# The fast tier with the clock moved on by each of LATER, the shifts side by side (one process and
# core each: xdist's start would cost more than it spreads; without pytest's cache, which both
# would write at once). The clock is libfaketime's preload as
# PyPI's libfaketime ships it (Debian's 0.9.10 makes Python's time.sleep fail: libfaketime issue
# 426). Files keep the kernel's times, so to a shifted test every file it writes looks a year (or
# ten) old.
LATER := +1y +10y
test-later: $(VENV)/.installed-test
	@eval "$$($(BIN)/python-libfaketime)"; logs=$$(mktemp -d); pids=""; \
	for shift in $(LATER); do \
	  FAKETIME=$$shift $(BIN)/python -m pytest -q -m "not slow" -p no:cacheprovider >"$$logs/$$shift" 2>&1 & pids="$$pids $$!"; \
	done; \
	failed=0; set -- $(LATER); \
	for pid in $$pids; do \
	  wait $$pid || failed=1; echo "the fast tier with the clock moved $$1:"; cat "$$logs/$$1"; shift; \
	done; \
	rm -r "$$logs"; exit $$failed

# Everything but the tests marked slow (real child processes, daemons, browsers, readers, nginx, loads).
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m "not slow" -n auto --dist worksteal

clean:
	rm -rf $(VENV) state
	find out -mindepth 1 ! -name .gitignore -delete
