# dati — the two commands that matter are `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DATA   ?= data
HOST   ?= 127.0.0.1
PORT   ?= 8000
# Two cores on the reference machine: one pytest worker per core.
WORKERS ?= auto

.PHONY: install demo test test-postgres lint format bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

demo: install
	$(BIN)/dati init --data-dir $(DATA)
	$(BIN)/dati demo --data-dir $(DATA)
	@echo "Serving on http://$(HOST):$(PORT) — the demo logins are listed above."
	$(BIN)/dati serve --data-dir $(DATA) --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest -n $(WORKERS) tests

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

format: install
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache src/*.egg-info
