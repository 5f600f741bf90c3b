"""Opening the register: one SQLite file, owner-only, WAL, recorded schema migrations.

The register holds id numbers, so it is created with mode 0600. A file that is not an
aidctl register (a truncated file, another program's database) is refused with a clear
message and never written to.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from aidctl.errors import RegisterError
from aidctl.register.schema import MIGRATIONS

APP_ID = 0x41494443  # "AIDC", stored in the file header (PRAGMA application_id)
ENV_VAR = "AIDCTL_DB"


def default_db_path() -> Path:
    """`$AIDCTL_DB`, else `$XDG_DATA_HOME/aidctl/register.sqlite3` (~/.local/share/…)."""
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "aidctl" / "register.sqlite3"


def _refuse(path: Path, en: str, zh: str) -> RegisterError:
    return RegisterError(f"Register {path}: {en}", f"登记库 {path}：{zh}")


def open_register(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """Open (or create) the register at `path` and bring its schema up to date."""
    path = Path(path)
    exists = path.exists()
    if exists and path.is_dir():
        raise _refuse(path, "is a folder, not a file.", "是一个文件夹，不是文件。")
    if exists and path.stat().st_size > 0:
        with path.open("rb") as fh:
            header = fh.read(16)
        if header != b"SQLite format 3\x00":
            raise _refuse(
                path,
                "is not an aidctl register (not an SQLite file); it was left untouched.",
                "不是 aidctl 登记库（不是 SQLite 文件），未做任何改动。",
            )
    if not exists:
        if not create:
            raise _refuse(
                path,
                "does not exist (nothing has been enrolled into it yet).",
                "不存在（尚未登记任何内容）。",
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        os.close(fd)
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=30)
        conn.execute("PRAGMA foreign_keys = ON")
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables and app_id != APP_ID:
            conn.close()
            raise _refuse(
                path,
                "is another program's database; it was left untouched.",
                "是其他程序的数据库，未做任何改动。",
            )
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        # look-up key tables live in memory, and a 64 MB page cache keeps a claims file's
        # members in reach: with the 2 MB default both spill to temporary files
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -65536")
        _migrate(conn)
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()  # leaves no -wal/-shm beside a file we refuse
        raise _refuse(
            path,
            f"cannot be read ({exc}); it was left untouched.",
            f"无法读取（{exc}），未做任何改动。",
        ) from exc
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    """Apply the migrations not yet recorded, each in its own transaction."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (datetime('now')))"
    )
    done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    for version, name, sql in MIGRATIONS:
        if version in done:
            continue
        with transaction(conn):
            for statement in sql.split(";\n"):
                if statement.strip():
                    conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (version, name)
            )
            conn.execute(f"PRAGMA application_id = {APP_ID}")


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction: everything inside lands together or not at all."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    else:
        conn.execute("COMMIT")


def backup_register(source: Path, target: Path) -> int:
    """Copy the register with SQLite's online backup (consistent while others write).

    The copy is written beside `target` and renamed onto it, owner-only like the register.
    Returns the number of pages copied.
    """
    source, target = Path(source), Path(target)
    if target.exists() and target.is_dir():
        target = target / source.name
    conn = open_register(source, create=False)
    tmp = target.with_name(f".{target.name}.tmp")
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
        os.close(fd)
        dest = sqlite3.connect(tmp)
        try:
            conn.backup(dest)
            pages = dest.execute("PRAGMA page_count").fetchone()[0]
            dest.execute("PRAGMA journal_mode = DELETE")
        finally:
            dest.close()
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        conn.close()
    return int(pages)


def check_register(path: Path) -> list[str]:
    """SQLite's integrity check and foreign-key check; an empty list means all is well."""
    conn = open_register(Path(path), create=False)
    try:
        problems = [row[0] for row in conn.execute("PRAGMA integrity_check") if row[0] != "ok"]
        problems += [
            f"foreign key: {table} row {rowid} -> {parent}"
            for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check")
        ]
    finally:
        conn.close()
    return problems
