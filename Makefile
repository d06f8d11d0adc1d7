# The two commands: `make run` and `make test`. Both need only python3.11 and make.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DB ?= stancemark.db
# The browser tests drive the system's Chromium (Debian's `chromium`), never a download.
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test lint bench clean chromium

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/stancemark import --db $(DB) sample_articles
	$(BIN)/stancemark --db $(DB)

# Static checks first (style, types, layers: config in pyproject.toml and .importlinter).
test: lint chromium
	STANCEMARK_CHROMIUM=$(CHROMIUM) $(BIN)/python -m pytest -n 2 tests

# Chromium for tests/test_serve_browser.py: present, or installed when we are root (about
# 75 s and 480 MB on a fresh Debian 12, with its recommended packages, the way it was
# measured); otherwise one line says why the browser tests skip (they skip by themselves
# when the binary is missing), and CI (CI=true), which must run them, fails instead.
chromium:
	@if [ -x "$(CHROMIUM)" ]; then \
	  : ; \
	elif [ "$$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  echo "installing Debian's chromium for the browser tests (about 75 s)..."; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null && \
	  apt-get -o DPkg::Lock::Timeout=300 install -y -qq chromium >/dev/null \
	  || { echo "installing chromium failed" >&2; exit 1; }; \
	elif [ -n "$$CI" ]; then \
	  echo "browser tests: $(CHROMIUM) is missing and only root can install it" >&2; exit 1; \
	else \
	  echo "SKIP browser tests: $(CHROMIUM) not found and not root (sudo apt-get install chromium runs them)"; \
	fi

lint: $(VENV)/.installed-test
	$(BIN)/ruff check annotations tui tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache
