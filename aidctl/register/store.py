"""Reading and writing the register as DataFrames.

Callers hold the transaction (`aidctl.register.db.transaction`): a command's writes land
together or not at all. Look-ups by id number go through a temporary key table, so that a
claims file of 100,000 rows reads only its members' spells out of millions.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl

CONTRACT_COLUMNS = {
    "contract_no": pl.Utf8,
    "unit_code": pl.Utf8,
    "term_start": pl.Date,
    "term_end": pl.Date,
    "first_time": pl.Boolean,
    "policy_version": pl.Utf8,
    "total_staff": pl.Int64,
    "eligible": pl.Int64,
    "contribution_total": pl.Int64,
    "unit_share": pl.Int64,
    "individual_share": pl.Int64,
    "received_date": pl.Date,
    "imported": pl.Boolean,
}
SPELL_COLUMNS = {
    "id_number": pl.Utf8,
    "name": pl.Utf8,
    "unit_code": pl.Utf8,
    "contract_no": pl.Utf8,
    "term_start": pl.Date,
    "term_end": pl.Date,
    "spell_start": pl.Date,
    "first_time": pl.Boolean,
    "policy_version": pl.Utf8,
}
HISTORY_COLUMNS = {
    "decision_id": pl.Int64,
    "claim_id": pl.Utf8,
    "id_number": pl.Utf8,
    "claim_type": pl.Utf8,
    "disease_code": pl.Utf8,
    "disability_grade": pl.Int64,
    "event_date": pl.Date,
    "status": pl.Utf8,
    "reason_code": pl.Utf8,
    "amount": pl.Int64,
    "period": pl.Utf8,
    "contract_no": pl.Utf8,
    "term_start": pl.Date,
    "content": pl.Utf8,
    "disease_key": pl.Utf8,
    "voided": pl.Boolean,
}
# From this many spells on, `record_enrollment` rebuilds the contract index after inserting.
BULK_ROWS = 50_000

DECISION_COLUMNS = (
    "claim_id",
    "status",
    "amount",
    "reason_code",
    "clause",
    "policy_version",
    "id_number",
    "name",
    "unit_code",
    "claim_type",
    "disease_code",
    "disability_grade",
    "event_date",
    "period",
    "contract_no",
    "term_start",
    "cover_day",
    "base_amount",
    "pct",
    "cap_room",
    "content",
    "detail",
)
# Stored when the decisions frame has it (the calculator's reading of the diagnosis, D10).
OPTIONAL_DECISION_COLUMNS = ("disease_key",)


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


def _load_keys(conn: sqlite3.Connection, table: str, keys: Iterable[str]) -> None:
    # a fresh table each time: refilling an emptied one is several times slower
    conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
    conn.execute(f"CREATE TEMP TABLE {table} (k TEXT PRIMARY KEY) WITHOUT ROWID")
    conn.executemany(
        f"INSERT OR IGNORE INTO {table} (k) VALUES (?)", ((k,) for k in sorted(set(keys)))
    )


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


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


# ---------------------------------------------------------------- runs


def start_run(
    conn: sqlite3.Connection,
    command: str,
    as_of: dt.date,
    input_file: str | None = None,
    input_sha256: str | None = None,
    policy_version: str | None = None,
) -> str:
    """Record that a command ran (inside the caller's transaction) and return its id."""
    run_id = dt.datetime.now().strftime("%Y%m%d-%H%M%S-") + uuid.uuid4().hex[:6]
    conn.execute(
        "INSERT INTO runs (run_id, command, input_file, input_sha256, as_of, policy_version, "
        "started_at) VALUES (?, ?, ?, ?, ?, ?, datetime('now'))",
        (run_id, command, input_file, input_sha256, as_of.isoformat(), policy_version),
    )
    return run_id


def finish_run(conn: sqlite3.Connection, run_id: str, counts: dict[str, Any]) -> None:
    conn.execute(
        "UPDATE runs SET finished_at = datetime('now'), counts = ? WHERE run_id = ?",
        (json.dumps(counts, ensure_ascii=False, default=str), run_id),
    )


def runs(
    conn: sqlite3.Connection, limit: int = 50, command: str | None = None
) -> list[dict[str, Any]]:
    """The latest runs first (in the order they were recorded), of one command if given."""
    where = "WHERE command = ?" if command else ""
    params: tuple[Any, ...] = (command, limit) if command else (limit,)
    cur = conn.execute(
        "SELECT run_id, command, input_file, input_sha256, as_of, started_at, finished_at, counts "
        f"FROM runs {where} ORDER BY rowid DESC LIMIT ?",
        params,
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def save_run_frames(conn: sqlite3.Connection, run_id: str, frames: dict[str, pl.DataFrame]) -> None:
    """Keep the frames a run's report shows (Arrow IPC), so `aidctl report RUN_ID` can write
    the same workbook again, pending rows included."""
    for name, frame in frames.items():
        buffer = io.BytesIO()
        frame.write_ipc(buffer, compression="zstd")
        conn.execute(
            "INSERT OR REPLACE INTO run_frames (run_id, name, data) VALUES (?, ?, ?)",
            (run_id, name, buffer.getvalue()),
        )


def run_frames(conn: sqlite3.Connection, run_id: str) -> dict[str, pl.DataFrame]:
    """The frames kept for a run (empty when the run kept none)."""
    cur = conn.execute(
        "SELECT name, data FROM run_frames WHERE run_id = ? ORDER BY name", (run_id,)
    )
    return {name: pl.read_ipc(io.BytesIO(data)) for name, data in cur.fetchall()}


def run(conn: sqlite3.Connection, run_id: str) -> dict[str, Any] | None:
    """One run's record (command, input, SHA-256, as-of, policy version, counts), or None."""
    cur = conn.execute(
        "SELECT run_id, command, input_file, input_sha256, as_of, policy_version, started_at, "
        "finished_at, counts FROM runs WHERE run_id = ?",
        (run_id,),
    )
    row = cur.fetchone()
    if row is None:
        return None
    record = dict(zip([d[0] for d in cur.description], row, strict=True))
    record["counts"] = json.loads(record["counts"]) if record["counts"] else {}
    return record


# ---------------------------------------------------------------- enrolment


def contracts_of_units(conn: sqlite3.Connection, unit_codes: Iterable[str]) -> pl.DataFrame:
    if _empty(conn, "contracts"):
        return pl.DataFrame(schema=CONTRACT_COLUMNS)
    _load_keys(conn, "q_units", unit_codes)
    cur = conn.execute(
        f"SELECT {', '.join('c.' + k for k in CONTRACT_COLUMNS)} FROM q_units q "
        "CROSS JOIN contracts c ON c.unit_code = q.k"
    )
    return _frame(cur, CONTRACT_COLUMNS)


def all_contracts(conn: sqlite3.Connection) -> pl.DataFrame:
    cur = conn.execute(
        f"SELECT {', '.join(CONTRACT_COLUMNS)}, "
        "(SELECT count(*) FROM spells s WHERE s.contract_no = contracts.contract_no) AS members "
        "FROM contracts"
    )
    return _frame(cur, {**CONTRACT_COLUMNS, "members": pl.Int64})


def units_info(conn: sqlite3.Connection) -> pl.DataFrame:
    cur = conn.execute("SELECT unit_code, unit_name, contact, phone FROM units")
    return _frame(
        cur, {"unit_code": pl.Utf8, "unit_name": pl.Utf8, "contact": pl.Utf8, "phone": pl.Utf8}
    )


def _empty(conn: sqlite3.Connection, table: str) -> bool:
    return conn.execute(f"SELECT NOT EXISTS (SELECT 1 FROM {table})").fetchone()[0] == 1


def spells_of_ids(conn: sqlite3.Connection, id_numbers: Iterable[str]) -> pl.DataFrame:
    """Every cover spell of these id numbers, in any unit.

    The key table drives the look-up (CROSS JOIN fixes SQLite's join order): without
    statistics the planner would otherwise scan every spell of the register — 15× slower
    for 100,000 claims against a million members.
    """
    if _empty(conn, "spells"):
        return pl.DataFrame(schema=SPELL_COLUMNS)
    _load_keys(conn, "q_ids", id_numbers)
    cur = conn.execute(
        f"SELECT {', '.join('s.' + k for k in SPELL_COLUMNS)} FROM q_ids q "
        "CROSS JOIN spells s ON s.id_number = q.k"
    )
    return _frame(cur, SPELL_COLUMNS)


def record_enrollment(
    conn: sqlite3.Connection, run_id: str, contracts: pl.DataFrame, spells: pl.DataFrame
) -> tuple[int, int]:
    """Insert units, contracts and spells; what is already there is left as it is (E5).

    Returns (contracts added, spells added).
    """
    units = contracts.select("unit_code", "unit_name", "contact", "phone").unique("unit_code")
    conn.executemany(
        "INSERT INTO units (unit_code, unit_name, contact, phone, run_id) VALUES (?, ?, ?, ?, ?) "
        "ON CONFLICT(unit_code) DO UPDATE SET unit_name = excluded.unit_name, "
        "contact = coalesce(excluded.contact, contact), phone = coalesce(excluded.phone, phone)",
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


# ---------------------------------------------------------------- claims


def history_of_ids(
    conn: sqlite3.Connection, id_numbers: Iterable[str], claim_ids: Iterable[str]
) -> pl.DataFrame:
    """Earlier decisions for these members or these claim ids, with their void flag."""
    _load_keys(conn, "q_ids", id_numbers)
    _load_keys(conn, "q_claims", claim_ids)
    cols = [k for k in HISTORY_COLUMNS if k != "voided"]
    cur = conn.execute(
        f"SELECT {', '.join('d.' + k for k in cols)}, (v.decision_id IS NOT NULL) AS voided "
        "FROM decisions d LEFT JOIN voids v ON v.decision_id = d.decision_id "
        "WHERE d.id_number IN (SELECT k FROM q_ids) OR d.claim_id IN (SELECT k FROM q_claims)"
    )
    return _frame(cur, HISTORY_COLUMNS)


def record_decisions(conn: sqlite3.Connection, run_id: str, decisions: pl.DataFrame) -> int:
    cols = list(DECISION_COLUMNS) + [c for c in OPTIONAL_DECISION_COLUMNS if c in decisions.columns]
    conn.executemany(
        f"INSERT INTO decisions ({', '.join(cols)}, run_id) VALUES ({', '.join('?' * len(cols))}, ?)",
        [(*row, run_id) for row in _rows(decisions, cols)],
    )
    return decisions.height


def decisions_of_claim(conn: sqlite3.Connection, claim_id: str) -> list[dict[str, Any]]:
    cur = conn.execute(
        "SELECT d.*, v.reason AS void_reason, v.run_id AS void_run FROM decisions d "
        "LEFT JOIN voids v ON v.decision_id = d.decision_id WHERE d.claim_id = ? ORDER BY d.decision_id",
        (claim_id,),
    )
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def member_record(
    conn: sqlite3.Connection, id_number: str
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A member's cover spells (with unit names) and decisions (with voids), oldest first."""
    cur = conn.execute(
        "SELECT s.contract_no, s.unit_code, u.unit_name, s.name, s.spell_start, s.term_start, "
        "s.term_end, s.first_time, s.policy_version FROM spells s "
        "LEFT JOIN units u ON u.unit_code = s.unit_code WHERE s.id_number = ? ORDER BY s.spell_start",
        (id_number,),
    )
    names = [d[0] for d in cur.description]
    spells = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    cur = conn.execute(
        "SELECT d.decision_id, d.claim_id, d.run_id, d.status, d.amount, d.reason_code, d.clause, "
        "d.claim_type, d.disease_code, d.disability_grade, d.event_date, d.contract_no, d.cover_day, "
        "d.period, v.reason AS void_reason, v.run_id AS void_run FROM decisions d "
        "LEFT JOIN voids v ON v.decision_id = d.decision_id WHERE d.id_number = ? "
        "ORDER BY d.event_date, d.decision_id",
        (id_number,),
    )
    names = [d[0] for d in cur.description]
    decisions = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    return spells, decisions


def live_decision(conn: sqlite3.Connection, claim_id: str) -> dict[str, Any] | None:
    """The latest decision of a claim that has not been voided, if any."""
    cur = conn.execute(
        "SELECT d.decision_id, d.claim_id, d.status, d.amount, d.reason_code FROM decisions d "
        "LEFT JOIN voids v ON v.decision_id = d.decision_id "
        "WHERE d.claim_id = ? AND v.decision_id IS NULL ORDER BY d.decision_id DESC LIMIT 1",
        (claim_id,),
    )
    row = cur.fetchone()
    if row is None:
        return None
    names = [d[0] for d in cur.description]
    return dict(zip(names, row, strict=True))


def record_void(conn: sqlite3.Connection, decision_id: int, run_id: str, reason: str) -> None:
    conn.execute(
        "INSERT INTO voids (decision_id, run_id, reason) VALUES (?, ?, ?)",
        (decision_id, run_id, reason),
    )


PAYMENT_COLUMNS = {
    "kind": pl.Utf8,
    "claim_id": pl.Utf8,
    "run_id": pl.Utf8,
    "as_of": pl.Date,
    "id_number": pl.Utf8,
    "name": pl.Utf8,
    "unit_code": pl.Utf8,
    "unit_name": pl.Utf8,
    "claim_type": pl.Utf8,
    "reason_code": pl.Utf8,
    "amount": pl.Int64,
    "note": pl.Utf8,
}


def payments_in_period(conn: sqlite3.Connection, period: str) -> pl.DataFrame:
    """Payments decided in runs dated in `period` (YYYY-MM), and reversals voided in it
    (negative amounts), so that a month's export adds up to what the month moved."""
    cur = conn.execute(
        "SELECT 'payment', d.claim_id, d.run_id, r.as_of, d.id_number, d.name, d.unit_code, "
        "u.unit_name, d.claim_type, d.reason_code, d.amount, NULL "
        "FROM decisions d JOIN runs r ON r.run_id = d.run_id "
        "LEFT JOIN units u ON u.unit_code = d.unit_code "
        "WHERE d.status = 'approved' AND d.amount > 0 AND substr(r.as_of, 1, 7) = ? "
        "UNION ALL "
        "SELECT 'reversal', d.claim_id, v.run_id, r.as_of, d.id_number, d.name, d.unit_code, "
        "u.unit_name, d.claim_type, d.reason_code, -d.amount, v.reason "
        "FROM voids v JOIN decisions d ON d.decision_id = v.decision_id "
        "JOIN runs r ON r.run_id = v.run_id LEFT JOIN units u ON u.unit_code = d.unit_code "
        "WHERE d.status = 'approved' AND d.amount > 0 AND substr(r.as_of, 1, 7) = ? "
        "ORDER BY 7, 2",
        (period, period),
    )
    return _frame(cur, PAYMENT_COLUMNS)


def batch_file(conn: sqlite3.Connection, sha256: str) -> dict[str, Any] | None:
    cur = conn.execute("SELECT * FROM batch_files WHERE sha256 = ?", (sha256,))
    row = cur.fetchone()
    if row is None:
        return None
    return dict(zip([d[0] for d in cur.description], row, strict=True))


def record_batch_file(
    conn: sqlite3.Connection,
    sha256: str,
    name: str,
    kind: str,
    period: str,
    run_id: str | None,
    outcome: str,
    counts: dict[str, Any],
) -> None:
    conn.execute(
        "INSERT INTO batch_files (sha256, name, kind, period, run_id, outcome, counts) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (sha256, name, kind, period, run_id, outcome, json.dumps(counts, ensure_ascii=False)),
    )
