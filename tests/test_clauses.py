"""The clause matrix (docs/clauses.md) is current, and every clause and reading has a test.

Why: every rule names its clause (A…) or reading (D…, E…, L…) in the code and in its test, so
that any figure the tool prints leads back to a sentence of the plan (docs/plan.md) or a
reading (docs/rules.md). These tests keep that promise checkable: the generated matrix may not
go stale, and an id that no test cites fails the suite by name.
"""

from __future__ import annotations

import importlib.util
import re
import sys
import textwrap
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("aidctl_clauses", ROOT / "scripts" / "clauses.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


clauses = _load_script()

# Ids that have no test TODAY. Other engineers are adding the tests in parallel: this set
# MUST SHRINK TO EMPTY (the lead empties it after merging). It cannot go stale: the test below
# fails as soon as an id listed here gets a test, so remove the id then.
# (L68, L69: tests/test_report_facts_l68_l69.py; L89: tests/test_register_postgres_cli.py)
KNOWN_UNTESTED: set[str] = set()


@pytest.fixture(scope="module")
def matrix() -> Any:
    return clauses.build(ROOT)


def test_the_clause_matrix_is_not_stale(matrix: Any) -> None:
    """docs/clauses.md is what scripts/clauses.py generates today (regenerated in memory)."""
    current = (ROOT / "docs" / "clauses.md").read_text(encoding="utf-8")
    assert current == clauses.render(matrix), (
        "docs/clauses.md is stale: run `make clauses` (python scripts/clauses.py)"
    )


def test_every_clause_and_reading_has_a_test(matrix: Any) -> None:
    """Each id of docs/plan.md and docs/rules.md is cited by a test, bar KNOWN_UNTESTED."""
    untested = set(matrix.untested())
    missing = sorted(untested - KNOWN_UNTESTED, key=clauses.id_key)
    assert not missing, "clauses or readings without a test: " + ", ".join(missing)


def test_known_untested_ids_still_lack_a_test(matrix: Any) -> None:
    """KNOWN_UNTESTED cannot go stale: an id listed there that now has a test must leave it."""
    untested = set(matrix.untested())
    tested_now = sorted(KNOWN_UNTESTED - untested, key=clauses.id_key)
    assert not tested_now, (
        "these ids now have a test (or are no longer defined): remove them from "
        "KNOWN_UNTESTED in tests/test_clauses.py: " + ", ".join(tested_now)
    )


def test_the_plan_and_the_rules_define_every_id(matrix: Any) -> None:
    """docs/plan.md defines the 27 clauses of the eight articles; rules.md D1–D10, E1–E6, L1–L25."""
    ids = matrix.ids
    a_ids = [i for i in ids if i.startswith("A")]
    assert a_ids[0] == "A1.1" and a_ids[-1] == "A8.2" and len(a_ids) == 27
    assert {f"D{n}" for n in range(1, 11)} <= set(ids)
    assert {f"E{n}" for n in range(1, 7)} <= set(ids)
    assert {f"L{n}" for n in range(1, 26)} <= set(ids)


def test_each_chinese_quotation_is_the_plans_own_text() -> None:
    """Every clause's Chinese quotation in docs/plan.md is found word for word in the full
    Chinese text reproduced at the end of the same file (the authority, 连政办发〔2018〕95号)."""
    plan = (ROOT / "docs" / "plan.md").read_text(encoding="utf-8")
    body, _, appendix = plan.partition("## The Chinese text")
    full = "".join(line[2:].replace("**", "") for line in appendix.splitlines() if line[:2] == "> ")
    quotes = re.findall(r"^  > (.+)$", body, re.M)
    assert len(quotes) == 27
    assert [q for q in quotes if q not in full] == []


def test_no_document_points_outside_the_project() -> None:
    """A user who clones the project has no ../shared: README and docs/ stand alone."""
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text and "shared/spec" not in text, path.name


# ---- the collector, on a small project of its own -----------------------------------------


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.fixture()
def small_project(tmp_path: Path) -> Path:
    _write(tmp_path, "docs/plan.md", "- **A1.1** Who.\n- **A5.2a** Reduced.\n- **A8.2** Words.\n")
    _write(
        tmp_path,
        "docs/rules.md",
        "**D1 — pairs (A5.2a).** x\n\n- **E3 people:** y\n- **L12 — stored.** z\n",
    )
    _write(
        tmp_path,
        "aidctl/core/x.py",
        '''\
        """Module (A1.1)."""

        RELATED = "A5.2a;D1"  # the pairs
        ALL = "rules D1–D9 and L1 … L12 in general"
        ''',
    )
    _write(tmp_path, "aidctl/plan/plan.toml", 'x = { value = 1, clause = "E3" }\n')
    _write(
        tmp_path,
        "tests/test_x.py",
        '''\
        import pytest

        CASES = [("a", 1), ("b", 2)]  # D1: the table names the reading


        def test_a5_2a_by_name() -> None:
            assert True


        @pytest.mark.parametrize(("k", "v"), CASES)
        def test_by_table(k: str, v: int) -> None:
            assert v


        def test_cells_and_unit_codes_are_not_citations() -> None:
            ws = {"E3": 1, "L12": 2}
            assert ws["E3"] == 1


        class TestGroup:
            def test_docstring(self) -> None:
                """The period is kept (L12)."""
                assert True
        ''',
    )
    _write(tmp_path, "tests/scenarios/s.toml", 'name = "s"\n[[case]]\nclauses = ["A1.1;E3"]\n')
    return tmp_path


def test_collector_finds_citations_in_code_data_and_tests(small_project: Path) -> None:
    """Ids as words in comments, strings, names, parametrisation and scenario files count."""
    m = clauses.build(small_project)
    assert m.ids == ["A1.1", "A5.2a", "A8.2", "D1", "E3", "L12"]
    assert m.code["A5.2a"] == {"aidctl/core/x.py": {3}}
    assert m.code["E3"] == {"aidctl/plan/plan.toml": {1}}
    assert m.tests["A5.2a"] == {"tests/test_x.py::test_a5_2a_by_name"}
    assert m.tests["D1"] == {"tests/test_x.py::test_by_table"}
    assert m.tests["L12"] == {"tests/test_x.py::TestGroup::test_docstring"}
    assert m.tests["E3"] == {"tests/scenarios/s.toml"}
    assert m.tests["A1.1"] == {"tests/scenarios/s.toml"}


def test_collector_skips_ranges_cell_addresses_and_unit_codes(small_project: Path) -> None:
    """`D1–D9` is a summary, not a citation of D9; `ws["E3"]` in a test is a cell."""
    m = clauses.build(small_project)
    assert "D9" not in m.code and "L1" not in m.code
    assert m.code["D1"] == {"aidctl/core/x.py": {3}}  # the clause string, not the range
    cells = "tests/test_x.py::test_cells_and_unit_codes_are_not_citations"
    assert all(cells not in tests for tests in m.tests.values())


def test_matrix_output_is_deterministic_and_marks_what_is_missing(small_project: Path) -> None:
    """Same tree, same text; no dates; untested, not-testable and undefined ids are named."""
    first = clauses.render(clauses.build(small_project))
    assert first == clauses.render(clauses.build(small_project))
    assert "Without a test: none." in first
    assert "| A8.2 | Words. | 0 | not testable |" in first
    assert not re.search(r"20[0-9]{2}-[0-9]{2}-[0-9]{2}", first)
    _write(small_project, "aidctl/core/y.py", "# A5.2 and A9.9 are not ids of the plan\n")
    _write(small_project, "docs/rules.md", "**D1 — pairs.** x\n\n**L13 — new.** y\n")
    again = clauses.build(small_project)
    assert again.untested() == ["L13"]
    assert again.undefined() == ["A5.2", "E3", "L12"]
