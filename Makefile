# care-outreach: every target creates .venv and installs on a fresh machine that has only Python.
# Installs come from requirements.lock (exact versions with hashes, exported from uv.lock):
# the same files on every machine, upgraded only on purpose with `make lock`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
LOCK   := requirements.lock
EXPORT := export --frozen --no-header --all-extras --no-emit-project --format requirements-txt

.PHONY: install catalogs demo test bench run lint lock lock-check clean

# --no-deps: the lock is the whole tree, so pip resolves nothing. --only-binary: no package is
# built from source on the way in. --no-build-isolation: the project itself is built with the
# locked setuptools, not whatever release is newest that day.
$(STAMP): $(LOCK) pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --no-deps --require-hashes --only-binary :all: -r $(LOCK)
	$(BIN)/python -m pip install -q --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP) catalogs

# Compiled catalogs (.mo) are build products: made here, never committed or edited by hand.
catalogs: $(STAMP)
	$(BIN)/outreach i18n compile

demo: install
	$(BIN)/python -m bot.devtools.demo

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m bench

run: install
	$(BIN)/python -m bot.devtools.devstack

# ruff and mypy, then the architecture contract in pyproject.toml ([tool.importlinter]): layers
# that point one way, a pure core, and no import cycles.
lint: install lock-check
	$(BIN)/ruff check .
	$(BIN)/mypy bot workers
	$(BIN)/lint-imports

# Upgrade on purpose: re-resolve every dependency to the newest release pyproject.toml allows,
# then run `make test` and commit uv.lock and requirements.lock together.
lock: $(STAMP)
	$(BIN)/uv lock --upgrade
	$(BIN)/uv $(EXPORT) -o $(LOCK)

# The exported lock must say exactly what uv.lock says.
lock-check: $(STAMP)
	$(BIN)/uv $(EXPORT) | cmp -s - $(LOCK) || \
		{ echo "$(LOCK) is out of step with uv.lock: run 'make lock' (or uv export) and commit both"; exit 1; }

clean:
	rm -rf $(VENV) var .pytest_cache
