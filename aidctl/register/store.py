"""Transitional names for tests written against the connection-passing register.

Nothing in aidctl imports this module (tests/test_register_layering.py): every query is a
method of `aidctl.register.Register`, and the frame schemas are exported by
`aidctl.register`. `store.f(conn, *args)` calls `Register.f(*args)` on that connection until
the tests outside the register's part switch; then this module is deleted.
"""

from __future__ import annotations

import datetime as dt  # tests/test_batch.py freezes the clock here (now: register.dt)
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aidctl.register.frames import (
    CONTRACT_COLUMNS,
    DECISION_COLUMNS,
    HISTORY_COLUMNS,
    OPTIONAL_DECISION_COLUMNS,
    PAYMENT_COLUMNS,
    SPELL_COLUMNS,
)
from aidctl.register.sqlite import SqliteRegister

__all__ = [
    "CONTRACT_COLUMNS",
    "DECISION_COLUMNS",
    "HISTORY_COLUMNS",
    "OPTIONAL_DECISION_COLUMNS",
    "PAYMENT_COLUMNS",
    "SPELL_COLUMNS",
    "dt",
]


def __getattr__(name: str) -> Callable[..., Any]:
    method = getattr(SqliteRegister, name, None)
    if name.startswith("_") or not callable(method):
        raise AttributeError(name)

    def on_connection(conn: sqlite3.Connection, *args: Any, **kwargs: Any) -> Any:
        return getattr(SqliteRegister(conn, Path()), name)(*args, **kwargs)

    return on_connection
