# dtrack: `make demo` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# PostgreSQL used by the tests (database `test` on the local server).
DTRACK_TEST_PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
export DTRACK_TEST_PG_URL

.PHONY: install bytecode chromium system-packages demo test test-sqlite check-faults bench bench-peer bench-web bench-quick bench-cluster clean

$(STAMP): setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Byte-compile the sources, as pip does when it installs the wheel: an editable
# install does not, and where PYTHONDONTWRITEBYTECODE is set every command then
# compiles what it imports (about 28 ms of CPU in `dtrack tasks list`, a tenth
# of its run). Only changed files are compiled again; Python ignores a stale file.
bytecode: $(STAMP)
	@$(BIN)/python -m compileall -q dtrack dtrack/*/ >/dev/null

install: $(STAMP) bytecode

# The browser tests drive Debian's Chromium (Playwright cannot download its own
# browser here). Installed when missing if we are root; otherwise CI fails and a
# laptop warns (the browser tests then skip with the reason).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  elif [ -n "$$CI" ]; then \
	    echo "error: chromium is not installed and this is not root: apt-get install chromium" >&2; exit 1; \
	  else \
	    echo "warning: chromium is not installed (as root: apt-get install chromium); the browser tests will skip" >&2; \
	  fi; }

# What the official documents (issue 23) need from Debian: Pango for WeasyPrint's PDF, and Liberation
# Serif 2 (fonts-liberation2), metric-compatible with Times New Roman and covering every Vietnamese
# letter (fonts-liberation 1.x does not: ệ, ở, ơ fall back to another font). Installed when missing if
# we are root; otherwise CI fails and a laptop warns (the documents tests then fail on the fonts).
DOC_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 fonts-liberation2
system-packages: chromium
	@missing=""; for p in $(DOC_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	  elif [ -n "$$CI" ]; then \
	    echo "error: missing Debian packages:$$missing (apt-get install$$missing)" >&2; exit 1; \
	  else \
	    echo "warning: missing Debian packages:$$missing (as root: apt-get install$$missing)" >&2; \
	  fi; fi

demo: $(STAMP) system-packages
	$(BIN)/dtrack demo

# Both back-ends: SQLite (embedded) and PostgreSQL. With CI set, an
# unreachable PostgreSQL fails the run instead of skipping. Three workers on
# two cores: many tests wait on a server process, PostgreSQL or the browser,
# so a third keeps the cores busy (each worker has its own scratch databases).
TEST_WORKERS ?= 3
test: $(STAMP) system-packages
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

test-sqlite: $(STAMP) system-packages
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) -m "not postgres"

# What is too slow for every run: schemathesis at full depth, servers and
# PostgreSQL killed in the middle of work. Run before closing a hardening issue.
check-faults: $(STAMP) system-packages
	$(BIN)/python -m pytest -q --faults

# The peer of bench/suite_peer.py (issue 25): SpiffWorkflow in an environment of its own, never one of
# dtrack's dependencies. `make bench` builds it; `make test` and `bench-quick` never need it (the suite
# skips, with a note, where it is missing).
PEER_VENV := bench/peer/.venv
PEER_STAMP := $(PEER_VENV)/.installed-stamp
$(PEER_STAMP):
	$(PYTHON) -m venv $(PEER_VENV)
	$(PEER_VENV)/bin/pip install --quiet 'SpiffWorkflow>=3,<4' 'psycopg[binary]>=3.1' 'SQLAlchemy>=2'
	touch $(PEER_STAMP)

bench: $(STAMP) bytecode $(PEER_STAMP)
	$(BIN)/python -m bench

# The peer side by side alone (a few minutes): bench/results-peer.json.
bench-peer: $(STAMP) bytecode $(PEER_STAMP)
	$(BIN)/python -m bench --only peer --output bench/results-peer.json

# The web suite at full scale takes about 12 minutes of its own.
bench-web: $(STAMP) bytecode
	$(BIN)/python -m bench --only web --output bench/results-web.json

# 3 servers, 2 schedulers, one PostgreSQL; one server and the leading scheduler killed -9 mid-run (about
# 1.5 minutes: it waits for a digest minute): bench/results-cluster.json, ends with `lost: N`.
bench-cluster: $(STAMP) bytecode
	$(BIN)/python -m bench.cluster --output bench/results-cluster.json

bench-quick: $(STAMP) bytecode
	$(BIN)/python -m bench --quick --output bench/results-quick.json

clean:
	rm -rf $(VENV) $(PEER_VENV) *.egg-info dtrack-demo.db* .pytest_cache test-output

# The message catalogs (dtrack/locale/<lang>/LC_MESSAGES/dtrack.po, Babel's gettext tooling).
# Ids are symbolic (web.nav_home) and mostly looked up by a computed name (state.<value>,
# w["nav_home"] in a template), which `pybabel extract` cannot see: en.po is the source catalog
# instead. `messages` checks the ids the sources do name literally (babel.cfg) against it, writes the
# template from it and brings vi.po in line with `pybabel update` (a new id arrives untranslated, a
# dropped one obsolete; tests/i18n fails until vi.po is translated), then compiles.
# `python -m dtrack.i18n.messages add FILE.tsv` merges `id<TAB>vi<TAB>en` lines into both.
.PHONY: messages compile-messages
messages: $(STAMP)
	@mkdir -p build/messages
	$(BIN)/pybabel -q extract -F babel.cfg --no-default-keywords -k text:2 -k plural:2 -k has:2 \
	  -o build/messages/named.pot dtrack
	$(BIN)/python -m dtrack.i18n.messages check build/messages/named.pot
	$(BIN)/python -m dtrack.i18n.messages pot build/messages/dtrack.pot
	$(BIN)/pybabel -q update -i build/messages/dtrack.pot -d dtrack/locale -D dtrack -l vi -w 100 \
	  --no-fuzzy-matching
	$(BIN)/python -m dtrack.i18n.messages tidy
	$(MAKE) compile-messages

compile-messages: $(STAMP)
	$(BIN)/pybabel compile -d dtrack/locale -D dtrack --statistics
