# The two set-up commands are `make demo` and `make test`; both create .venv when needed.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO := demo_out

.PHONY: demo test lint fuzz bench clean sample clauses faults install render

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

# The main jobs on sample_data/, as of the day the sample data is built around, with the
# register in demo_out/register.sqlite3; then one monthly batch on a sample workspace.
# Exit code 1 ("something needs a person") is expected: the samples hold units and claims
# that fail on purpose.
AS_OF := 2026-11-28
AIDCTL := ../$(BIN)/aidctl
RUN_OK = || test $$? -eq 1

demo: $(STAMP)
	rm -rf $(DEMO) && mkdir -p $(DEMO)/workspace
	cd $(DEMO) && $(AIDCTL) validate-enrollment ../sample_data/units.xlsx --db register.sqlite3 --as-of $(AS_OF) --out units.check.xlsx $(RUN_OK)
	cd $(DEMO) && $(AIDCTL) enroll ../sample_data/units_2025.xlsx --db register.sqlite3 --as-of $(AS_OF) --out units_2025.enroll.xlsx $(RUN_OK)
	cd $(DEMO) && $(AIDCTL) adjudicate ../sample_data/claims_2025.xlsx --db register.sqlite3 --as-of $(AS_OF) --out claims_2025.decisions.xlsx $(RUN_OK)
	cd $(DEMO) && $(AIDCTL) enroll ../sample_data/units.xlsx --db register.sqlite3 --as-of $(AS_OF) --out units.enroll.xlsx $(RUN_OK)
	cd $(DEMO) && $(AIDCTL) adjudicate ../sample_data/claims.xlsx --db register.sqlite3 --as-of $(AS_OF) --out claims.decisions.xlsx $(RUN_OK)
	cd $(DEMO) && $(AIDCTL) renewals --due 30d --db register.sqlite3 --as-of $(AS_OF) --out renewals.xlsx
	cd $(DEMO) && $(AIDCTL) init workspace > /dev/null
	cp sample_data/units_2025.xlsx $(DEMO)/workspace/inbox/01-units_2025.xlsx
	cp sample_data/claims_2025.xlsx $(DEMO)/workspace/inbox/02-claims_2025.xlsx
	cp sample_data/units.xlsx $(DEMO)/workspace/inbox/03-units.xlsx
	cp sample_data/claims.xlsx $(DEMO)/workspace/inbox/04-claims.xlsx
	cd $(DEMO)/workspace && ../$(AIDCTL) batch run --as-of $(AS_OF) $(RUN_OK)
	@echo
	@echo "reports: $(DEMO)/*.xlsx and $(DEMO)/workspace/outbox/"
	@echo "register: $(DEMO)/register.sqlite3 (batch workspace: $(DEMO)/workspace/register.sqlite3)"

test: $(STAMP)
	$(BIN)/ruff check aidctl tests scripts
	$(BIN)/mypy
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check aidctl tests scripts
	$(BIN)/ruff format --check aidctl tests scripts
	$(BIN)/mypy

sample: $(STAMP)
	$(BIN)/python scripts/make_sample_data.py sample_data --scenarios tests/scenarios/sample

# Longer run of the generated bad-input tests (about 4 minutes); make test runs ~150 examples
fuzz: $(STAMP)
	AIDCTL_FUZZ_EXAMPLES=5000 $(BIN)/pytest tests/test_fuzz_intake.py

# The fault harness (scripts/faults.py, docs/robustness.md): enroll, adjudicate and the batch
# killed at every write point, every named checkpoint and FAULT_POINTS random times, and
# ENOSPC / EACCES injected on report, register and rename; each compared with an
# uninterrupted twin. 73 points, about 20 minutes on the 2-core machine; `make test` runs a sample.
FAULT_POINTS ?= 24
faults: $(STAMP)
	$(BIN)/python scripts/faults.py --points $(FAULT_POINTS)

bench: $(STAMP)
	$(BIN)/python scripts/bench.py

# `aidctl` on the PATH: a link to .venv/bin/aidctl in $(PREFIX)/bin (default ~/.local/bin,
# on the PATH of most Linux desktops; `make install PREFIX=/usr/local` for every user).
PREFIX ?= $(HOME)/.local
install: $(STAMP)
	mkdir -p $(PREFIX)/bin
	ln -sf $(abspath $(BIN)/aidctl) $(PREFIX)/bin/aidctl
	@echo "aidctl -> $(PREFIX)/bin/aidctl"
	@command -v aidctl >/dev/null || echo "add $(PREFIX)/bin to PATH: export PATH=\"$(PREFIX)/bin:\$$PATH\""

# Each report rendered through LibreOffice to PDF and PNG, to look at as a clerk would
# (needs soffice and pdftoppm; not a test).
render: $(STAMP)
	$(BIN)/python scripts/render_reports.py demo_out/render

# The clause matrix docs/clauses.md: for every clause and reading, the code and the tests.
clauses: $(STAMP)
	$(BIN)/python scripts/clauses.py

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache
