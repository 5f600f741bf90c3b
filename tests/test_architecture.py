"""The core stays pure: it imports nothing from the edges (docs/architecture.md)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "aidctl"
EDGES = (
    "aidctl.intake",
    "aidctl.register",
    "aidctl.reports",
    "aidctl.batch",
    "aidctl.cli",
    "aidctl.pipeline",
)
IMPURE_STDLIB = ("sqlite3", "os", "pathlib", "subprocess", "time", "random", "shutil", "socket")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_imports_no_edge_module():
    for path in (PACKAGE / "core").glob("*.py"):
        for name in _imports(path):
            assert not name.startswith(EDGES), f"{path.name} imports {name}"
            assert name.split(".")[0] not in IMPURE_STDLIB, f"{path.name} imports {name}"


def test_core_reads_no_clock():
    for path in (PACKAGE / "core").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for call in ("date.today(", "datetime.now(", "time.time(", "open("):
            assert call not in text, f"{path.name} calls {call}"


def test_plan_imports_only_the_standard_library_and_itself():
    for path in (PACKAGE / "plan").glob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            assert top not in ("polars", "typer", "rich", "openpyxl"), f"{path.name} imports {name}"
            if top == "aidctl":
                assert name.startswith(("aidctl.plan", "aidctl.errors")), (
                    f"{path.name} imports {name}"
                )


def test_nothing_below_the_cli_prints():
    for path in PACKAGE.rglob("*.py"):
        if path.name == "cli.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "print", f"{path} calls print()"
