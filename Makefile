PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench clean chromium

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/zslite serve --demo

# The console's browser tests (tests/console) drive Debian's Chromium through Playwright; Playwright
# never downloads a browser of its own. Installed here when missing (CI runs as root on a fresh machine).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's chromium and chromium-driver for the console's browser tests"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver; \
	  else \
	    echo "make test: chromium is missing and only root can install it: sudo apt-get install chromium chromium-driver" >&2; \
	    exit 1; \
	  fi; }

# The whole suite, on SQLite, PostgreSQL and MariaDB (override with ZSLITE_TEST_DBS=sqlite).
test: install chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info zslite.db
