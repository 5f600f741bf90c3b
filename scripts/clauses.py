"""Generate docs/clauses.md: for every clause and reading, the code and the tests that cite it.

Why: every rule names its clause (A…) or reading (D…, E…, L…) in the code and in its test, so
that a figure the tool prints can be traced back to a sentence of the plan. This matrix makes
that promise checkable: it lists, for each id defined in docs/plan.md and docs/rules.md, the
places in aidctl/ that cite it and the tests that pin it, and shows at a glance an id that
nothing implements or nothing tests. tests/test_clauses.py fails when the file is stale or
when an id has no test.

What counts as a citation:
- an id written as a word — `A5.2a`, `D10`, `L12`, also inside a clause string such as
  `"A5.2a;D1"` — in a comment or a string (docstrings included) of a Python file, or anywhere
  in a data file under aidctl/ (plan.toml …);
- a range (`D1–D9`, `E1–E5`, `L1 … L15`) is a summary, not a citation of its ends, and is
  skipped;
- in a test: the function's name (`test_a5_2a_…`, `test_step2_L3_…`, `…_d9`), its
  docstring, comments and strings in its body or decorators, and the module-level values its
  decorators name (parametrisation tables). In tests, a string that is nothing but a short id
  (`"D2"`, `"E3"`, `"L21"`) is not a citation: such strings are unit codes and cell addresses;
- a scenario file tests/scenarios/**/*.toml citing ids in a `clauses = [...]` key;
- tests/test_clauses.py (the tests of this matrix) is left out: its ids are examples.

`python scripts/clauses.py` rewrites docs/clauses.md; `--check` exits 1 when it is stale.
The output is sorted and holds no timestamps, so it only changes when a citation does.
"""

from __future__ import annotations

import argparse
import ast
import io
import re
import sys
import tokenize
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = Path("docs/clauses.md")
PLAN = Path("docs/plan.md")
RULES = Path("docs/rules.md")

# Tests about the matrix itself: the ids they hold are examples, not citations.
SKIP_TESTS = {"tests/test_clauses.py"}

# Clauses the code cannot test, with the reason the matrix shows.
NOT_TESTABLE: dict[str, str] = {
    "A8.2": "who interprets the plan (the association) is not something the tool does",
}

_ID = r"(?:A[1-8]\.[0-9][a-c]?|D(?:10|[1-9])|E[1-6]|L[1-9][0-9]{0,2})"
_BEFORE = r"(?<![A-Za-z0-9_.])"
_AFTER = r"(?![A-Za-z0-9_])"
ID_RE = re.compile(_BEFORE + "(" + _ID + ")" + _AFTER)
RANGE_RE = re.compile(_BEFORE + _ID + r"\s*(?:–|—|-|…|\.\.\.)\s*" + _ID + _AFTER)
SHORT_ID_RE = re.compile(r"(?:D(?:10|[1-9])|E[1-6]|L[1-9][0-9]{0,2})")

PREFIX_ORDER = {"A": 0, "D": 1, "E": 2, "L": 3}


def id_key(ident: str) -> tuple[int, tuple[int, ...], str]:
    """Natural order: A before D, E, L; A1.10 after A1.9; A5.2a before A5.2b."""
    numbers = tuple(int(n) for n in re.findall(r"[0-9]+", ident))
    return (PREFIX_ORDER.get(ident[0], 9), numbers, ident)


def find_ids(text: str) -> Iterator[tuple[str, int]]:
    """(id, offset) of every id cited as a word in `text`, ranges left out."""
    masked = RANGE_RE.sub(lambda m: " " * len(m.group(0)), text)
    for m in ID_RE.finditer(masked):
        yield m.group(1), m.start(1)


def ids_in_test_name(name: str) -> set[str]:
    """Ids spelled in a test function's name: `a5_2a` → A5.2a, `d9`/`L3` → D9/L3."""
    parts = name.split("_")
    found: set[str] = set()
    for i, part in enumerate(parts):
        low = part.lower()
        m = re.fullmatch(r"a([1-8])", low)
        if m and i + 1 < len(parts) and re.fullmatch(r"[0-9][a-c]?", parts[i + 1].lower()):
            found.add(f"A{m.group(1)}.{parts[i + 1].lower()}")
            continue
        if re.fullmatch(r"d(?:10|[1-9])|e[1-6]|l[1-9][0-9]?", low):
            found.add(low.upper())
    return found


# ---- definitions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    ident: str
    title: str
    source: str  # docs/plan.md or docs/rules.md


def _short(text: str, limit: int = 70) -> str:
    text = re.sub(r"\s+", " ", text).strip().replace("|", "/").replace("**", "")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def definitions(root: Path = ROOT) -> list[Definition]:
    """Every clause of docs/plan.md and every reading of docs/rules.md, in natural order."""
    found: dict[str, Definition] = {}
    plan = (root / PLAN).read_text(encoding="utf-8")
    for m in re.finditer(r"^- \*\*(A[1-8]\.[0-9][a-c]?)\*\* (.+)$", plan, re.M):
        found[m.group(1)] = Definition(m.group(1), _short(m.group(2)), str(PLAN))
    rules = (root / RULES).read_text(encoding="utf-8")
    for m in re.finditer(r"\*\*((?:D|L)[0-9]+) — ([^*]+?)\.?\*\*", rules):
        found.setdefault(m.group(1), Definition(m.group(1), _short(m.group(2)), str(RULES)))
    for m in re.finditer(r"^- \*\*(E[0-9]+) ([^*]+?):\*\*", rules, re.M):
        found.setdefault(m.group(1), Definition(m.group(1), _short(m.group(2)), str(RULES)))
    return sorted(found.values(), key=lambda d: id_key(d.ident))


# ---- citations in source files ------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """A comment or string of a Python file: where it starts and what it says."""

    line: int
    end_line: int
    text: str
    is_string: bool


def python_texts(source: str) -> list[Text]:
    """The comments and strings of a Python source, with their line numbers."""
    out: list[Text] = []
    fstring_middle = getattr(tokenize, "FSTRING_MIDDLE", None)
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.COMMENT:
            out.append(Text(tok.start[0], tok.end[0], tok.string, False))
        elif tok.type == tokenize.STRING or tok.type == fstring_middle:
            out.append(Text(tok.start[0], tok.end[0], tok.string, True))
    return out


def _string_value(literal: str) -> str:
    try:
        value = ast.literal_eval(literal)
    except (ValueError, SyntaxError):
        return literal
    return value if isinstance(value, str) else literal


def cited_lines(texts: list[Text], skip_bare_short_ids: bool) -> Iterator[tuple[str, int]]:
    """(id, line) of every citation in the given comments and strings."""
    for t in texts:
        bare = t.is_string and SHORT_ID_RE.fullmatch(_string_value(t.text).strip())
        if skip_bare_short_ids and bare:
            continue
        for ident, offset in find_ids(t.text):
            yield ident, t.line + t.text.count("\n", 0, offset)


def _rel(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix()


def code_citations(root: Path = ROOT) -> dict[str, dict[str, set[int]]]:
    """id → file → lines, for every Python and data file under aidctl/."""
    cites: dict[str, dict[str, set[int]]] = {}
    for path in sorted((root / "aidctl").rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        if path.suffix == ".py":
            pairs = list(cited_lines(python_texts(path.read_text(encoding="utf-8")), False))
        elif path.suffix in {".toml", ".json", ".txt", ".md", ".yaml", ".yml", ".csv"}:
            text = path.read_text(encoding="utf-8")
            pairs = [(i, text.count("\n", 0, off) + 1) for i, off in find_ids(text)]
        else:
            continue
        for ident, line in pairs:
            cites.setdefault(ident, {}).setdefault(_rel(path, root), set()).add(line)
    return cites


def _test_functions(tree: ast.Module) -> Iterator[tuple[str, ast.FunctionDef]]:
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            if node.name.startswith("test"):
                yield node.name, node  # type: ignore[misc]
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for sub in node.body:
                if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef) and sub.name.startswith(
                    "test"
                ):
                    yield f"{node.name}::{sub.name}", sub  # type: ignore[misc]


def _module_assignments(tree: ast.Module) -> dict[str, tuple[int, int]]:
    """Module-level name → (first line, last line) of its assignment."""
    spans: dict[str, tuple[int, int]] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        for target in targets:
            if isinstance(target, ast.Name):
                spans[target.id] = (node.lineno, node.end_lineno or node.lineno)
    return spans


def tests_citing(root: Path = ROOT) -> dict[str, set[str]]:
    """id → the tests that cite it (`tests/test_x.py::test_name`, or a scenario file)."""
    cites: dict[str, set[str]] = {}
    tests = root / "tests"
    for path in sorted(tests.rglob("test_*.py")):
        if _rel(path, root) in SKIP_TESTS:
            continue
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        texts = python_texts(source)
        assignments = _module_assignments(tree)
        for name, fn in _test_functions(tree):
            spans = [
                (
                    min([fn.lineno] + [d.lineno for d in fn.decorator_list]),
                    fn.end_lineno or fn.lineno,
                )
            ]
            for deco in fn.decorator_list:
                for node in ast.walk(deco):
                    if isinstance(node, ast.Name) and node.id in assignments:
                        spans.append(assignments[node.id])
            inside = [t for t in texts if any(a <= t.line and t.end_line <= b for a, b in spans)]
            found = {i for i, _ in cited_lines(inside, True)} | ids_in_test_name(fn.name)
            for ident in found:
                cites.setdefault(ident, set()).add(f"{_rel(path, root)}::{name}")
    scenarios = tests / "scenarios"
    if scenarios.is_dir():
        for path in sorted(scenarios.rglob("*.toml")):
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            for ident in _scenario_ids(data):
                cites.setdefault(ident, set()).add(_rel(path, root))
    return cites


def _scenario_ids(data: object) -> set[str]:
    """Ids in every `clauses` key of a scenario file, at any depth."""
    found: set[str] = set()
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "clauses":
                items = [value] if isinstance(value, str) else value
                if isinstance(items, list):
                    for item in items:
                        if isinstance(item, str):
                            found |= {i for i, _ in find_ids(item)}
            else:
                found |= _scenario_ids(value)
    elif isinstance(data, list):
        for item in data:
            found |= _scenario_ids(item)
    return found


# ---- the matrix ---------------------------------------------------------------------------


@dataclass
class Matrix:
    defs: list[Definition]
    code: dict[str, dict[str, set[int]]]
    tests: dict[str, set[str]]
    not_testable: dict[str, str] = field(default_factory=lambda: dict(NOT_TESTABLE))

    @property
    def ids(self) -> list[str]:
        return [d.ident for d in self.defs]

    def untested(self) -> list[str]:
        """Ids with no test, NOT_TESTABLE ones left out."""
        return [i for i in self.ids if not self.tests.get(i) and i not in self.not_testable]

    def unimplemented(self) -> list[str]:
        return [i for i in self.ids if not self.code.get(i) and i not in self.not_testable]

    def undefined(self) -> list[str]:
        """Ids cited in code or tests that neither docs/plan.md nor docs/rules.md defines."""
        known = set(self.ids)
        return sorted((set(self.code) | set(self.tests)) - known, key=id_key)


def build(root: Path = ROOT) -> Matrix:
    return Matrix(definitions(root), code_citations(root), tests_citing(root))


def _code_cell(files: dict[str, set[int]]) -> str:
    return "; ".join(
        f"`{f}` {', '.join(str(n) for n in sorted(lines))}" for f, lines in sorted(files.items())
    )


def render(m: Matrix) -> str:
    """The markdown of docs/clauses.md (deterministic: sorted, no dates)."""
    out: list[str] = [
        "# Clause matrix",
        "",
        "Generated by `scripts/clauses.py` (`make clauses`); do not edit by hand. For every",
        "clause of [docs/plan.md](plan.md) and every reading of [docs/rules.md](rules.md): the",
        "code in `aidctl/` that cites it (file and line numbers) and the tests that pin it.",
        "tests/test_clauses.py fails when this file is stale or an id has no test.",
        "",
        "## Summary",
        "",
        "| id | what | code places | tests |",
        "|---|---|---|---|",
    ]
    for d in m.defs:
        n_code = sum(len(v) for v in m.code.get(d.ident, {}).values())
        n_tests = len(m.tests.get(d.ident, set()))
        tests_cell = str(n_tests) if n_tests else "**none**"
        if d.ident in m.not_testable and not n_tests:
            tests_cell = "not testable"
        out.append(f"| {d.ident} | {d.title} | {n_code} | {tests_cell} |")
    out += ["", "Without a test: " + (", ".join(m.untested()) or "none") + "."]
    out += ["", "Not cited in the code: " + (", ".join(m.unimplemented()) or "none") + "."]
    if m.not_testable:
        out += ["", "Not testable:"]
        out += [f"- {i}: {why}." for i, why in sorted(m.not_testable.items())]
    for d in m.defs:
        out += ["", f"## {d.ident} — {d.title}", "", f"Defined in {d.source}.", ""]
        files = m.code.get(d.ident, {})
        out.append("- code: " + (_code_cell(files) if files else "none"))
        tests = sorted(m.tests.get(d.ident, set()))
        if tests:
            out.append("- tests:")
            out += [f"  - `{t}`" for t in tests]
        elif d.ident in m.not_testable:
            out.append(f"- tests: not testable — {m.not_testable[d.ident]}")
        else:
            out.append("- tests: none")
    undefined = m.undefined()
    if undefined:
        out += [
            "",
            "## Ids cited but defined in neither docs/plan.md nor docs/rules.md",
            "",
        ]
        for ident in undefined:
            places = [_code_cell(m.code[ident])] if ident in m.code else []
            places += [f"`{t}`" for t in sorted(m.tests.get(ident, set()))]
            out.append(f"- {ident}: " + "; ".join(places))
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/clauses.md is stale")
    args = parser.parse_args(argv)
    text = render(build(ROOT))
    target = ROOT / OUT
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"{OUT} is stale: run `python scripts/clauses.py`", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
