# Two commands for a fresh machine: `make run` publishes the bundled seeds, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test test-fast clean

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

# The tests run spread over the cores (pytest-xdist), and pytest may keep the test modules it
# rewrites (and hypothesis's) as bytecode: without it each worker redoes that, about 1.5 s.
test test-fast: export PYTHONDONTWRITEBYTECODE :=

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -n auto

# Everything but the tests marked slow (real child processes, daemons, browsers, readers, nginx, loads).
test-fast: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q -m "not slow" -n auto

clean:
	rm -rf $(VENV) state
	find out -mindepth 1 ! -name .gitignore -delete
