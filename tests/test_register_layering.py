"""The register is the only door to the database (issue 9): no module of aidctl outside
aidctl/register/ imports sqlite3 or psycopg, and none reaches past `aidctl.register` into its
implementation (sqlite, sqlite_schema, frames, register, and the transitional db/store).
Callers import `aidctl.register` — `Register`, `default_location`, the frame schemas,
`RegisterError` — and the errors of `aidctl.errors`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "aidctl"
REGISTER = PACKAGE / "register"

# Modules that still import register internals on this branch, until the api engineer's
# branch (which owns them) switches them to `aidctl.register` names. The lead empties this
# set after merging; it must never grow.
PENDING_SWITCH: set[str] = set()


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if REGISTER not in p.parents)


def _imports(path: Path) -> list[str]:
    """Every module a file imports, `from X import Y` counted as X and X.Y (so that
    `from aidctl.register import store` is caught)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names


def _forbidden(name: str) -> bool:
    if name in ("sqlite3", "psycopg") or name.startswith(("sqlite3.", "psycopg.")):
        return True  # the database drivers belong to their register implementations
    if not name.startswith("aidctl.register."):
        return False
    # `from aidctl.register import Register` appears as aidctl.register.Register: allowed
    import aidctl.register as public

    return name.removeprefix("aidctl.register.") not in public.__all__


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE.parent).as_posix()


@pytest.mark.parametrize("path", _modules(), ids=_rel)
def test_only_the_register_touches_the_database(path: Path) -> None:
    bad = sorted({n for n in _imports(path) if _forbidden(n)})
    if _rel(path) in PENDING_SWITCH:
        pytest.skip(f"pending the api branch's switch: {bad}")
    assert bad == [], f"{_rel(path)} imports {bad}: use aidctl.register's public names"


def test_the_pending_switch_list_names_only_modules_that_still_need_it() -> None:
    """Once a module is switched, it leaves PENDING_SWITCH (the lead empties it)."""
    still = {_rel(p) for p in _modules() if any(_forbidden(n) for n in _imports(p))}
    assert still <= PENDING_SWITCH, still - PENDING_SWITCH
    assert still >= PENDING_SWITCH, f"switched already, remove: {PENDING_SWITCH - still}"


def test_the_check_catches_what_it_should() -> None:
    """The rule itself, on names: sqlite3 and internals refused, the public names allowed."""
    assert _forbidden("sqlite3")
    assert _forbidden("aidctl.register.store")
    assert _forbidden("aidctl.register.db.default_db_path")
    assert _forbidden("aidctl.register.sqlite")
    assert not _forbidden("aidctl.register.Register")
    assert not _forbidden("aidctl.register.default_location")
    assert not _forbidden("aidctl.register")
    assert not _forbidden("aidctl.errors")
