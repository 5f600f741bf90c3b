# The two set-up commands are `make demo` and `make test`; both create .venv when needed.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := demo_out

.PHONY: demo test lint fuzz bench clean sample

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(BIN)/aidctl validate-enrollment sample_data/units.xlsx --db $(DEMO)/register.sqlite3 --as-of 2026-11-28 --out $(DEMO)/enrollment-check.xlsx || test $$? -eq 1
	$(BIN)/aidctl enroll sample_data/units.xlsx --db $(DEMO)/register.sqlite3 --as-of 2026-11-28 --out $(DEMO)/enroll.xlsx || test $$? -eq 1
	@echo "reports: $(DEMO)/  register: $(DEMO)/register.sqlite3"

test: $(STAMP)
	$(BIN)/ruff check aidctl tests scripts
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check aidctl tests scripts
	$(BIN)/ruff format --check aidctl tests scripts
	$(BIN)/mypy

sample: $(STAMP)
	$(BIN)/python scripts/make_sample_data.py sample_data

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
