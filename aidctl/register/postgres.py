"""`PostgresRegister`: the register in a PostgreSQL database, for several clerks at once.

Every PostgreSQL-specific line of aidctl is here (and the DDL in postgres_schema.py): psycopg 3,
COPY for bulk loads, `= ANY(array)` look-ups, advisory locks, pg_dump. It answers the same
methods with the same frames as `SqliteRegister`: dates leave the database as ISO text (a
text loader) and become pl.Date in the frames, exactly as SQLite's ISO text does.

Concurrency (issue 14): a decision depends on the member's history (caps A5.1/A5.5, "once",
"earlier"), so two runs deciding claims of one member must not both read the history before
either has written. `lock_members` takes a transaction-scoped advisory lock per member
(bucketed, see `lock_members`), in sorted order, before the history is read; the second run
waits, then reads the first run's committed decisions (READ COMMITTED reads afresh for every
statement) and decides on them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import inspect
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import psycopg
from psycopg.pq import TransactionStatus
from psycopg.types.string import TextLoader

from aidctl import __version__
from aidctl.errors import RegisterError
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
from aidctl.register.postgres_schema import APP_ID, MIGRATIONS
from aidctl.register.register import (
    LOCK_WAIT_ENV,
    Location,
    Register,
    lock_wait_seconds,
    new_run_id,
)

# Advisory locks: the first key names aidctl's lock space ("AIDC"), the second a bucket of
# members. PostgreSQL's lock table is shared and bounded (max_locks_per_transaction ×
# max_connections, 6,400 by default), so a run of 100,000 members cannot hold one lock per
# member; it holds at most LOCK_BUCKETS. Two members in one bucket wait for each other
# needlessly, never wrongly.
LOCK_SPACE = APP_ID
LOCK_BUCKETS = 1024
MIGRATION_LOCK = -1  # the bucket that serialises two clerks creating the schema at once
# L190: while it migrates, a session is named so (transaction-local, like a run's name), so
# that an opener that waited for it can say a schema upgrade holds the register
UPGRADE_NAME = "aidctl upgrade"
_ITEM_SELECT = (
    "SELECT i.item_id, i.claim_id, i.id_number, i.name, i.unit_code, i.claim_type, "
    "i.event_date, i.disease_code, i.disability_grade, i.reason_code, i.clause, i.detail, "
    "u.unit_name, i.opened_on, i.opened_run, i.last_on, i.last_run, i.times_seen "
    "FROM open_items i LEFT JOIN units u ON u.unit_code = i.unit_code "
)
_OPEN_CLAIM_IDS = "SELECT claim_id FROM open_items WHERE closed_run IS NULL"


def _shown(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


def _refuse(url: str, en: str, zh: str) -> RegisterError:
    return RegisterError(f"Register {_shown(url)}: {en}", f"登记库 {_shown(url)}：{zh}")


def _member_bucket(id_number: str) -> int:
    """A stable bucket for an id number, the same in every process (not Python's hash)."""
    digest = hashlib.blake2b(id_number.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % LOCK_BUCKETS


# L190: who holds a lock in this database — a session holding a granted table or advisory
# lock here; an aidctl run (or upgrade) first, then a session holding more than a reader's
# lock, then the oldest transaction. The lock this session waited for is no longer asked for
# once it gave up (pg_blocking_pids is empty by then), so this is who holds locks now. Another
# role's session shows its name, process and user but not its transaction's start (NULL).
_HOLDER = (
    "SELECT a.application_name, a.pid, to_char(a.xact_start, 'HH24:MI:SS'), a.usename "
    "FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid AND l.granted "
    "WHERE a.pid <> pg_backend_pid() AND l.locktype IN ('relation', 'advisory') "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "GROUP BY a.pid, a.application_name, a.xact_start, a.usename "
    "ORDER BY a.application_name LIKE 'aidctl %' DESC, "
    "bool_or(l.mode <> 'AccessShareLock') DESC, a.xact_start NULLS LAST LIMIT 1"
)


def _holder_words(row: Sequence[Any] | None) -> tuple[str, str]:
    """The holder and what it does, in English and Chinese (L152, L190): an aidctl run by its
    run id, command, process and start; a schema upgrade; another program's session by its
    application, user and process; or, when it has finished meanwhile, "another session"."""
    if row is None:
        return "another session held a lock on it", "另一个会话持有其锁"
    name, pid, start, user = (str(v) if v is not None else "" for v in row)
    since, since_zh = (f", since {start}", f"，自 {start} 起") if start else ("", "")
    if name == UPGRADE_NAME:
        return (
            f"an aidctl schema upgrade (process {pid}{since}) is writing to it",
            f"aidctl 的结构升级（进程 {pid}{since_zh}）正在写入",
        )
    parts = name.split(" ")
    if len(parts) == 3 and parts[0] == "aidctl":
        _, command, run_id = parts
        return (
            f"run {run_id} ({command}, process {pid}{since}) is writing to it",
            f"运行 {run_id}（{command}，进程 {pid}{since_zh}）正在写入",
        )
    app_en = f"application {name}, " if name else ""
    app_zh = f"应用 {name}，" if name else ""
    user_en = f"user {user}, " if user else ""
    user_zh = f"用户 {user}，" if user else ""
    return (
        f"another session ({app_en}{user_en}process {pid}{since}) holds a lock on it",
        f"另一个会话（{app_zh}{user_zh}进程 {pid}{since_zh}）持有其锁",
    )


def _busy_error(conn: psycopg.Connection[Any], url: str) -> RegisterError:
    """One sentence for a register another session holds (L152, L190), the same as SQLite's:
    who holds it, how long this one waited (lock_wait_seconds), nothing was recorded. `conn`
    must be out of its failed transaction (autocommit, or after the rollback)."""
    try:
        row = conn.execute(_HOLDER).fetchone()
    except psycopg.Error:
        row = None  # the holder cannot be named; the wait still can
    who_en, who_zh = _holder_words(row)
    secs = f"{lock_wait_seconds():g}"
    return _refuse(
        url,
        f"is busy: {who_en}; waited {secs} s (lock_wait_seconds, ${LOCK_WAIT_ENV}); nothing "
        "was recorded: run the command again when it has finished.",
        f"正被占用：{who_zh}；已等待 {secs} 秒（lock_wait_seconds，${LOCK_WAIT_ENV}），"
        "未登记任何内容：请待其结束后重新运行本命令。",
    )


def _cancelled(url: str, exc: psycopg.errors.QueryCanceled) -> RegisterError:
    """The server cancelled a statement (L191): a statement_timeout set for the database or
    the role, or an administrator's pg_cancel_backend. Not called busy — the tool cannot
    know the statement was waiting for a lock — but said as it is, in one sentence; the
    transaction was rolled back, so nothing was recorded."""
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return _refuse(
        url,
        f"the server cancelled a statement ({reason}); nothing was recorded: run the command "
        "again, and if it happens again ask the database's administrator about "
        "statement_timeout.",
        f"服务器取消了一条语句（{reason}），未登记任何内容：请重新运行本命令；如再次发生，"
        "请向数据库管理员询问 statement_timeout 的设置。",
    )


def _wait_ms() -> int:
    """lock_wait_seconds in milliseconds for lock_timeout and pg_dump (L152, L190): at least
    1, since 0 would mean waiting forever."""
    return max(1, int(lock_wait_seconds() * 1000))


def _open(url: str) -> psycopg.Connection[Any]:
    """Connect, or say in one sentence why not (L101: exit 2, never a fall-back to a file)."""
    try:
        conn = psycopg.connect(url, autocommit=True, connect_timeout=10)
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise _refuse(
            url,
            f"the PostgreSQL server cannot be reached or the database does not exist "
            f"({reason}); check the address, that the server runs and that the database was "
            "created (createdb).",
            f"无法连接 PostgreSQL 服务器或数据库不存在（{reason}）；请检查地址、服务器是否运行、"
            "数据库是否已创建（createdb）。",
        ) from exc
    conn.execute("SET DateStyle = 'ISO, YMD'")
    conn.execute("SET TimeZone = 'UTC'")
    # L152: wait lock_wait_seconds for another run's locks, then say so (0 would mean forever)
    conn.execute(f"SET lock_timeout = {_wait_ms()}")
    for name in ("date", "timestamp"):
        conn.adapters.register_loader(name, TextLoader)
    return conn


def _state(conn: psycopg.Connection[Any]) -> str:
    """'ours', 'empty' or 'foreign': what the database's current schema holds (L88)."""
    row = conn.execute("SELECT to_regclass('aidctl_register') IS NOT NULL").fetchone()
    if row is not None and row[0]:
        found = conn.execute("SELECT application_id FROM aidctl_register").fetchone()
        return "ours" if found is not None and found[0] == APP_ID else "foreign"
    row = conn.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')"
    ).fetchone()
    return "empty" if row is not None and row[0] == 0 else "foreign"


def _versions(conn: psycopg.Connection[Any]) -> set[int]:
    row = conn.execute("SELECT to_regclass('schema_migrations') IS NOT NULL").fetchone()
    if row is None or not row[0]:
        return set()
    return {int(r[0]) for r in conn.execute("SELECT version FROM schema_migrations")}


def _check_version(url: str, done: set[int], read_only: bool) -> None:
    """A newer schema is refused (L151), by every command; an older one by a command that
    only reads (it never migrates), each with one sentence naming both versions."""
    known = max(m[0] for m in MIGRATIONS)
    have = max(done) if done else 0
    if have > known:
        raise _refuse(
            url,
            f"has schema version {have}, newer than the version {known} this aidctl knows; "
            "it was left untouched: use the aidctl that wrote it (or a newer one).",
            f"的结构版本为 {have}，高于本 aidctl 所知的版本 {known}；未做任何改动："
            "请使用写入它的（或更新的）aidctl。",
        )
    if read_only and have < known:
        raise _refuse(
            url,
            f"has schema version {have}, older than the version {known} this aidctl reads; "
            "this command only reads, so it was left untouched: a recording command (enroll, "
            "adjudicate, void, renewals) upgrades it first.",
            f"的结构版本为 {have}，低于本 aidctl 读取的版本 {known}；本命令只读，未做任何改动："
            "记录类命令（enroll、adjudicate、void、renewals）会先将其升级。",
        )


def connect_url(
    url: str, *, create: bool = True, read_only: bool = False
) -> psycopg.Connection[Any]:
    """Open the register at `url` and bring its schema up to date; refuse a database that
    holds something else, and (unless `create`) one that holds nothing yet. `read_only`:
    never create or migrate (L151), the session is read-only."""
    conn = _open(url)
    try:
        state = _state(conn)
        if state == "foreign":
            raise _refuse(
                url,
                "is not an aidctl register (the database holds other tables); it was left "
                "untouched.",
                "不是 aidctl 登记库（数据库中有其他表），未做任何改动。",
            )
        if state == "empty" and (read_only or not create):
            raise _refuse(
                url,
                "does not exist (nothing has been enrolled into it yet).",
                "不存在（尚未登记任何内容）。",
            )
        _check_version(url, _versions(conn), read_only)
        if read_only:
            conn.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        else:
            _migrate(conn, url)
    except psycopg.errors.LockNotAvailable as exc:
        # L190: another session's migration (or a lock on a table) outlasted lock_timeout;
        # `_migrate`'s transaction is rolled back by now, so the holder can be looked up
        busy = _busy_error(conn, url)
        conn.close()
        raise busy from exc
    except psycopg.errors.QueryCanceled as exc:
        conn.close()
        raise _cancelled(url, exc) from exc  # L191
    except psycopg.Error as exc:
        conn.close()
        raise _refuse(
            url, f"cannot be read ({exc}); it was left as it was.", f"无法读取（{exc}），未做改动。"
        ) from exc
    except BaseException:
        conn.close()
        raise
    return conn


def _migrate(conn: psycopg.Connection[Any], url: str) -> None:
    """Apply the migrations not yet recorded, each in its own transaction, under a lock so
    that two clerks opening a new database at once do not both create it."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", (LOCK_SPACE, MIGRATION_LOCK))
        conn.execute("SELECT set_config('application_name', %s, true)", (UPGRADE_NAME,))
        state = _state(conn)  # again, under the lock
        if state == "foreign":
            raise _refuse(
                url,
                "is not an aidctl register (the database holds other tables); it was left "
                "untouched.",
                "不是 aidctl 登记库（数据库中有其他表），未做任何改动。",
            )
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
            "name TEXT NOT NULL, applied_at TIMESTAMP(0) NOT NULL "
            "DEFAULT (now() AT TIME ZONE 'UTC'))"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
        _check_version(url, done, False)  # again, under the lock
        for version, name, sql in MIGRATIONS:
            if version in done:
                continue
            with conn.transaction():
                conn.execute(sql.encode())  # several statements, no parameters
                conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                    (version, name),
                )


def _frame(rows: Sequence[tuple[Any, ...]], schema: dict[str, Any]) -> pl.DataFrame:
    """Rows into a frame of `schema`; ISO-text dates become pl.Date."""
    text_schema = {k: (pl.Utf8 if v == pl.Date else v) for k, v in schema.items()}
    frame = pl.DataFrame(list(rows), schema=text_schema, orient="row")
    return frame.with_columns(
        [pl.col(k).str.to_date("%Y-%m-%d") for k, v in schema.items() if v == pl.Date]
    )


def _rows(frame: pl.DataFrame, columns: Sequence[str]) -> list[tuple[Any, ...]]:
    """Frame rows as tuples for executemany (psycopg adapts dates and booleans)."""
    return frame.select(list(columns)).rows()


def _dicts(cur: psycopg.Cursor[Any]) -> list[dict[str, Any]]:
    names = [d.name for d in cur.description or ()]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _is_url(location: Location) -> str:
    return str(location)


class PostgresRegister(Register):
    """A register kept in a PostgreSQL database (several clerks at once)."""

    def __init__(self, conn: psycopg.Connection[Any], location: str) -> None:
        self._conn = conn
        self.location = location

    @property
    def connection(self) -> psycopg.Connection[Any]:
        """The psycopg connection, for the register's own tests; callers use the methods."""
        return self._conn

    # ------------------------------------------------------------ opening and closing

    @classmethod
    def connect(
        cls, location: Location, *, create: bool = True, read_only: bool = False
    ) -> PostgresRegister:
        url = _is_url(location)
        return cls(connect_url(url, create=create, read_only=read_only), url)

    @classmethod
    def exists(cls, location: Location) -> bool:
        conn = _open(_is_url(location))
        try:
            return _state(conn) != "empty"
        except psycopg.errors.LockNotAvailable as exc:
            raise _busy_error(conn, _is_url(location)) from exc  # L190
        finally:
            conn.close()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[PostgresRegister]:
        try:
            with self._conn.transaction():
                yield self
        except psycopg.errors.LockNotAvailable as exc:
            raise self._busy() from exc
        except psycopg.errors.QueryCanceled as exc:
            raise _cancelled(str(self.location), exc) from exc  # L191

    def _busy(self) -> RegisterError:
        """One sentence for a register another run holds (L152): the run, as it named its
        session (`start_run`), or whichever session holds a lock here (L190), and how long
        this one waited."""
        return _busy_error(self._conn, str(self.location))

    def lock_members(self, id_numbers: Iterable[str]) -> None:
        """Wait for every other run deciding one of these members, then hold them until
        this transaction ends (L87). The buckets are taken in ascending order, so two runs never
        wait for each other in a circle (no deadlock); `unnest` hands the array out in its
        order."""
        buckets = sorted({_member_bucket(k) for k in id_numbers})
        if not buckets:
            return
        self._conn.execute(
            "SELECT count(pg_advisory_xact_lock(%s, b)) FROM unnest(%s::int[]) AS t(b)",
            (LOCK_SPACE, buckets),
        )

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
        # L152: the session names its run while the transaction lasts, so that a run
        # waiting for its locks can say which run holds them
        self._conn.execute(
            "SELECT set_config('application_name', %s, true)", (f"aidctl {command} {run_id}",)
        )
        versions = json.dumps(sorted(policy_versions)) if policy_versions is not None else None
        self._conn.execute(
            "INSERT INTO runs (run_id, command, input_file, input_sha256, as_of, policy_version, "
            "policy_versions, policy_file, aidctl_version, started_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, now() AT TIME ZONE 'UTC')",
            (
                run_id,
                command,
                input_file,
                input_sha256,
                as_of,
                policy_version,
                versions,
                policy_file,
                __version__,
            ),
        )
        return run_id

    def finish_run(self, run_id: str, counts: dict[str, Any]) -> None:
        self._conn.execute(
            "UPDATE runs SET finished_at = now() AT TIME ZONE 'UTC', counts = %s WHERE run_id = %s",
            (json.dumps(counts, ensure_ascii=False, default=str), run_id),
        )

    def runs(self, limit: int = 50, command: str | None = None) -> list[dict[str, Any]]:
        where = "WHERE command = %s" if command else ""
        params: tuple[Any, ...] = (command, limit) if command else (limit,)
        cur = self._conn.execute(
            "SELECT run_id, command, input_file, input_sha256, as_of, started_at, finished_at, "
            f"counts FROM runs {where} ORDER BY seq DESC LIMIT %s",
            params,
        )
        return _dicts(cur)

    def run(self, run_id: str) -> dict[str, Any] | None:
        cur = self._conn.execute(
            "SELECT run_id, command, input_file, input_sha256, as_of, policy_version, "
            "policy_versions, policy_file, aidctl_version, started_at, finished_at, counts "
            "FROM runs WHERE run_id = %s",
            (run_id,),
        )
        found = _dicts(cur)
        if not found:
            return None
        record = found[0]
        record["counts"] = json.loads(record["counts"]) if record["counts"] else {}
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
                "INSERT INTO run_frames (run_id, name, data) VALUES (%s, %s, %s) "
                "ON CONFLICT (run_id, name) DO UPDATE SET data = excluded.data",
                (run_id, name, buffer.getvalue()),
            )

    def run_frames(self, run_id: str) -> dict[str, pl.DataFrame]:
        cur = self._conn.execute(
            "SELECT name, data FROM run_frames WHERE run_id = %s ORDER BY name", (run_id,)
        )
        return {name: pl.read_ipc(io.BytesIO(bytes(data))) for name, data in cur.fetchall()}

    # ------------------------------------------------------------ units, contracts, spells

    def contracts_of_units(self, unit_codes: Iterable[str]) -> pl.DataFrame:
        if self._empty("contracts"):
            return pl.DataFrame(schema=CONTRACT_COLUMNS)
        cur = self._conn.execute(
            f"SELECT {', '.join(CONTRACT_COLUMNS)} FROM contracts WHERE unit_code = ANY(%s)",
            (sorted(set(unit_codes)),),
        )
        return _frame(cur.fetchall(), CONTRACT_COLUMNS)

    def all_contracts(self) -> pl.DataFrame:
        cur = self._conn.execute(
            f"SELECT {', '.join(CONTRACT_COLUMNS)}, "
            "(SELECT count(*) FROM spells s WHERE s.contract_no = contracts.contract_no) "
            "AS members FROM contracts"
        )
        return _frame(cur.fetchall(), {**CONTRACT_COLUMNS, "members": pl.Int64})

    def units_info(self) -> pl.DataFrame:
        cur = self._conn.execute("SELECT unit_code, unit_name, contact, phone FROM units")
        return _frame(cur.fetchall(), UNIT_COLUMNS)

    def _empty(self, table: str) -> bool:
        row = self._conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})").fetchone()
        return row is not None and bool(row[0])

    def spells_of_ids(self, id_numbers: Iterable[str]) -> pl.DataFrame:
        """As SQLite does: a register without spells answers at once, without sending a
        million id numbers to the server (the first enrolment's check)."""
        if self._empty("spells"):
            return pl.DataFrame(schema=SPELL_COLUMNS)
        cur = self._conn.execute(
            f"SELECT {', '.join(SPELL_COLUMNS)} FROM spells WHERE id_number = ANY(%s)",
            (sorted(set(id_numbers)),),
        )
        return _frame(cur.fetchall(), SPELL_COLUMNS)

    def _copy_in(self, table: str, frame: pl.DataFrame, cols: list[str], run_id: str) -> None:
        """COPY a frame's columns (and the run id) into `table` as CSV written by polars in
        one call: a million spells go in without a Python loop over rows. Strings are quoted
        and nulls are not, so that an empty text stays '' and a missing one NULL; dates are
        ISO, booleans true/false, as PostgreSQL reads them."""
        data = frame.select(*cols, pl.lit(run_id).alias("run_id")).write_csv(
            include_header=False, quote_style="non_numeric", null_value=""
        )
        with self._conn.cursor().copy(
            f"COPY {table} ({', '.join(cols)}, run_id) FROM STDIN (FORMAT csv)"
        ) as copy:
            copy.write(data.encode())

    def _copy_new(self, table: str, frame: pl.DataFrame, cols: list[str], run_id: str) -> int:
        """COPY the rows into a scratch table, then insert those not there yet (E5: what is
        already in the register stays as it is). Returns the rows added."""
        scratch = f"new_{table}"
        self._conn.execute(f"DROP TABLE IF EXISTS pg_temp.{scratch}")
        self._conn.execute(
            f"CREATE TEMP TABLE {scratch} AS SELECT {', '.join(cols)}, run_id FROM {table} "
            "WITH NO DATA"
        )
        self._copy_in(scratch, frame, cols, run_id)
        cur = self._conn.execute(
            f"INSERT INTO {table} ({', '.join(cols)}, run_id) "
            f"SELECT {', '.join(cols)}, run_id FROM {scratch} ON CONFLICT DO NOTHING"
        )
        added = cur.rowcount
        self._conn.execute(f"DROP TABLE pg_temp.{scratch}")
        return added

    def record_enrollment(
        self, run_id: str, contracts: pl.DataFrame, spells: pl.DataFrame
    ) -> tuple[int, int]:
        units = contracts.select("unit_code", "unit_name", "contact", "phone").unique("unit_code")
        with self._conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO units (unit_code, unit_name, contact, phone, run_id) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (unit_code) DO UPDATE SET "
                "unit_name = excluded.unit_name, "
                "contact = coalesce(excluded.contact, units.contact), "
                "phone = coalesce(excluded.phone, units.phone)",
                [(*row, run_id) for row in units.sort("unit_code").rows()],
            )
        added_contracts = self._copy_new("contracts", contracts, list(CONTRACT_COLUMNS), run_id)
        ordered = spells.sort("id_number", "contract_no")
        added = self._copy_new("spells", ordered, list(SPELL_COLUMNS), run_id)
        return added_contracts, added

    # ------------------------------------------------------------ claims and decisions

    def history_of_ids(self, id_numbers: Iterable[str], claim_ids: Iterable[str]) -> pl.DataFrame:
        cols = [k for k in HISTORY_COLUMNS if k != "voided"]
        cur = self._conn.execute(
            f"SELECT {', '.join('d.' + k for k in cols)}, (v.decision_id IS NOT NULL) AS voided "
            "FROM decisions d LEFT JOIN voids v ON v.decision_id = d.decision_id "
            "WHERE d.id_number = ANY(%s) OR d.claim_id = ANY(%s)",
            (sorted(set(id_numbers)), sorted(set(claim_ids))),
        )
        return _frame(cur.fetchall(), HISTORY_COLUMNS)

    def record_decisions(self, run_id: str, decisions: pl.DataFrame) -> int:
        """COPY, not row inserts; the triggers still see every row (one live decision)."""
        cols = list(DECISION_COLUMNS) + [
            c for c in OPTIONAL_DECISION_COLUMNS if c in decisions.columns
        ]
        self._copy_in("decisions", decisions, cols, run_id)
        return decisions.height

    def decisions_of_claim(self, claim_id: str) -> list[dict[str, Any]]:
        cur = self._conn.execute(
            "SELECT d.*, v.reason AS void_reason, v.run_id AS void_run FROM decisions d "
            "LEFT JOIN voids v ON v.decision_id = d.decision_id WHERE d.claim_id = %s "
            "ORDER BY d.decision_id",
            (claim_id,),
        )
        return _dicts(cur)

    def member_record(self, id_number: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """A member's cover spells (with unit names) and decisions (with voids), oldest
        first; flags as 0/1, as SQLite keeps them."""
        spells = _dicts(
            self._conn.execute(
                "SELECT s.contract_no, s.unit_code, u.unit_name, s.name, s.spell_start, "
                "s.term_start, s.term_end, s.first_time::int AS first_time, s.policy_version "
                "FROM spells s LEFT JOIN units u ON u.unit_code = s.unit_code "
                "WHERE s.id_number = %s ORDER BY s.spell_start",
                (id_number,),
            )
        )
        decisions = _dicts(
            self._conn.execute(
                "SELECT d.decision_id, d.claim_id, d.run_id, d.status, d.amount, d.reason_code, "
                "d.clause, d.claim_type, d.disease_code, d.disability_grade, d.event_date, "
                "d.contract_no, d.cover_day, d.period, v.reason AS void_reason, "
                "v.run_id AS void_run FROM decisions d "
                "LEFT JOIN voids v ON v.decision_id = d.decision_id WHERE d.id_number = %s "
                "ORDER BY d.event_date NULLS FIRST, d.decision_id",
                (id_number,),
            )
        )
        return spells, decisions

    def live_decision(self, claim_id: str) -> dict[str, Any] | None:
        found = _dicts(
            self._conn.execute(
                "SELECT d.decision_id, d.claim_id, d.status, d.amount, d.reason_code "
                "FROM decisions d LEFT JOIN voids v ON v.decision_id = d.decision_id "
                "WHERE d.claim_id = %s AND v.decision_id IS NULL "
                "ORDER BY d.decision_id DESC LIMIT 1",
                (claim_id,),
            )
        )
        return found[0] if found else None

    def record_void(self, decision_id: int, run_id: str, reason: str) -> None:
        self._conn.execute(
            "INSERT INTO voids (decision_id, run_id, reason) VALUES (%s, %s, %s)",
            (decision_id, run_id, reason),
        )

    def payments_in_period(self, period: str) -> pl.DataFrame:
        """So that a month's export adds up to what the month moved. In SQLite's order
        (L102): text by its bytes whatever the database's collation (a server's default,
        en_US or zh_CN, would put u1 before U2), a missing unit first, a claim's payment
        before its reversal."""
        cur = self._conn.execute(
            f"SELECT {', '.join(PAYMENT_COLUMNS)} FROM ("
            "SELECT 'payment' AS kind, d.claim_id, d.run_id, r.as_of, d.id_number, d.name, "
            "d.unit_code, "
            "u.unit_name, d.claim_type, d.reason_code, d.amount, NULL AS note, "
            "d.decision_id AS paid "
            "FROM decisions d JOIN runs r ON r.run_id = d.run_id "
            "LEFT JOIN units u ON u.unit_code = d.unit_code "
            "WHERE d.status = 'approved' AND d.amount > 0 AND to_char(r.as_of, 'YYYY-MM') = %s "
            "UNION ALL "
            "SELECT 'reversal', d.claim_id, v.run_id, r.as_of, d.id_number, d.name, d.unit_code, "
            "u.unit_name, d.claim_type, d.reason_code, -d.amount, v.reason, d.decision_id "
            "FROM voids v JOIN decisions d ON d.decision_id = v.decision_id "
            "JOIN runs r ON r.run_id = v.run_id LEFT JOIN units u ON u.unit_code = d.unit_code "
            "WHERE d.status = 'approved' AND d.amount > 0 AND to_char(r.as_of, 'YYYY-MM') = %s"
            # L182: a reversal right after the payment it reverses (the same decision)
            ') p ORDER BY unit_code COLLATE "C" NULLS FIRST, claim_id COLLATE "C", paid, kind',
            (period, period),
        )
        return _frame(cur.fetchall(), PAYMENT_COLUMNS)

    # ------------------------------------------------------------ open items and reopens

    def open_items(
        self, unit_code: str | None = None, claim_ids: Iterable[str] | None = None
    ) -> pl.DataFrame:
        where = ["i.closed_run IS NULL"]
        params: list[Any] = []
        if unit_code is not None:
            where.append("i.unit_code = %s")
            params.append(unit_code)
        if claim_ids is not None:
            where.append("i.claim_id = ANY(%s)")
            params.append(sorted(set(claim_ids)))
        cur = self._conn.execute(
            _ITEM_SELECT + "WHERE " + " AND ".join(where) + " ORDER BY i.opened_on, i.item_id",
            params,
        )
        return _frame(cur.fetchall(), OPEN_ITEM_COLUMNS)

    def record_open_items(
        self, run_id: str, as_of: dt.date, pending: pl.DataFrame
    ) -> tuple[int, int]:
        cols = list(ITEM_COLUMNS)
        if pending.is_empty():
            return 0, 0
        already = set(self.open_items(claim_ids=pending["claim_id"].to_list())["claim_id"])
        known = pending["claim_id"].is_in(list(already))
        fresh, seen = pending.filter(~known), pending.filter(known)
        setters = ", ".join(f"{c} = %s" for c in cols[1:])
        with self._conn.cursor() as cur:
            if seen.height:
                cur.executemany(
                    f"UPDATE open_items SET {setters}, last_run = %s, last_on = %s, "
                    "times_seen = times_seen + 1 WHERE claim_id = %s AND closed_run IS NULL",
                    [(*row[1:], run_id, as_of, row[0]) for row in seen.select(cols).rows()],
                )
            if fresh.height:
                cur.executemany(
                    f"INSERT INTO open_items ({', '.join(cols)}, opened_run, opened_on, "
                    f"last_run, last_on) VALUES ({', '.join(['%s'] * len(cols))}, "
                    "%s, %s, %s, %s)",
                    [(*row, run_id, as_of, run_id, as_of) for row in fresh.select(cols).rows()],
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
        # the open items are few, the claims decided many: send only the few back
        open_ids = {r[0] for r in self._conn.execute(_OPEN_CLAIM_IDS).fetchall()}
        closing = sorted(open_ids.intersection(claim_ids))
        if not closing:
            return 0
        cur = self._conn.execute(
            "UPDATE open_items SET closed_run = %s, closed_on = %s, closed_how = %s, "
            "closed_reason = %s, closed_at = (now() AT TIME ZONE 'UTC') "
            "WHERE closed_run IS NULL AND claim_id = ANY(%s)",
            (run_id, as_of, how, reason, closing),
        )
        return cur.rowcount

    def items_of_claim(self, claim_id: str) -> list[dict[str, Any]]:
        return _dicts(
            self._conn.execute(
                "SELECT * FROM open_items WHERE claim_id = %s ORDER BY item_id", (claim_id,)
            )
        )

    def record_reopen(self, decision_id: int, run_id: str, reason: str) -> None:
        self.record_void(decision_id, run_id, reason)
        self._conn.execute(
            "INSERT INTO reopens (decision_id, run_id, reason) VALUES (%s, %s, %s)",
            (decision_id, run_id, reason),
        )

    def reopens_of_claim(self, claim_id: str) -> list[dict[str, Any]]:
        return _dicts(
            self._conn.execute(
                "SELECT r.decision_id, r.run_id, r.reason, r.reopened_at FROM reopens r "
                "JOIN decisions d ON d.decision_id = r.decision_id WHERE d.claim_id = %s "
                "ORDER BY r.decision_id",
                (claim_id,),
            )
        )

    # ------------------------------------------------------------ the fund (issue 12)

    def record_additions(self, run_id: str, additions: pl.DataFrame) -> int:
        cols = ["contract_no", "billed_on", "members", "amount"]
        self._conn.cursor().executemany(
            "INSERT INTO additions (contract_no, billed_on, members, amount, run_id) "
            "VALUES (%s, %s, %s, %s, %s)",
            [(*row, run_id) for row in _rows(additions, cols)],
        )
        return additions.height

    def record_receipts(self, run_id: str, receipts: pl.DataFrame) -> int:
        cols = list(RECEIPT_COLUMNS)
        self._conn.cursor().executemany(
            f"INSERT INTO receipts ({', '.join(cols)}, run_id) VALUES (%s, %s, %s, %s, %s)",
            [(*row, run_id) for row in _rows(receipts, cols)],
        )
        return receipts.height

    def receipts(self) -> pl.DataFrame:
        cur = self._conn.execute(
            f"SELECT {', '.join(RECEIPT_COLUMNS)} FROM receipts ORDER BY received_on, reference"
        )
        return _frame(cur.fetchall(), RECEIPT_COLUMNS)

    def additions(self) -> pl.DataFrame:
        cur = self._conn.execute(
            "SELECT a.contract_no, c.unit_code, a.billed_on, a.members, a.amount "
            "FROM additions a JOIN contracts c ON c.contract_no = a.contract_no "
            "ORDER BY a.billed_on, a.contract_no"
        )
        return _frame(cur.fetchall(), ADDITION_COLUMNS)

    def contract_totals(self) -> pl.DataFrame:
        cur = self._conn.execute(
            "SELECT c.contract_no, c.unit_code, c.contribution_total, "
            "coalesce(sum(a.members), 0), coalesce(sum(a.amount), 0), "
            "c.contribution_total + coalesce(sum(a.amount), 0) "
            "FROM contracts c LEFT JOIN additions a ON a.contract_no = c.contract_no "
            "GROUP BY c.contract_no, c.unit_code, c.contribution_total ORDER BY c.contract_no"
        )
        return _frame(cur.fetchall(), CONTRACT_TOTAL_COLUMNS)

    def fund_contracts(self) -> pl.DataFrame:
        cur = self._conn.execute(
            f"SELECT {', '.join(FUND_CONTRACT_COLUMNS)} FROM contracts ORDER BY contract_no"
        )
        return _frame(cur.fetchall(), FUND_CONTRACT_COLUMNS)

    def fund_spells(self, start: dt.date | None = None, end: dt.date | None = None) -> pl.DataFrame:
        where: str = ""
        args: tuple[Any, ...] = ()
        if start is not None and end is not None:
            where, args = " WHERE term_end >= %s AND spell_start <= %s", (start, end)
        return self._copy_out(
            f"SELECT {', '.join(FUND_SPELL_COLUMNS)} FROM spells{where}", args, FUND_SPELL_COLUMNS
        ).sort("id_number", "contract_no")

    def _copy_out(self, query: str, args: Sequence[Any], schema: dict[str, Any]) -> pl.DataFrame:
        """A large query read as CSV by COPY … TO STDOUT and parsed by polars, not row by row
        into Python objects (the ten-year fund reads ~250,000 spells; issue 12). The query is
        bound client-side first (COPY takes no server-side parameters)."""
        bound = psycopg.ClientCursor(self._conn).mogrify(query, tuple(args))
        buffer = io.BytesIO()
        with self._conn.cursor().copy(f"COPY ({bound}) TO STDOUT (FORMAT csv)") as copy:
            for block in copy:
                buffer.write(block)
        if not buffer.getvalue():
            return _frame([], schema)
        text_schema = {k: (pl.Utf8 if v in (pl.Date, pl.Boolean) else v) for k, v in schema.items()}
        frame = pl.read_csv(buffer.getvalue(), has_header=False, schema=text_schema)
        return frame.with_columns(
            [pl.col(k).str.to_date("%Y-%m-%d") for k, v in schema.items() if v == pl.Date]
            + [pl.col(k) == "t" for k, v in schema.items() if v == pl.Boolean]
        )

    def fund_decisions(
        self, since: dt.date | None = None, *, content: bool = False
    ) -> pl.DataFrame:
        query = (
            "SELECT d.decision_id, d.claim_id, r.as_of, d.status, d.amount, d.reason_code, "
            "d.claim_type, d.disease_code, d.unit_code, d.event_date, d.id_number, "
            + ("d.content, " if content else "NULL, ")
            + "(v.decision_id IS NOT NULL) FROM decisions d JOIN runs r ON r.run_id = d.run_id "
            "LEFT JOIN voids v ON v.decision_id = d.decision_id "
            + ("WHERE r.as_of >= %s " if since is not None else "")
            + "ORDER BY d.decision_id"
        )
        args = (since.isoformat(),) if since is not None else ()
        if content:  # the claims' own text (JSON, `simulate`): read as rows, as it is
            return _frame(self._conn.execute(query, args).fetchall(), FUND_DECISION_COLUMNS)
        return self._copy_out(query, args, FUND_DECISION_COLUMNS)

    def fund_voids(self) -> pl.DataFrame:
        cur = self._conn.execute(
            "SELECT v.decision_id, r.as_of, d.amount FROM voids v "
            "JOIN decisions d ON d.decision_id = v.decision_id "
            "JOIN runs r ON r.run_id = v.run_id ORDER BY v.decision_id"
        )
        return _frame(cur.fetchall(), FUND_VOID_COLUMNS)

    # ------------------------------------------------------------ the monthly batch

    def batch_file(self, sha256: str) -> dict[str, Any] | None:
        found = _dicts(self._conn.execute("SELECT * FROM batch_files WHERE sha256 = %s", (sha256,)))
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
            "VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (sha256, name, kind, period, run_id, outcome, json.dumps(counts, ensure_ascii=False)),
        )

    def batch_files(self) -> pl.DataFrame:
        cur = self._conn.execute(
            "SELECT sha256, name, kind, period, run_id, outcome, counts, processed_at::text "
            "FROM batch_files ORDER BY processed_at, sha256"
        )
        return _frame(cur.fetchall(), BATCH_FILE_COLUMNS)

    def run_money(self) -> pl.DataFrame:
        cur = self._conn.execute(
            "SELECT d.run_id, r.command, r.as_of::text, "
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
        return _frame(cur.fetchall(), RUN_MONEY_COLUMNS)

    # ------------------------------------------------------------ maintenance

    @classmethod
    def backup_to(cls, source: Location, target: Location) -> int:
        """`pg_dump --format=custom` of the register into `target` (restore with
        pg_restore; L89); one consistent snapshot while others write. Written beside `target`,
        owner-only, renamed onto it. Returns the bytes written."""
        url = _is_url(source)
        connect_url(url, create=False).close()  # says so when it is not a register
        pg_dump = shutil.which("pg_dump")
        if pg_dump is None:
            raise _refuse(
                url,
                "cannot be backed up: pg_dump (PostgreSQL's client tools) is not installed.",
                "无法备份：未安装 pg_dump（PostgreSQL 客户端工具）。",
            )
        dst = Path(str(target))
        if dst.is_dir():
            dst = dst / "register.pgdump"
        tmp = dst.with_name(f".{dst.name}.tmp")
        try:
            fd = os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
            os.close(fd)
            # L190: pg_dump waits lock_wait_seconds for its table locks (a colleague's schema
            # upgrade holds them), not forever; then the busy sentence
            args = [pg_dump, "--format=custom", "--no-owner", f"--lock-wait-timeout={_wait_ms()}"]
            done = subprocess.run(
                [*args, "--file", str(tmp), "--dbname", url],
                capture_output=True,
                text=True,
                check=False,
            )
            if done.returncode != 0 and "Query was: LOCK TABLE" in done.stderr:
                conn = _open(url)
                try:
                    raise _busy_error(conn, url)
                finally:
                    conn.close()
            if done.returncode != 0:
                raise _refuse(
                    url,
                    f"pg_dump failed ({done.stderr.strip()}); no backup was written.",
                    f"pg_dump 失败（{done.stderr.strip()}），未写入备份。",
                )
            os.replace(tmp, dst)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return dst.stat().st_size

    @classmethod
    def check_at(cls, location: Location) -> list[str]:
        """PostgreSQL enforces keys and CHECKs itself; what can still drift is checked: the
        schema version, live_claims against decisions and voids, and indexes' validity
        (L100)."""
        url = _is_url(location)
        conn = connect_url(url, create=False)
        try:
            return cls._problems(conn)
        except psycopg.errors.LockNotAvailable as exc:
            raise _busy_error(conn, url) from exc  # L190
        finally:
            conn.close()

    @staticmethod
    def _problems(conn: psycopg.Connection[Any]) -> list[str]:
        """What `check_at` finds in an open register."""
        problems: list[str] = []
        done = {r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
        problems += [f"migration {v} not applied" for v, _n, _s in MIGRATIONS if v not in done]
        rows = conn.execute(
            "SELECT d.claim_id FROM decisions d "
            "WHERE NOT EXISTS (SELECT 1 FROM voids v WHERE v.decision_id = d.decision_id) "
            "GROUP BY d.claim_id HAVING count(*) > 1 "
            "UNION SELECT d.claim_id FROM decisions d "
            "LEFT JOIN voids v ON v.decision_id = d.decision_id "
            "LEFT JOIN live_claims l ON l.decision_id = d.decision_id "
            "WHERE (v.decision_id IS NULL) <> (l.decision_id IS NOT NULL) ORDER BY 1"
        ).fetchall()
        problems += [f"live decisions: claim {r[0]} is out of step" for r in rows]
        rows = conn.execute(
            "SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND NOT i.indisvalid ORDER BY 1"
        ).fetchall()
        problems += [f"index {r[0]} is not valid" for r in rows]
        return problems


def _busy_guard(method: Callable[..., Any]) -> Callable[..., Any]:
    """A read outside a transaction (a read-only command's) that outlasted lock_timeout —
    a migration altering the table it reads — is the busy sentence too (L190), not an
    unexpected error; a statement the server cancelled, its own sentence (L191). Inside a
    transaction the error is passed on: `transaction` says it once it has rolled back (the
    failed transaction cannot look the holder up)."""

    @functools.wraps(method)
    def guarded(self: PostgresRegister, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except psycopg.errors.LockNotAvailable as exc:
            if self.connection.info.transaction_status != TransactionStatus.IDLE:
                raise
            raise self._busy() from exc
        except psycopg.errors.QueryCanceled as exc:
            if self.connection.info.transaction_status != TransactionStatus.IDLE:
                raise
            raise _cancelled(str(self.location), exc) from exc  # L191

    return guarded


# every public method of an open register (classmethods open their own connection and say it
# themselves; `transaction` says it after its rollback)
for _name, _method in list(vars(PostgresRegister).items()):
    if not _name.startswith("_") and _name != "transaction" and inspect.isfunction(_method):
        setattr(PostgresRegister, _name, _busy_guard(_method))
