PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run test bench clean chromium wrk mysqlclient

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	@# MariaDB's C driver, where the client headers are installed (libmariadb-dev, pkg-config); without
	@# them zslite uses PyMySQL, a dependency
	$(BIN)/pip install -q mysqlclient 2>/dev/null || echo "mysqlclient not built (no libmariadb-dev/pkg-config): MariaDB runs on PyMySQL"
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

# The whole suite, on SQLite, PostgreSQL and MariaDB (override with ZSLITE_TEST_DBS=sqlite), in
# TEST_WORKERS parallel processes (pytest-xdist; the live tests wait on servers and sleeps more than
# they compute, so one more worker than cores pays; 4 on this 2-core machine was slower than 3).
TEST_WORKERS ?= 3
test: install chromium mysqlclient
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The load tests use wrk (Debian's package), installed here when missing and run as root.
wrk:
	@command -v wrk >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing Debian's wrk for the benchmarks' load tests"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk; \
	  else \
	    echo "make bench: wrk is missing (sudo apt-get install wrk); the load figures will use the slower asyncio client" >&2; \
	  fi; }

# MariaDB's C driver, which zslite uses when installed (the suite and the benchmarks run on it): its
# client headers (Debian's libmariadb-dev, pkg-config) are installed when missing and run as root, then
# mysqlclient is built into the venv. Without it, PyMySQL.
mysqlclient: install
	@$(BIN)/python -c 'import MySQLdb' 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && ! pkg-config --exists libmariadb 2>/dev/null; then \
	    echo "installing Debian's libmariadb-dev for MariaDB's C driver"; \
	    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libmariadb-dev pkg-config; \
	  fi; \
	  $(BIN)/pip install -q mysqlclient 2>/dev/null || echo "mysqlclient not built; MariaDB runs on PyMySQL" >&2; }

bench: install wrk mysqlclient
	$(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info zslite.db
