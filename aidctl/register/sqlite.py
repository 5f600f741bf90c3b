"""`SqliteRegister`: the register as one SQLite file — owner-only, WAL, recorded migrations.

Every SQLite-specific line of aidctl is here (and the DDL in sqlite_schema.py): PRAGMAs,
`INSERT OR IGNORE`, temporary key tables, `datetime('now')`, WITHOUT ROWID, Arrow IPC in
BLOBs, the online backup API, `integrity_check`.

The register holds id numbers, so it is created with mode 0600. A file that is not an
aidctl register (a truncated file, another program's database) is refused with a clear
message and never written to. Look-ups by id number go through a temporary key table, so
that a claims file of 100,000 rows reads only its members' spells out of millions.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import secrets
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import polars as pl

from aidctl import __version__
from aidctl.errors import RegisterError
from aidctl.faults import checkpoint, write_point
from aidctl.register.frames import (
    ADDITION_COLUMNS,
    BATCH_FILE_COLUMNS,
    CONTRACT_COLUMNS,
    CONTRACT_TOTAL_COLUMNS,
    DECISION_COLUMNS,
    FUND_CONTRACT_COLUMNS,
    FUND_DECISION_COLUMNS,
    FUND_SPELL_COLUMNS,
    FUND_VOID_COLUMNS,
    HISTORY_COLUMNS,
    ITEM_COLUMNS,
    OPEN_ITEM_COLUMNS,
    OPTIONAL_DECISION_COLUMNS,
    PAYMENT_COLUMNS,
    RECEIPT_COLUMNS,
    RUN_MONEY_COLUMNS,
    SPELL_COLUMNS,
    UNIT_COLUMNS,
)
from aidctl.register.register import (
    LOCK_WAIT_ENV,
    Location,
    Register,
    lock_wait_seconds,
    new_run_id,
)
from aidctl.register.sqlite_schema import MIGRATION_CHECKS, MIGRATIONS

APP_ID = 0x41494443  # "AIDC", stored in the file header (PRAGMA application_id)
HOLDER_SUFFIX = "-holder"  # beside the register: the run that holds its write lock (L152)
BUILD_SUFFIX = ".building"  # a register being created under a temporary name (L150)
# From this many spells on, `record_enrollment` rebuilds the contract index after inserting.
BULK_ROWS = 50_000
_ITEM_SELECT = (
    "SELECT i.item_id, i.claim_id, i.id_number, i.name, i.unit_code, i.claim_type, "
    "i.event_date, i.disease_code, i.disability_grade, i.reason_code, i.clause, i.detail, "
    "u.unit_name, i.opened_on, i.opened_run, i.last_on, i.last_run, i.times_seen "
    "FROM open_items i LEFT JOIN units u ON u.unit_code = i.unit_code "
)
_OPEN_CLAIM_IDS = "SELECT claim_id FROM open_items WHERE closed_run IS NULL"


def _refuse(path: Path, en: str, zh: str) -> RegisterError:
    return RegisterError(f"Register {path}: {en}", f"登记库 {path}：{zh}")


def _path(location: Location) -> Path:
    text = str(location)
    return Path(text[len("file://") :]) if text.startswith("file://") else Path(text)


def _is_busy(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _holder_path(path: Path) -> Path:
    """Beside the register: which run holds its write lock (run id, command, pid, since)."""
    return path.with_name(path.name + HOLDER_SUFFIX)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _busy(path: Path, waited: float) -> RegisterError:
    """One sentence for a register another run holds (L152): which run, how long we waited."""
    holder: dict[str, Any] = {}
    try:
        holder = json.loads(_holder_path(path).read_text(encoding="utf-8"))
        if not isinstance(holder, dict) or not _pid_alive(int(holder.get("pid", 0))):
            holder = {}
    except (OSError, ValueError, TypeError):
        holder = {}
    secs = f"{waited:g}"
    if holder:
        who_en = (
            f"run {holder.get('run_id')} ({holder.get('command')}, process {holder.get('pid')}, "
            f"since {holder.get('since')})"
        )
        who_zh = (
            f"运行 {holder.get('run_id')}（{holder.get('command')}，进程 {holder.get('pid')}，"
            f"自 {holder.get('since')} 起）"
        )
    else:
        who_en, who_zh = "another aidctl run", "另一个 aidctl 运行"
    return _refuse(
        path,
        f"is busy: {who_en} is writing to it; waited {secs} s (lock_wait_seconds, "
        f"${LOCK_WAIT_ENV}); nothing was recorded: run the command again when it has finished.",
        f"正被占用：{who_zh}正在写入；已等待 {secs} 秒（lock_wait_seconds，${LOCK_WAIT_ENV}），"
        "未登记任何内容：请待其结束后重新运行本命令。",
    )


def _schema_versions(conn: sqlite3.Connection) -> set[int]:
    has = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
    ).fetchone()
    if has is None:
        return set()
    return {int(row[0]) for row in conn.execute("SELECT version FROM schema_migrations")}


def _refuse_newer(path: Path, done: set[int]) -> None:
    """A register written by a newer aidctl is refused, never opened or written (L151)."""
    known = max(m[0] for m in MIGRATIONS)
    if done and max(done) > known:
        raise _refuse(
            path,
            f"has schema version {max(done)}, newer than the version {known} this aidctl "
            "knows; it was left untouched: use the aidctl that wrote it (or a newer one).",
            f"的结构版本为 {max(done)}，高于本 aidctl 所知的版本 {known}；未做任何改动："
            "请使用写入它的（或更新的）aidctl。",
        )


def _half_built(conn: sqlite3.Connection) -> bool:
    """A file an older aidctl left when killed while creating it: no application id, and at
    most an empty `schema_migrations` (L150). It is ours to finish, not another program's."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master")]
    if names not in ([], ["schema_migrations"]):
        return False
    return not names or conn.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] == 0


def _stale_builds(path: Path) -> None:
    """Remove registers left half-built by a creator that was killed (its pid is gone)."""
    prefix = f".{path.name}."
    for leftover in path.parent.glob(f"{prefix}*{BUILD_SUFFIX}*"):
        pid_text = leftover.name[len(prefix) :].split(".", 1)[0]
        if pid_text.isdigit() and not _pid_alive(int(pid_text)):
            leftover.unlink(missing_ok=True)


def _build_new(path: Path) -> None:
    """Create the register at `path` atomically (L150): build it, migrations and all, under
    a temporary name in the same folder, then hard-link it into place. A second creator's
    link fails (the name exists), it drops its own build and opens the first one's; a
    `kill -9` mid-build leaves only the hidden temporary file, removed by the next creator."""
    make_private_dir(path.parent)
    _stale_builds(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{BUILD_SUFFIX}")
    fd = os.open(temp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)
    try:
        conn = sqlite3.connect(temp, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            _migrate(conn, path)
        finally:
            conn.close()  # the last connection checkpoints: no -wal is left beside it
        _fsync(temp)
        checkpoint("register-built")
        # another creator may have been first: then open what it made
        with suppress(FileExistsError):
            os.link(temp, path)
    finally:
        for extra in ("", "-wal", "-shm", "-journal"):
            Path(f"{temp}{extra}").unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def make_private_dir(folder: Path) -> None:
    """Create `folder` (and its parents) owner-only, 0700, whatever the umask (L153);
    folders that already exist are left as they are."""
    missing = []
    here = folder
    while not here.exists():
        missing.append(here)
        if here.parent == here:
            break
        here = here.parent
    for made in reversed(missing):
        try:
            made.mkdir(mode=0o700)
        except FileExistsError:
            continue
        os.chmod(made, 0o700)


def connect_file(
    path: Path, *, create: bool = True, read_only: bool = False, any_version: bool = False
) -> sqlite3.Connection:
    """Open (or create) the register file at `path` and bring its schema up to date.

    read_only: never create, migrate or write (L151): a register whose schema is older than
    this aidctl's is refused with one sentence naming both versions, not upgraded.
    any_version (with read_only): `register check` and `backup` read pages, not rows, so
    they take a register of any schema version as it is — a backup before an upgrade.
    """
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
        if not create or read_only:
            raise _refuse(
                path,
                "does not exist (nothing has been enrolled into it yet).",
                "不存在（尚未登记任何内容）。",
            )
        _build_new(path)
    wait = lock_wait_seconds()
    conn: sqlite3.Connection | None = None
    try:
        conn = sqlite3.connect(path, isolation_level=None, timeout=wait)
        conn.execute("PRAGMA foreign_keys = ON")
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
        if app_id != APP_ID and not _half_built(conn):
            conn.close()
            raise _refuse(
                path,
                "is another program's database; it was left untouched.",
                "是其他程序的数据库，未做任何改动。",
            )
        done = _schema_versions(conn)
        if not any_version:
            _refuse_newer(path, done)
        if read_only and not any_version:
            # no PRAGMA query_only: look-ups fill temporary key tables, which live in memory
            # and never touch the file; nothing else here writes
            _refuse_older(path, done)
        if not read_only:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        # look-up key tables live in memory, and a 64 MB page cache keeps a claims file's
        # members in reach: with the 2 MB default both spill to temporary files
        conn.execute("PRAGMA temp_store = MEMORY")
        conn.execute("PRAGMA cache_size = -65536")
        if not read_only:
            _migrate(conn, path)
    except sqlite3.OperationalError as exc:
        if conn is not None:
            conn.close()
        if _is_busy(exc):
            raise _busy(path, wait) from exc
        raise _refuse(
            path,
            f"cannot be read ({exc}); it was left untouched.",
            f"无法读取（{exc}），未做任何改动。",
        ) from exc
    except sqlite3.DatabaseError as exc:
        if conn is not None:
            conn.close()  # leaves no -wal/-shm beside a file we refuse
        raise _refuse(
            path,
            f"cannot be read ({exc}); it was left untouched.",
            f"无法读取（{exc}），未做任何改动。",
        ) from exc
    except BaseException:
        if conn is not None:
            conn.close()
        raise
    return conn


def _refuse_older(path: Path, done: set[int]) -> None:
    """A read-only command does not upgrade an older register (L151): it says so."""
    known = max(m[0] for m in MIGRATIONS)
    have = max(done) if done else 0
    if have < known:
        raise _refuse(
            path,
            f"has schema version {have}, older than the version {known} this aidctl reads; "
            "this command only reads, so it was left untouched: a recording command (enroll, "
            "adjudicate, void, renewals) upgrades it first.",
            f"的结构版本为 {have}，低于本 aidctl 读取的版本 {known}；本命令只读，未做任何改动："
            "记录类命令（enroll、adjudicate、void、renewals）会先将其升级。",
        )


def statements(sql: str) -> Iterator[str]:
    """The statements of a migration, one by one (a trigger's body holds semicolons)."""
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip():
                yield pending.strip()
            pending = ""
    if pending.strip():
        yield pending.strip()


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Apply the migrations not yet recorded, each in its own transaction.

    Foreign keys are off while migrating — SQLite's way of rebuilding a table to add
    constraints (create the new table, copy, drop the old, rename) — and every migration is
    checked before it commits: no foreign key may dangle and the invariants the migration
    starts to enforce (MIGRATION_CHECKS) must already hold, else nothing of it lands.
    """
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (datetime('now')))"
    )
    done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    _refuse_newer(path, done)
    pending = [m for m in MIGRATIONS if m[0] not in done]
    if not pending:
        return
    conn.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction: set before
    try:
        for version, name, sql in pending:
            with _transaction(conn):
                # again, under the write lock: another opener may have applied it (L150)
                if conn.execute(
                    "SELECT 1 FROM schema_migrations WHERE version = ?", (version,)
                ).fetchone():
                    continue
                for statement in statements(sql):
                    conn.execute(statement)
                dangling = conn.execute("PRAGMA foreign_key_check").fetchone()
                if dangling is not None:
                    raise _refuse(
                        path,
                        f"migration {version} ({name}) found a row of {dangling[0]} pointing "
                        f"at a missing {dangling[2]}; the register was left as it was.",
                        f"升级 {version}（{name}）发现 {dangling[0]} 的一行指向不存在的 "
                        f"{dangling[2]}，登记库未做改动。",
                    )
                for query, en, zh in MIGRATION_CHECKS.get(version, ()):
                    bad = conn.execute(query).fetchone()
                    if bad is not None:
                        raise _refuse(path, en.format(*bad), zh.format(*bad))
                conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (version, name)
                )
                conn.execute(f"PRAGMA application_id = {APP_ID}")
    finally:
        conn.execute("PRAGMA foreign_keys = ON")


@contextmanager
def _transaction(
    conn: sqlite3.Connection, path: Path | None = None
) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT. With the register's `path` (a command's transaction, not a
    migration's), a busy register and a failed write become one sentence each (L152, L154):
    the transaction is rolled back first, so "nothing was recorded" is then true."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        if path is not None and _is_busy(exc):
            raise _busy(path, lock_wait_seconds()) from exc
        raise
    try:
        yield conn
    except BaseException as exc:
        # the body failed — a report that could not be written (an OSError of its own,
        # L155), a refusal, an interrupt: rolled back and passed on as it is; a statement
        # that could not write the register is said in one sentence (L154)
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if path is not None and isinstance(exc, sqlite3.OperationalError) and _cannot_write(exc):
            raise _write_failed(path, exc) from exc
        raise
    try:
        if path is not None:
            write_point("register", str(path))
        conn.execute("COMMIT")
    except (sqlite3.OperationalError, OSError) as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        if path is None:
            raise
        raise _write_failed(path, exc) from exc
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _cannot_write(exc: BaseException) -> bool:
    """SQLite's words for a register it could not write (a full disk, a refused file)."""
    text = str(exc).lower()
    words = ("full", "readonly", "read-only", "disk i/o", "locked", "busy", "unable to open")
    return isinstance(exc, sqlite3.OperationalError) and any(w in text for w in words)


def _write_failed(path: Path, exc: sqlite3.OperationalError | OSError) -> RegisterError:
    """The register could not be written (L154) — or was busy (L152); rolled back."""
    if isinstance(exc, sqlite3.OperationalError) and _is_busy(exc):
        return _busy(path, lock_wait_seconds())
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return _refuse(
        path,
        f"could not be written ({reason}); the run was rolled back and nothing was "
        "recorded: free disk space or fix the folder's permissions, then run the command "
        "again.",
        f"无法写入（{reason}）；本次运行已回滚，未登记任何内容：请腾出磁盘空间或修正文件夹"
        "权限后重新运行本命令。",
    )


def _frame(cursor: sqlite3.Cursor, schema: dict[str, Any]) -> pl.DataFrame:
    """Rows of a query into a frame; ISO-text dates become pl.Date, 0/1 booleans."""
    rows = cursor.fetchall()
    text_schema = {
        k: (pl.Utf8 if v == pl.Date else pl.Int64 if v == pl.Boolean else v)
        for k, v in schema.items()
    }
    frame = pl.DataFrame(rows, schema=text_schema, orient="row")
    return frame.with_columns(
        [pl.col(k).str.to_date("%Y-%m-%d") for k, v in schema.items() if v == pl.Date]
        + [pl.col(k).cast(pl.Boolean) for k, v in schema.items() if v == pl.Boolean]
    )


# A character no identifier, code or ISO date holds: the separator of `_columns`.
_SEP = "\x1f"
# What a NULL is sent as within `_columns`' strings (char(30)).
_NULL = "\x1e"


def _columns(
    conn: sqlite3.Connection,
    query: str,
    args: Sequence[Any],
    schema: dict[str, Any],
    order: Sequence[str],
) -> pl.DataFrame:
    """A large query of text/integer columns read as columns, not rows: SQLite joins each
    column into one string (group_concat) that polars splits, so that Python does not make an
    object per row and field (the ten-year fund reads ~250,000 spells; issue 12). The query's
    columns are named as `schema`'s; a NULL travels as `_NULL` and comes back null. The rows
    come sorted by `order` (the table's key). Should a value hold the separator after all,
    the column lengths disagree and the rows are read one by one.
    """
    names = list(schema)
    joined = ", ".join(f"group_concat(ifnull({c}, char(30)), char(31))" for c in names)
    got = conn.execute(f"SELECT count(*), {joined} FROM ({query})", tuple(args)).fetchone()
    count, texts = got[0], got[1:]
    if not count:
        return _frame(conn.execute(query, tuple(args)), schema)
    cols = {
        n: pl.Series(n, [t], dtype=pl.Utf8).str.split(_SEP).explode()
        for n, t in zip(names, texts, strict=True)
    }
    if any(c.len() != count for c in cols.values()):
        return _frame(conn.execute(query, tuple(args)), schema).sort(list(order))
    frame = pl.DataFrame(list(cols.values())).with_columns(
        [pl.when(pl.col(n) != _NULL).then(pl.col(n)).alias(n) for n in names]
    )
    return frame.with_columns(
        [
            pl.col(k).str.to_date("%Y-%m-%d")
            if v == pl.Date
            else pl.col(k).cast(pl.Int64).cast(pl.Boolean)
            if v == pl.Boolean
            else pl.col(k).cast(v)
            for k, v in schema.items()
        ]
    ).sort(list(order))


def _rows(frame: pl.DataFrame, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """Frame rows as tuples for executemany, dates as ISO text, booleans as 0/1."""
    casts = []
    for c in columns:
        dtype = frame.schema[c]
        if dtype == pl.Date:
            casts.append(pl.col(c).dt.strftime("%Y-%m-%d"))
        elif dtype == pl.Boolean:
            casts.append(pl.col(c).cast(pl.Int64))
        else:
            casts.append(pl.col(c))
    return frame.select(casts).rows()


def _dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class SqliteRegister(Register):
    """A register kept in one SQLite file (the embedded default)."""

    def __init__(self, conn: sqlite3.Connection, location: Path) -> None:
        self._conn = conn
        self.location = location
        self._path = location
        self._holding = False

    @property
    def connection(self) -> sqlite3.Connection:
        """The SQLite connection, for the register's own tests and tools; callers above
        aidctl/register/ use the methods."""
        return self._conn

    # ------------------------------------------------------------ opening and closing

    @classmethod
    def connect(
        cls, location: Location, *, create: bool = True, read_only: bool = False
    ) -> SqliteRegister:
        path = _path(location)
        return cls(connect_file(path, create=create, read_only=read_only), path)

    @classmethod
    def exists(cls, location: Location) -> bool:
        return _path(location).exists()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[SqliteRegister]:
        try:
            with _transaction(self._conn, self._path):
                yield self
        finally:
            if self._holding:
                self._holding = False
                _holder_path(self._path).unlink(missing_ok=True)

    def _hold(self, run_id: str, command: str) -> None:
        """Note beside the register which run holds its write lock, so that a second writer
        can name it (L152). Best effort: a folder that refuses the note changes nothing."""
        note = {
            "run_id": run_id,
            "command": command,
            "pid": os.getpid(),
            "since": dt.datetime.now().strftime("%H:%M:%S"),
        }
        try:
            fd = os.open(_holder_path(self._path), os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(note, fh)
            self._holding = True
        except OSError:
            pass

    def lock_members(self, id_numbers: Iterable[str]) -> None:
        """Nothing to do: `transaction()` opens with BEGIN IMMEDIATE, which already holds
        the file's one write lock, so no other writer reads history until this one ends."""

    # ------------------------------------------------------------ helpers

    def _load_keys(self, table: str, keys: Iterable[str]) -> None:
        # a fresh table each time: refilling an emptied one is several times slower
        self._conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
        self._conn.execute(f"CREATE TEMP TABLE {table} (k TEXT PRIMARY KEY) WITHOUT ROWID")
        self._conn.executemany(
            f"INSERT OR IGNORE INTO {table} (k) VALUES (?)", ((k,) for k in sorted(set(keys)))
        )

    def _empty(self, table: str) -> bool:
        return self._conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})").fetchone()[0] == 1

    # ------------------------------------------------------------ runs

    def start_run(
        self,
        command: str,
        as_of: dt.date,
        input_file: str | None = None,
        input_sha256: str | None = None,
        policy_version: str | None = None,
        *,
        policy_versions: Sequence[str] | None = None,
        policy_file: str | None = None,
    ) -> str:
        run_id = new_run_id()
        self._hold(run_id, command)
        versions = json.dumps(sorted(policy_versions)) if policy_versions is not None else None
        self._conn.execute(
            "INSERT INTO runs (run_id, command, input_file, input_sha256, as_of, policy_version, "
            "policy_versions, policy_file, aidctl_version, started_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, datetime('now'))",
            (
                run_id,
                command,
                input_file,
                input_sha256,
                as_of.isoformat(),
                policy_version,
                versions,
                policy_file,
                __version__,
            ),
        )
        return run_id

    def finish_run(self, run_id: str, counts: dict[str, Any]) -> None:
        self._conn.execute(
            "UPDATE runs SET finished_at = datetime('now'), counts = ? WHERE run_id = ?",
            (json.dumps(counts, ensure_ascii=False, default=str), run_id),
        )

    def runs(self, limit: int = 50, command: str | None = None) -> list[dict[str, Any]]:
        where = "WHERE command = ?" if command else ""
        params: tuple[Any, ...] = (command, limit) if command else (limit,)
        cur = self._conn.execute(
            "SELECT run_id, command, input_file, input_sha256, as_of, started_at, finished_at, "
            f"counts FROM runs {where} ORDER BY rowid DESC LIMIT ?",
            params,
        )
        return _dicts(cur)

    def run(self, run_id: str) -> dict[str, Any] | None:
        cur = self._conn.execute(
            "SELECT run_id, command, input_file, input_sha256, as_of, policy_version, "
            "policy_versions, policy_file, aidctl_version, started_at, finished_at, counts "
            "FROM runs WHERE run_id = ?",
            (run_id,),
        )
        found = _dicts(cur)
        if not found:
            return None
        record = found[0]
        record["counts"] = json.loads(record["counts"]) if record["counts"] else {}
        # runs recorded before migration 5 kept only the latest version loaded
        versions = record["policy_versions"]
        record["policy_versions"] = (
            json.loads(versions)
            if versions is not None
            else [record["policy_version"]]
            if record["policy_version"]
            else []
        )
        return record

    def save_run_frames(self, run_id: str, frames: dict[str, pl.DataFrame]) -> None:
        for name, frame in frames.items():
            buffer = io.BytesIO()
            frame.write_ipc(buffer, compression="zstd")
            self._conn.execute(
                "INSERT OR REPLACE INTO run_frames (run_id, name, data) VALUES (?, ?, ?)",
                (run_id, name, buffer.getvalue()),
            )

    def run_frames(self, run_id: str) -> dict[str, pl.DataFrame]:
        cur = self._conn.execute(
            "SELECT name, data FROM run_frames WHERE run_id = ? ORDER BY name", (run_id,)
        )
        return {name: pl.read_ipc(io.BytesIO(data)) for name, data in cur.fetchall()}

    # ------------------------------------------------------------ units, contracts, spells

    def contracts_of_units(self, unit_codes: Iterable[str]) -> pl.DataFrame:
        if self._empty("contracts"):
            return pl.DataFrame(schema=CONTRACT_COLUMNS)
        self._load_keys("q_units", unit_codes)
        cur = self._conn.execute(
            f"SELECT {', '.join('c.' + k for k in CONTRACT_COLUMNS)} FROM q_units q "
            "CROSS JOIN contracts c ON c.unit_code = q.k"
        )
        return _frame(cur, CONTRACT_COLUMNS)

    def all_contracts(self) -> pl.DataFrame:
        cur = self._conn.execute(
            f"SELECT {', '.join(CONTRACT_COLUMNS)}, "
            "(SELECT count(*) FROM spells s WHERE s.contract_no = contracts.contract_no) "
            "AS members FROM contracts"
        )
        return _frame(cur, {**CONTRACT_COLUMNS, "members": pl.Int64})

    def units_info(self) -> pl.DataFrame:
        cur = self._conn.execute("SELECT unit_code, unit_name, contact, phone FROM units")
        return _frame(cur, UNIT_COLUMNS)

    def spells_of_ids(self, id_numbers: Iterable[str]) -> pl.DataFrame:
        """The key table drives the look-up (CROSS JOIN fixes SQLite's join order): without
        statistics the planner would otherwise scan every spell of the register — 15×
        slower for 100,000 claims against a million members."""
        if self._empty("spells"):
            return pl.DataFrame(schema=SPELL_COLUMNS)
        self._load_keys("q_ids", id_numbers)
        cur = self._conn.execute(
            f"SELECT {', '.join('s.' + k for k in SPELL_COLUMNS)} FROM q_ids q "
            "CROSS JOIN spells s ON s.id_number = q.k"
        )
        return _frame(cur, SPELL_COLUMNS)

    def record_enrollment(
        self, run_id: str, contracts: pl.DataFrame, spells: pl.DataFrame
    ) -> tuple[int, int]:
        conn = self._conn
        units = contracts.select("unit_code", "unit_name", "contact", "phone").unique("unit_code")
        conn.executemany(
            "INSERT INTO units (unit_code, unit_name, contact, phone, run_id) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(unit_code) DO UPDATE SET "
            "unit_name = excluded.unit_name, contact = coalesce(excluded.contact, contact), "
            "phone = coalesce(excluded.phone, phone)",
            [(*row, run_id) for row in units.rows()],
        )
        cols = list(CONTRACT_COLUMNS)
        before = conn.total_changes
        conn.executemany(
            f"INSERT OR IGNORE INTO contracts ({', '.join(cols)}, run_id) "
            f"VALUES ({', '.join('?' * len(cols))}, ?)",
            [(*row, run_id) for row in _rows(contracts, cols)],
        )
        added_contracts = conn.total_changes - before
        scols = list(SPELL_COLUMNS)
        # In key order the B-tree only appends; a large batch also goes faster with the
        # secondary index rebuilt once after it than updated a million times (inside the same
        # transaction, so a failure leaves the index as it was).
        ordered = spells.sort("id_number", "contract_no")
        bulk = ordered.height >= BULK_ROWS
        if bulk:
            conn.execute("DROP INDEX IF EXISTS spells_by_contract")
        before = conn.total_changes
        conn.executemany(
            f"INSERT OR IGNORE INTO spells ({', '.join(scols)}, run_id) "
            f"VALUES ({', '.join('?' * len(scols))}, ?)",
            [(*row, run_id) for row in _rows(ordered, scols)],
        )
        added = conn.total_changes - before
        if bulk:
            conn.execute("CREATE INDEX spells_by_contract ON spells(contract_no)")
        return added_contracts, added

    # ------------------------------------------------------------ claims and decisions

    def history_of_ids(self, id_numbers: Iterable[str], claim_ids: Iterable[str]) -> pl.DataFrame:
        self._load_keys("q_ids", id_numbers)
        self._load_keys("q_claims", claim_ids)
        cols = [k for k in HISTORY_COLUMNS if k != "voided"]
        cur = self._conn.execute(
            f"SELECT {', '.join('d.' + k for k in cols)}, (v.decision_id IS NOT NULL) AS voided "
            "FROM decisions d LEFT JOIN voids v ON v.decision_id = d.decision_id "
            "WHERE d.id_number IN (SELECT k FROM q_ids) OR d.claim_id IN (SELECT k FROM q_claims)"
        )
        return _frame(cur, HISTORY_COLUMNS)

    def record_decisions(self, run_id: str, decisions: pl.DataFrame) -> int:
        cols = list(DECISION_COLUMNS) + [
            c for c in OPTIONAL_DECISION_COLUMNS if c in decisions.columns
        ]
        self._conn.executemany(
            f"INSERT INTO decisions ({', '.join(cols)}, run_id) "
            f"VALUES ({', '.join('?' * len(cols))}, ?)",
            [(*row, run_id) for row in _rows(decisions, cols)],
        )
        return decisions.height

    def decisions_of_claim(self, claim_id: str) -> list[dict[str, Any]]:
        cur = self._conn.execute(
            "SELECT d.*, v.reason AS void_reason, v.run_id AS void_run FROM decisions d "
            "LEFT JOIN voids v ON v.decision_id = d.decision_id WHERE d.claim_id = ? "
            "ORDER BY d.decision_id",
            (claim_id,),
        )
        return _dicts(cur)

    def member_record(self, id_number: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """A member's cover spells (with unit names) and decisions (with voids), oldest
        first."""
        spells = _dicts(
            self._conn.execute(
                "SELECT s.contract_no, s.unit_code, u.unit_name, s.name, s.spell_start, "
                "s.term_start, s.term_end, s.first_time, s.policy_version FROM spells s "
                "LEFT JOIN units u ON u.unit_code = s.unit_code WHERE s.id_number = ? "
                "ORDER BY s.spell_start",
                (id_number,),
            )
        )
        decisions = _dicts(
            self._conn.execute(
                "SELECT d.decision_id, d.claim_id, d.run_id, d.status, d.amount, d.reason_code, "
                "d.clause, d.claim_type, d.disease_code, d.disability_grade, d.event_date, "
                "d.contract_no, d.cover_day, d.period, v.reason AS void_reason, "
                "v.run_id AS void_run FROM decisions d "
                "LEFT JOIN voids v ON v.decision_id = d.decision_id WHERE d.id_number = ? "
                "ORDER BY d.event_date, d.decision_id",
                (id_number,),
            )
        )
        return spells, decisions

    def live_decision(self, claim_id: str) -> dict[str, Any] | None:
        found = _dicts(
            self._conn.execute(
                "SELECT d.decision_id, d.claim_id, d.status, d.amount, d.reason_code "
                "FROM decisions d LEFT JOIN voids v ON v.decision_id = d.decision_id "
                "WHERE d.claim_id = ? AND v.decision_id IS NULL "
                "ORDER BY d.decision_id DESC LIMIT 1",
                (claim_id,),
            )
        )
        return found[0] if found else None

    def record_void(self, decision_id: int, run_id: str, reason: str) -> None:
        self._conn.execute(
            "INSERT INTO voids (decision_id, run_id, reason) VALUES (?, ?, ?)",
            (decision_id, run_id, reason),
        )

    def payments_in_period(self, period: str) -> pl.DataFrame:
        """So that a month's export adds up to what the month moved."""
        # L102, L182: by unit and claim, then by the payment a row is or reverses (its
        # decision), payment first: a reversal right after the payment it reverses, before
        # the claim's payment again
        cur = self._conn.execute(
            f"SELECT {', '.join(PAYMENT_COLUMNS)} FROM ("
            "SELECT 'payment' AS kind, d.claim_id AS claim_id, d.run_id AS run_id, "
            "r.as_of AS as_of, d.id_number AS id_number, d.name AS name, "
            "d.unit_code AS unit_code, u.unit_name AS unit_name, d.claim_type AS claim_type, "
            "d.reason_code AS reason_code, d.amount AS amount, NULL AS note, "
            "d.decision_id AS paid "
            "FROM decisions d JOIN runs r ON r.run_id = d.run_id "
            "LEFT JOIN units u ON u.unit_code = d.unit_code "
            "WHERE d.status = 'approved' AND d.amount > 0 AND substr(r.as_of, 1, 7) = ? "
            "UNION ALL "
            "SELECT 'reversal', d.claim_id, v.run_id, r.as_of, d.id_number, d.name, d.unit_code, "
            "u.unit_name, d.claim_type, d.reason_code, -d.amount, v.reason, d.decision_id "
            "FROM voids v JOIN decisions d ON d.decision_id = v.decision_id "
            "JOIN runs r ON r.run_id = v.run_id LEFT JOIN units u ON u.unit_code = d.unit_code "
            "WHERE d.status = 'approved' AND d.amount > 0 AND substr(r.as_of, 1, 7) = ?"
            ") ORDER BY unit_code, claim_id, paid, kind",
            (period, period),
        )
        return _frame(cur, PAYMENT_COLUMNS)

    # ------------------------------------------------------------ open items and reopens

    def open_items(
        self, unit_code: str | None = None, claim_ids: Iterable[str] | None = None
    ) -> pl.DataFrame:
        where = ["i.closed_run IS NULL"]
        params: list[Any] = []
        if unit_code is not None:
            where.append("i.unit_code = ?")
            params.append(unit_code)
        if claim_ids is not None:
            self._load_keys("q_items", claim_ids)
            where.append("i.claim_id IN (SELECT k FROM q_items)")
        cur = self._conn.execute(
            _ITEM_SELECT + "WHERE " + " AND ".join(where) + " ORDER BY i.opened_on, i.item_id",
            params,
        )
        return _frame(cur, OPEN_ITEM_COLUMNS)

    def record_open_items(
        self, run_id: str, as_of: dt.date, pending: pl.DataFrame
    ) -> tuple[int, int]:
        cols = list(ITEM_COLUMNS)
        if pending.is_empty():
            return 0, 0
        day = as_of.isoformat()
        already = set(self.open_items(claim_ids=pending["claim_id"].to_list())["claim_id"])
        known = pending["claim_id"].is_in(list(already))
        fresh, seen = pending.filter(~known), pending.filter(known)
        setters = ", ".join(f"{c} = ?" for c in cols[1:])
        self._conn.executemany(
            f"UPDATE open_items SET {setters}, last_run = ?, last_on = ?, "
            "times_seen = times_seen + 1 WHERE claim_id = ? AND closed_run IS NULL",
            [(*row[1:], run_id, day, row[0]) for row in _rows(seen, cols)],
        )
        self._conn.executemany(
            f"INSERT INTO open_items ({', '.join(cols)}, opened_run, opened_on, last_run, "
            f"last_on) VALUES ({', '.join('?' * len(cols))}, ?, ?, ?, ?)",
            [(*row, run_id, day, run_id, day) for row in _rows(fresh, cols)],
        )
        return fresh.height, seen.height

    def close_items(
        self,
        claim_ids: Iterable[str],
        run_id: str,
        as_of: dt.date,
        how: str,
        reason: str | None = None,
    ) -> int:
        # the open items are few (a month's pending claims), the claims decided many: look
        # the few up among the many rather than load 100,000 keys into a table
        open_ids = {r[0] for r in self._conn.execute(_OPEN_CLAIM_IDS)}
        closing = sorted(open_ids.intersection(claim_ids))
        self._conn.executemany(
            "UPDATE open_items SET closed_run = ?, closed_on = ?, closed_how = ?, "
            "closed_reason = ?, closed_at = datetime('now') "
            "WHERE closed_run IS NULL AND claim_id = ?",
            [(run_id, as_of.isoformat(), how, reason, k) for k in closing],
        )
        return len(closing)

    def items_of_claim(self, claim_id: str) -> list[dict[str, Any]]:
        return _dicts(
            self._conn.execute(
                "SELECT * FROM open_items WHERE claim_id = ? ORDER BY item_id", (claim_id,)
            )
        )

    def record_reopen(self, decision_id: int, run_id: str, reason: str) -> None:
        self.record_void(decision_id, run_id, reason)
        self._conn.execute(
            "INSERT INTO reopens (decision_id, run_id, reason) VALUES (?, ?, ?)",
            (decision_id, run_id, reason),
        )

    def reopens_of_claim(self, claim_id: str) -> list[dict[str, Any]]:
        return _dicts(
            self._conn.execute(
                "SELECT r.decision_id, r.run_id, r.reason, r.reopened_at FROM reopens r "
                "JOIN decisions d ON d.decision_id = r.decision_id WHERE d.claim_id = ? "
                "ORDER BY r.decision_id",
                (claim_id,),
            )
        )

    # ------------------------------------------------------------ the fund (issue 12)

    def record_additions(self, run_id: str, additions: pl.DataFrame) -> int:
        cols = ["contract_no", "billed_on", "members", "amount"]
        self._conn.executemany(
            "INSERT INTO additions (contract_no, billed_on, members, amount, run_id) "
            "VALUES (?, ?, ?, ?, ?)",
            [(*row, run_id) for row in _rows(additions, cols)],
        )
        return additions.height

    def record_receipts(self, run_id: str, receipts: pl.DataFrame) -> int:
        cols = list(RECEIPT_COLUMNS)
        self._conn.executemany(
            f"INSERT INTO receipts ({', '.join(cols)}, run_id) VALUES (?, ?, ?, ?, ?)",
            [(*row, run_id) for row in _rows(receipts, cols)],
        )
        return receipts.height

    def receipts(self) -> pl.DataFrame:
        cur = self._conn.execute(
            f"SELECT {', '.join(RECEIPT_COLUMNS)} FROM receipts ORDER BY received_on, reference"
        )
        return _frame(cur, RECEIPT_COLUMNS)

    def additions(self) -> pl.DataFrame:
        cur = self._conn.execute(
            "SELECT a.contract_no, c.unit_code, a.billed_on, a.members, a.amount "
            "FROM additions a JOIN contracts c ON c.contract_no = a.contract_no "
            "ORDER BY a.billed_on, a.contract_no"
        )
        return _frame(cur, ADDITION_COLUMNS)

    def contract_totals(self) -> pl.DataFrame:
        cur = self._conn.execute(
            "SELECT c.contract_no, c.unit_code, c.contribution_total, "
            "coalesce(sum(a.members), 0), coalesce(sum(a.amount), 0), "
            "c.contribution_total + coalesce(sum(a.amount), 0) "
            "FROM contracts c LEFT JOIN additions a ON a.contract_no = c.contract_no "
            "GROUP BY c.contract_no, c.unit_code, c.contribution_total ORDER BY c.contract_no"
        )
        return _frame(cur, CONTRACT_TOTAL_COLUMNS)

    def fund_contracts(self) -> pl.DataFrame:
        cur = self._conn.execute(
            f"SELECT {', '.join(FUND_CONTRACT_COLUMNS)} FROM contracts ORDER BY contract_no"
        )
        return _frame(cur, FUND_CONTRACT_COLUMNS)

    def fund_spells(self, start: dt.date | None = None, end: dt.date | None = None) -> pl.DataFrame:
        where = ""
        args: tuple[str, ...] = ()
        if start is not None and end is not None:
            where = " WHERE term_end >= ? AND spell_start <= ?"
            args = (start.isoformat(), end.isoformat())
        return _columns(
            self._conn,
            f"SELECT {', '.join(FUND_SPELL_COLUMNS)} FROM spells{where}",
            args,
            FUND_SPELL_COLUMNS,
            order=("id_number", "contract_no"),
        )

    def fund_decisions(
        self, since: dt.date | None = None, *, content: bool = False
    ) -> pl.DataFrame:
        query = (
            "SELECT d.decision_id AS decision_id, d.claim_id AS claim_id, r.as_of AS run_as_of, "
            "d.status AS status, d.amount AS amount, d.reason_code AS reason_code, "
            "d.claim_type AS claim_type, d.disease_code AS disease_code, "
            "d.unit_code AS unit_code, d.event_date AS event_date, d.id_number AS id_number, "
            + ("d.content" if content else "NULL")
            + " AS content, (v.decision_id IS NOT NULL) AS voided "
            "FROM decisions d JOIN runs r ON r.run_id = d.run_id "
            "LEFT JOIN voids v ON v.decision_id = d.decision_id "
            + ("WHERE r.as_of >= ? " if since is not None else "")
        )
        args = (since.isoformat(),) if since is not None else ()
        if content:  # the claims' own text (JSON, `simulate`): read as rows, as it is
            return _frame(
                self._conn.execute(query + "ORDER BY d.decision_id", args), FUND_DECISION_COLUMNS
            )
        return _columns(self._conn, query, args, FUND_DECISION_COLUMNS, order=("decision_id",))

    def fund_voids(self) -> pl.DataFrame:
        cur = self._conn.execute(
            "SELECT v.decision_id, r.as_of, d.amount FROM voids v "
            "JOIN decisions d ON d.decision_id = v.decision_id "
            "JOIN runs r ON r.run_id = v.run_id ORDER BY v.decision_id"
        )
        return _frame(cur, FUND_VOID_COLUMNS)

    # ------------------------------------------------------------ the monthly batch

    def batch_file(self, sha256: str) -> dict[str, Any] | None:
        found = _dicts(self._conn.execute("SELECT * FROM batch_files WHERE sha256 = ?", (sha256,)))
        return found[0] if found else None

    def record_batch_file(
        self,
        sha256: str,
        name: str,
        kind: str,
        period: str,
        run_id: str | None,
        outcome: str,
        counts: dict[str, Any],
    ) -> None:
        self._conn.execute(
            "INSERT INTO batch_files (sha256, name, kind, period, run_id, outcome, counts) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (sha256, name, kind, period, run_id, outcome, json.dumps(counts, ensure_ascii=False)),
        )

    def batch_files(self) -> pl.DataFrame:
        cur = self._conn.execute(
            "SELECT sha256, name, kind, period, run_id, outcome, counts, processed_at "
            "FROM batch_files ORDER BY rowid"
        )
        return _frame(cur, BATCH_FILE_COLUMNS)

    def run_money(self) -> pl.DataFrame:
        cur = self._conn.execute(
            "SELECT d.run_id, r.command, r.as_of, "
            "sum(CASE WHEN d.status = 'approved' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN d.status = 'rejected' THEN 1 ELSE 0 END), "
            "sum(CASE WHEN d.status = 'approved' THEN d.amount ELSE 0 END), "
            "sum(CASE WHEN v.decision_id IS NULL THEN 0 ELSE 1 END), "
            "sum(CASE WHEN v.decision_id IS NULL OR d.status <> 'approved' "
            "THEN 0 ELSE d.amount END) "
            "FROM decisions d JOIN runs r ON r.run_id = d.run_id "
            "LEFT JOIN voids v ON v.decision_id = d.decision_id "
            "GROUP BY d.run_id, r.command, r.as_of ORDER BY d.run_id"
        )
        return _frame(cur, RUN_MONEY_COLUMNS)

    # ------------------------------------------------------------ maintenance

    @classmethod
    def backup_to(cls, source: Location, target: Location) -> int:
        """SQLite's online backup (consistent while others write). The copy is written
        beside `target` and renamed onto it, owner-only like the register. Returns the
        number of pages copied."""
        src, dst = _path(source), _path(target)
        if dst.exists() and dst.is_dir():
            dst = dst / src.name
        conn = connect_file(src, create=False, read_only=True, any_version=True)
        tmp = dst.with_name(f".{dst.name}.tmp")
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
            os.replace(tmp, dst)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        finally:
            conn.close()
        return int(pages)

    @classmethod
    def check_at(cls, location: Location) -> list[str]:
        """SQLite's integrity check and foreign-key check."""
        conn = connect_file(_path(location), create=False, read_only=True, any_version=True)
        try:
            problems = [r[0] for r in conn.execute("PRAGMA integrity_check") if r[0] != "ok"]
            problems += [
                f"foreign key: {table} row {rowid} -> {parent}"
                for table, rowid, parent, _fk in conn.execute("PRAGMA foreign_key_check")
            ]
        finally:
            conn.close()
        return problems
