"""Helpers for tests that run on both register back ends (issue 14).

`both_backends` parametrises a test's `backend` fixture (tests/conftest.py) with "sqlite"
and "postgres"; `query` reads a register on either back end with one SQL text, so that a
test's assertions stay the same: `?` placeholders, dates as ISO text (as SQLite keeps them).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

both_backends = pytest.mark.parametrize("backend", ["sqlite", "postgres"], indirect=True)


def is_url(location: object) -> bool:
    return "://" in str(location)


def query(location: str | Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows of `sql` on the register at `location` (a file or a postgresql:// URL).

    On PostgreSQL, `?` becomes `%s` and dates and timestamps come back as text, as SQLite
    gives them; flags come back as True/False, which compare equal to SQLite's 1/0, and
    sums as Decimal, equal to SQLite's int."""
    if not is_url(location):
        conn = sqlite3.connect(location)
        try:
            return conn.execute(sql, params).fetchall()
        finally:
            conn.close()
    import psycopg
    from psycopg.types.string import TextLoader

    with psycopg.connect(str(location), autocommit=True) as pg:
        pg.execute("SET DateStyle = 'ISO, YMD'")
        for name in ("date", "timestamp"):
            pg.adapters.register_loader(name, TextLoader)
        return pg.execute(sql.replace("%", "%%").replace("?", "%s"), params).fetchall()


# columns only the PostgreSQL register has (the order runs were recorded in: SQLite's rowid)
PG_ONLY_COLUMNS = {"runs": {"seq"}}


def table(location: str | Path, name: str) -> list[tuple[Any, ...]]:
    """Every row of a register table, columns as SQLite has them (on either back end)."""
    if not is_url(location):
        return query(location, f"SELECT * FROM {name}")
    rows = query(
        location,
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
        name,
    )
    cols = [c for (c,) in rows if c not in PG_ONLY_COLUMNS.get(name, set())]
    return query(location, f"SELECT {', '.join(cols)} FROM {name}")
