# dtrack: `make demo` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# PostgreSQL used by the tests (database `test` on the local server).
DTRACK_TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export DTRACK_TEST_PG_URL

.PHONY: install demo test test-sqlite bench bench-quick clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/dtrack demo

# Both back-ends: SQLite (embedded) and PostgreSQL. With CI set, an
# unreachable PostgreSQL fails the run instead of skipping.
test: $(STAMP)
	$(BIN)/python -m pytest -q

test-sqlite: $(STAMP)
	$(BIN)/python -m pytest -q -m "not postgres"

bench: $(STAMP)
	$(BIN)/python -m bench

bench-quick: $(STAMP)
	$(BIN)/python -m bench --quick --output bench/results-quick.json

clean:
	rm -rf $(VENV) *.egg-info dtrack-demo.db* .pytest_cache
