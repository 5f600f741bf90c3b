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
        if path.is_relative_to(PACKAGE / "cli"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "print", f"{path} calls print()"


# ---------------------------------------------------------------- layering (issue 9)
# Which aidctl package may import which, in the manner of beancount's dependency
# constraints. A module may always import its own package and aidctl.errors; "aidctl" alone
# (the version) is allowed everywhere. Checked over every import of every module (AST),
# including imports inside functions.
LAYERS: dict[str, set[str]] = {
    "plan": set(),
    "core": {"plan"},
    "i18n": {"core", "intake", "plan"},
    "intake": {"core", "plan"},
    "register": {"core", "plan"},
    "reports": {"core", "plan", "intake", "i18n"},
    "pipeline": {"core", "intake", "plan", "register"},
    # api.batch_run hands a workspace to aidctl.batch.run: the one edge back up, imported
    # on use (the batch is a front end of the api, never the other way at import time)
    "api": {"pipeline", "register", "reports", "core", "plan", "intake", "i18n", "batch"},
    "batch": {"api"},
    "cli": {"api", "batch", "i18n"},
    "__main__": {"cli"},
    "errors": set(),
    # the fault points of the fault harness (stdlib only; every layer may pass one)
    "faults": set(),
}
ALWAYS = {"errors", "faults"}


def _package_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0].removesuffix(".py")


def _aidctl_imports(path: Path) -> list[tuple[str, bool]]:
    """(the aidctl package imported, whether at module level) for every aidctl import."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(n) for n in tree.body}
    found: list[tuple[str, bool]] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module]
        for name in names:
            parts = name.split(".")
            if parts[0] == "aidctl" and len(parts) > 1:
                found.append((parts[1], id(node) in top_level))
    return found


def test_every_package_imports_only_what_its_layer_allows():
    """beancount-style: the table above is the architecture (docs/architecture.md)."""
    bad = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "__init__.py" and path.parent == PACKAGE:
            continue
        own = _package_of(path)
        assert own in LAYERS, f"{path}: package {own} is not in the layering table"
        for target, _ in _aidctl_imports(path):
            if target not in LAYERS[own] | ALWAYS | {own}:
                bad.append(f"{path.relative_to(PACKAGE)} imports aidctl.{target}")
    assert bad == []


def test_the_one_edge_back_to_the_batch_is_imported_on_use_only():
    """api → batch exists for `api.batch_run` only, inside the function: at import time the
    layers stay one-way (batch imports api, never the reverse)."""
    for path in (PACKAGE / "api").rglob("*.py"):
        for target, top in _aidctl_imports(path):
            assert not (target == "batch" and top), f"{path.name} imports aidctl.batch at the top"


def test_the_layering_check_catches_a_forbidden_import(tmp_path: Path):
    """The check itself: a core module importing the register is reported."""
    module = tmp_path / "x.py"
    module.write_text("from aidctl.register import Register\n", encoding="utf-8")
    assert _aidctl_imports(module) == [("register", True)]
    assert "register" not in LAYERS["core"]


CLI_MODULES = sorted((PACKAGE / "cli").glob("*.py"))
FRONT_ENDS = [*CLI_MODULES, *sorted((PACKAGE / "batch").glob("*.py"))]


def test_the_cli_is_a_package_of_small_modules():
    """Issue 13: the command line is aidctl/cli/, one module per concern, none long."""
    assert not (PACKAGE / "cli.py").exists()
    assert {p.name for p in CLI_MODULES} >= {"__init__.py", "app.py", "options.py", "render.py"}
    for path in CLI_MODULES:
        lines = path.read_text(encoding="utf-8").count("\n")
        assert lines < 300, f"{path.name} has {lines} lines"


def test_only_the_render_module_of_the_cli_prints():
    """render.py is where the CLI shows anything: no other module touches a console."""
    for path in CLI_MODULES:
        if path.name == "render.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id != "print", f"{path.name} calls print()"
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert node.value.id not in ("out", "err", "sys"), (
                    f"{path.name} uses {ast.unparse(node)}"
                )


SQL = ("SELECT ", "INSERT ", "UPDATE ", "DELETE ", "CREATE TABLE", " FROM runs", "import sqlite3")


def test_front_ends_hold_no_sql_and_no_register():
    """The CLI and the batch call aidctl.api; the register's queries stay in its home."""
    for path in FRONT_ENDS:
        text = path.read_text(encoding="utf-8")
        for word in SQL:
            assert word not in text, f"{path.name} holds {word!r}"
        for target, _ in _aidctl_imports(path):
            assert target not in ("register", "pipeline", "reports", "core"), (
                f"{path.name} imports aidctl.{target}"
            )


def test_the_cli_builds_no_json_document():
    """`--json` prints `outcome.to_json()`: json.dumps in aidctl/cli/ takes nothing hand-built
    (a dict, list or comprehension), so the CLI and aidctl.api cannot disagree on a key."""
    built = (ast.Dict, ast.List, ast.ListComp, ast.DictComp, ast.Tuple)
    dumps = [
        node
        for path in CLI_MODULES
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "dumps"
    ]
    assert dumps, "aidctl/cli/ prints --json through json.dumps"
    for call in dumps:
        assert not isinstance(call.args[0], built), ast.unparse(call)
        if isinstance(call.args[0], ast.Call):
            assert ast.unparse(call.args[0].func).endswith("to_json"), ast.unparse(call)


def test_no_module_keeps_a_context_class_named_ctx():
    """Issue 9: a class is named for what it holds (cli.CommonOptions, pipeline.Settings)."""
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
        assert "Ctx" not in names and "Context" not in names, path
