# care-outreach: every target creates .venv and installs on a fresh machine that has only Python.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install catalogs demo test bench run lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) catalogs

# Compiled catalogs (.mo) are build products: made here, never committed or edited by hand.
catalogs: $(STAMP)
	$(BIN)/outreach i18n compile

demo: install
	$(BIN)/python -m bot.demo

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python -m bench

run: install
	$(BIN)/python -m bot.devstack

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy bot workers

clean:
	rm -rf $(VENV) var .pytest_cache
