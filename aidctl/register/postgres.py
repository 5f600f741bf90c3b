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
import hashlib
import io
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import psycopg
from psycopg.types.string import TextLoader

from aidctl import __version__
from aidctl.errors import RegisterError
from aidctl.register.frames import (
    ADDITION_COLUMNS,
    CONTRACT_COLUMNS,
    CONTRACT_TOTAL_COLUMNS,
    DECISION_COLUMNS,
    FUND_CONTRACT_COLUMNS,
    FUND_DECISION_COLUMNS,
    FUND_SPELL_COLUMNS,
    FUND_VOID_COLUMNS,
    HISTORY_COLUMNS,
    OPTIONAL_DECISION_COLUMNS,
    PAYMENT_COLUMNS,
    RECEIPT_COLUMNS,
    SPELL_COLUMNS,
    UNIT_COLUMNS,
)
from aidctl.register.postgres_schema import APP_ID, MIGRATIONS
from aidctl.register.register import Location, Register, new_run_id

# Advisory locks: the first key names aidctl's lock space ("AIDC"), the second a bucket of
# members. PostgreSQL's lock table is shared and bounded (max_locks_per_transaction ×
# max_connections, 6,400 by default), so a run of 100,000 members cannot hold one lock per
# member; it holds at most LOCK_BUCKETS. Two members in one bucket wait for each other
# needlessly, never wrongly.
LOCK_SPACE = APP_ID
LOCK_BUCKETS = 1024
MIGRATION_LOCK = -1  # the bucket that serialises two clerks creating the schema at once


def _shown(url: str) -> str:
    """The URL without its password, for messages."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


def _refuse(url: str, en: str, zh: str) -> RegisterError:
    return RegisterError(f"Register {_shown(url)}: {en}", f"登记库 {_shown(url)}：{zh}")


def _member_bucket(id_number: str) -> int:
    """A stable bucket for an id number, the same in every process (not Python's hash)."""
    digest = hashlib.blake2b(id_number.encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") % LOCK_BUCKETS


def _open(url: str) -> psycopg.Connection[Any]:
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
    for name in ("date", "timestamp"):
        conn.adapters.register_loader(name, TextLoader)
    return conn


def _state(conn: psycopg.Connection[Any]) -> str:
    """'ours', 'empty' or 'foreign': what the database's current schema holds."""
    row = conn.execute("SELECT to_regclass('aidctl_register') IS NOT NULL").fetchone()
    if row is not None and row[0]:
        found = conn.execute("SELECT application_id FROM aidctl_register").fetchone()
        return "ours" if found is not None and found[0] == APP_ID else "foreign"
    row = conn.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')"
    ).fetchone()
    return "empty" if row is not None and row[0] == 0 else "foreign"


def connect_url(url: str, *, create: bool = True) -> psycopg.Connection[Any]:
    """Open the register at `url` and bring its schema up to date; refuse a database that
    holds something else, and (unless `create`) one that holds nothing yet."""
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
        if state == "empty" and not create:
            raise _refuse(
                url,
                "does not exist (nothing has been enrolled into it yet).",
                "不存在（尚未登记任何内容）。",
            )
        _migrate(conn, url)
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
    def connect(cls, location: Location, *, create: bool = True) -> PostgresRegister:
        url = _is_url(location)
        return cls(connect_url(url, create=create), url)

    @classmethod
    def exists(cls, location: Location) -> bool:
        conn = _open(_is_url(location))
        try:
            return _state(conn) != "empty"
        finally:
            conn.close()

    def close(self) -> None:
        self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[PostgresRegister]:
        with self._conn.transaction():
            yield self

    def lock_members(self, id_numbers: Iterable[str]) -> None:
        """Wait for every other run deciding one of these members, then hold them until
        this transaction ends. The buckets are taken in ascending order, so two runs never
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

    def spells_of_ids(self, id_numbers: Iterable[str]) -> pl.DataFrame:
        cur = self._conn.execute(
            f"SELECT {', '.join(SPELL_COLUMNS)} FROM spells WHERE id_number = ANY(%s)",
            (sorted(set(id_numbers)),),
        )
        return _frame(cur.fetchall(), SPELL_COLUMNS)

    def _copy_new(self, table: str, frame: pl.DataFrame, cols: list[str], run_id: str) -> int:
        """COPY the rows into a scratch table, then insert those not there yet (E5: what is
        already in the register stays as it is). Returns the rows added."""
        scratch = f"new_{table}"
        self._conn.execute(f"DROP TABLE IF EXISTS pg_temp.{scratch}")
        self._conn.execute(
            f"CREATE TEMP TABLE {scratch} AS SELECT {', '.join(cols)}, run_id FROM {table} "
            "WITH NO DATA"
        )
        with self._conn.cursor().copy(
            f"COPY {scratch} ({', '.join(cols)}, run_id) FROM STDIN"
        ) as copy:
            for row in frame.select(cols).iter_rows():
                copy.write_row((*row, run_id))
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
        with self._conn.cursor().copy(
            f"COPY decisions ({', '.join(cols)}, run_id) FROM STDIN"
        ) as copy:
            for row in decisions.select(cols).iter_rows():
                copy.write_row((*row, run_id))
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
        """So that a month's export adds up to what the month moved."""
        cur = self._conn.execute(
            "SELECT 'payment', d.claim_id, d.run_id, r.as_of, d.id_number, d.name, d.unit_code, "
            "u.unit_name, d.claim_type, d.reason_code, d.amount, NULL "
            "FROM decisions d JOIN runs r ON r.run_id = d.run_id "
            "LEFT JOIN units u ON u.unit_code = d.unit_code "
            "WHERE d.status = 'approved' AND d.amount > 0 AND to_char(r.as_of, 'YYYY-MM') = %s "
            "UNION ALL "
            "SELECT 'reversal', d.claim_id, v.run_id, r.as_of, d.id_number, d.name, d.unit_code, "
            "u.unit_name, d.claim_type, d.reason_code, -d.amount, v.reason "
            "FROM voids v JOIN decisions d ON d.decision_id = v.decision_id "
            "JOIN runs r ON r.run_id = v.run_id LEFT JOIN units u ON u.unit_code = d.unit_code "
            "WHERE d.status = 'approved' AND d.amount > 0 AND to_char(r.as_of, 'YYYY-MM') = %s "
            "ORDER BY 7, 2",
            (period, period),
        )
        return _frame(cur.fetchall(), PAYMENT_COLUMNS)

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

    # ------------------------------------------------------------ maintenance

    @classmethod
    def backup_to(cls, source: Location, target: Location) -> int:
        """`pg_dump --format=custom` of the register into `target` (restore with
        pg_restore); one consistent snapshot while others write. Written beside `target`,
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
            done = subprocess.run(
                [pg_dump, "--format=custom", "--no-owner", "--file", str(tmp), "--dbname", url],
                capture_output=True,
                text=True,
                check=False,
            )
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
        schema version, live_claims against decisions and voids, and indexes' validity."""
        conn = connect_url(_is_url(location), create=False)
        try:
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
        finally:
            conn.close()
        return problems
