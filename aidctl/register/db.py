"""Transitional names for tests written against the connection-passing register.

Nothing in aidctl imports this module (tests/test_register_layering.py): the register is
`aidctl.register.Register`. It stays only until the tests outside the register's part that
still call `open_register` switch to `Register.open`; then it is deleted.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aidctl.register.register import ENV_VAR, default_location
from aidctl.register.sqlite import APP_ID, SqliteRegister, _transaction, connect_file

__all__ = [
    "APP_ID",
    "ENV_VAR",
    "backup_register",
    "check_register",
    "default_db_path",
    "open_register",
    "transaction",
]

default_db_path = default_location


def open_register(path: Path, *, create: bool = True) -> sqlite3.Connection:
    return connect_file(Path(path), create=create)


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    with _transaction(conn):
        yield conn


def backup_register(source: Path, target: Path) -> int:
    return SqliteRegister.backup_to(source, target)


def check_register(path: Path) -> list[str]:
    return SqliteRegister.check_at(path)
