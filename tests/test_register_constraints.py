"""The register's own constraints (migration 5, L60): what the code holds, the database
holds too. Each bad row is refused by SQLite itself — through the register's connection,
which only the register's tests use — and the good rows on each side of it are kept."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from aidctl.register import Register
from aidctl.register.frames import DECISION_COLUMNS
from aidctl.register.sqlite import SqliteRegister

DAY = dt.date(2026, 11, 28)


@pytest.fixture
def reg(tmp_path: Path) -> Iterator[SqliteRegister]:
    """A register with one run, one unit and one contract C1."""
    with SqliteRegister.connect(tmp_path / "reg.sqlite3") as register:
        conn = register.connection
        conn.execute(
            "INSERT INTO runs (run_id, command, as_of, started_at) "
            "VALUES ('r1', 'enroll', '2026-01-01', '2026-01-01')"
        )
        conn.execute("INSERT INTO units (unit_code, unit_name) VALUES ('U1', '甲')")
        _contract(conn, "C1")
        yield register


def _contract(conn: sqlite3.Connection, no: str, first_time: Any = 1, imported: Any = 0) -> None:
    conn.execute(
        "INSERT INTO contracts (contract_no, unit_code, term_start, term_end, first_time, "
        "policy_version, total_staff, eligible, contribution_total, unit_share, "
        "individual_share, run_id, imported) VALUES (?, 'U1', ?, '2026-12-31', ?, '2018-95', "
        "3, 3, 300, 240, 60, 'r1', ?)",
        (no, "2026-01-01" if no == "C1" else "2027-01-01", first_time, imported),
    )


def _decide(conn: sqlite3.Connection, claim_id: str, **cells: Any) -> int:
    row = {
        "claim_id": claim_id,
        "run_id": "r1",
        "status": "approved",
        "amount": 100,
        "reason_code": "FULL_BENEFIT",
        "clause": "A5",
        "id_number": "ID1",
        "claim_type": "critical_illness",
        "period": "full",
        "contract_no": "C1",
        "content": "x",
        **cells,
    }
    cur = conn.execute(
        f"INSERT INTO decisions ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        tuple(row.values()),
    )
    return int(cur.lastrowid or 0)


def _void(conn: sqlite3.Connection, decision_id: int) -> None:
    conn.execute(
        "INSERT INTO voids (decision_id, run_id, reason) VALUES (?, 'r1', 'redo')", (decision_id,)
    )


@pytest.mark.parametrize("status", ["approved", "rejected"])
def test_a_decision_is_approved_or_rejected_l60(reg: SqliteRegister, status: str) -> None:
    _decide(reg.connection, "K1", status=status)


@pytest.mark.parametrize("status", ["pending", "APPROVED", ""])
def test_a_pending_row_is_not_a_decision_l60(reg: SqliteRegister, status: str) -> None:
    """Pending rows live in the run's frames, never in decisions (the pipeline records
    approved and rejected only)."""
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        _decide(reg.connection, "K1", status=status)


@pytest.mark.parametrize(
    "claim_type", ["critical_illness", "accident_disability", "accident_death"]
)
def test_the_three_claim_types_are_kept_l60(reg: SqliteRegister, claim_type: str) -> None:
    _decide(reg.connection, "K1", claim_type=claim_type, period=None)


@pytest.mark.parametrize("claim_type", ["重大疾病", "accident", "Critical_Illness"])
def test_another_claim_type_is_refused_l60(reg: SqliteRegister, claim_type: str) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        _decide(reg.connection, "K1", claim_type=claim_type)


@pytest.mark.parametrize("period", ["exemption", "reduced", "full", None])
def test_the_periods_of_a5_or_none_are_kept_l60(reg: SqliteRegister, period: str | None) -> None:
    _decide(reg.connection, "K1", period=period)


@pytest.mark.parametrize("period", ["waiting", "FULL", ""])
def test_another_period_is_refused_l60(reg: SqliteRegister, period: str) -> None:
    with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
        _decide(reg.connection, "K1", period=period)


@pytest.mark.parametrize("flag", ["first_time", "imported"])
@pytest.mark.parametrize(("value", "ok"), [(0, True), (1, True), (2, False), (-1, False)])
def test_contract_flags_are_booleans_l60(
    reg: SqliteRegister, flag: str, value: int, ok: bool
) -> None:
    cells = {"first_time": 1, "imported": 0, flag: value}
    if ok:
        _contract(reg.connection, "C22", **cells)
    else:
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            _contract(reg.connection, "C22", **cells)


def test_a_decision_names_a_recorded_contract_or_none_l60(reg: SqliteRegister) -> None:
    """NO_COVERAGE has no contract (NULL); any other contract_no must exist."""
    _decide(reg.connection, "K1", contract_no="C1")
    _decide(reg.connection, "K2", status="rejected", reason_code="NO_COVERAGE", contract_no=None)
    with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY constraint failed"):
        _decide(reg.connection, "K3", contract_no="C9")


def test_one_live_decision_per_claim_void_then_decide_again_l60(reg: SqliteRegister) -> None:
    conn = reg.connection
    first = _decide(conn, "K1")
    with pytest.raises(sqlite3.IntegrityError, match="one live decision per claim_id"):
        _decide(conn, "K1", status="rejected")
    _decide(conn, "K2")  # another claim is not held up
    _void(conn, first)
    second = _decide(conn, "K1", status="rejected", amount=0)
    with pytest.raises(sqlite3.IntegrityError, match="one live decision per claim_id"):
        _decide(conn, "K1")
    assert reg.live_decision("K1") == {
        "decision_id": second,
        "claim_id": "K1",
        "status": "rejected",
        "amount": 0,
        "reason_code": "FULL_BENEFIT",
    }


def test_voids_and_decisions_are_never_rewritten_nor_deleted_l60(reg: SqliteRegister) -> None:
    """A deleted void would bring two decisions of a claim back to life."""
    conn = reg.connection
    first = _decide(conn, "K1")
    _void(conn, first)
    _decide(conn, "K1")
    for sql, word in [
        ("DELETE FROM voids", "voids are appended, never deleted"),
        ("UPDATE voids SET decision_id = 99", "voids are appended, never rewritten"),
        ("DELETE FROM decisions WHERE claim_id = 'K1'", "decisions are appended, never deleted"),
        ("UPDATE decisions SET claim_id = 'K9'", "decisions are appended, never rewritten"),
    ]:
        with pytest.raises(sqlite3.IntegrityError, match=word):
            conn.execute(sql)
    assert conn.execute("SELECT count(*) FROM decisions").fetchone() == (2,)


def _frame(rows: list[dict[str, Any]]) -> pl.DataFrame:
    base: dict[str, Any] = {c: None for c in DECISION_COLUMNS}
    base |= {
        "status": "approved",
        "amount": 100,
        "reason_code": "FULL_BENEFIT",
        "clause": "A5",
        "id_number": "ID1",
        "claim_type": "critical_illness",
        "contract_no": "C1",
        "content": "x",
    }
    schema = {c: pl.Utf8 for c in DECISION_COLUMNS} | {
        c: pl.Int64
        for c in ("amount", "disability_grade", "cover_day", "base_amount", "pct", "cap_room")
    }
    return pl.DataFrame([base | r for r in rows], schema=schema)


def test_record_decisions_refuses_a_second_live_decision_and_lands_nothing_l60(
    reg: SqliteRegister,
) -> None:
    """Through the Register: the whole transaction fails, the first rows too."""
    with reg.transaction():
        reg.record_decisions("r1", _frame([{"claim_id": "K1"}]))
    with pytest.raises(sqlite3.IntegrityError, match="one live decision"), reg.transaction():
        reg.record_decisions("r1", _frame([{"claim_id": "K2"}, {"claim_id": "K1"}]))
    assert reg.history_of_ids(["ID1"], [])["claim_id"].to_list() == ["K1"]
    live = reg.live_decision("K1")
    assert live is not None
    with reg.transaction():
        run_id = reg.start_run("void", DAY, "K1")
        reg.record_void(live["decision_id"], run_id, "材料有误")
        reg.record_decisions("r1", _frame([{"claim_id": "K1", "amount": 50}]))
    history = reg.history_of_ids([], ["K1"]).sort("decision_id")
    assert history.select("amount", "voided").rows() == [(100, True), (50, False)]


def test_a_run_keeps_the_facts_its_report_shows(register_location: str) -> None:
    """L62 — run(run_id): command, input, SHA-256, as-of, parameter versions and file, aidctl
    version, started/finished, counts — all a rebuilt report's facts but the register's
    location (the caller's) and the language (the one asked)."""
    with Register.open(register_location) as reg:
        with reg.transaction():
            run_id = reg.start_run(
                "adjudicate",
                DAY,
                "claims.xlsx",
                "ab" * 32,
                "2026-01",
                policy_versions=["2026-01", "2018-95"],
                policy_file="/p/plan.toml",
            )
            reg.finish_run(run_id, {"approved": 2})
        run = reg.run(run_id)
        assert reg.run("nope") is None
    assert run is not None
    started, finished = run.pop("started_at"), run.pop("finished_at")
    assert started and finished >= started
    assert run == {
        "run_id": run_id,
        "command": "adjudicate",
        "input_file": "claims.xlsx",
        "input_sha256": "ab" * 32,
        "as_of": "2026-11-28",
        "policy_version": "2026-01",
        "policy_versions": ["2018-95", "2026-01"],
        "policy_file": "/p/plan.toml",
        "aidctl_version": __import__("aidctl").__version__,
        "counts": {"approved": 2},
    }


# ---------------------------------------------------------------- the same on PostgreSQL


@pytest.fixture
def pg() -> Iterator[Any]:
    """A PostgreSQL register with one run, one unit and one contract C1 (issue 14)."""
    from conftest import fresh_pg_database

    from aidctl.register.postgres import PostgresRegister

    with fresh_pg_database() as url, PostgresRegister.connect(url) as register:
        conn = register.connection
        conn.execute(
            "INSERT INTO runs (run_id, command, as_of, started_at) "
            "VALUES ('r1', 'enroll', '2026-01-01', '2026-01-01')"
        )
        conn.execute("INSERT INTO units (unit_code, unit_name) VALUES ('U1', '甲')")
        conn.execute(
            "INSERT INTO contracts (contract_no, unit_code, term_start, term_end, first_time, "
            "policy_version, total_staff, eligible, contribution_total, unit_share, "
            "individual_share, run_id) VALUES ('C1', 'U1', '2026-01-01', '2026-12-31', true, "
            "'2018-95', 3, 3, 300, 240, 60, 'r1')"
        )
        yield register


def _pg_decide(conn: Any, claim_id: str, **cells: Any) -> int:
    row = {
        "claim_id": claim_id,
        "run_id": "r1",
        "status": "approved",
        "amount": 100,
        "reason_code": "FULL_BENEFIT",
        "clause": "A5",
        "id_number": "ID1",
        "claim_type": "critical_illness",
        "period": "full",
        "contract_no": "C1",
        "content": "x",
        **cells,
    }
    found = conn.execute(
        f"INSERT INTO decisions ({', '.join(row)}) VALUES ({', '.join(['%s'] * len(row))}) "
        "RETURNING decision_id",
        tuple(row.values()),
    ).fetchone()
    return int(found[0])


@pytest.mark.parametrize(
    ("cells", "word"),
    [
        ({"status": "pending"}, "decisions_status_check"),
        ({"claim_type": "accident"}, "decisions_claim_type_check"),
        ({"period": "waiting"}, "decisions_period_check"),
        ({"contract_no": "C9"}, "decisions_contract_no_fkey"),
    ],
)
def test_postgres_refuses_what_sqlite_refuses_l60(
    pg: Any, cells: dict[str, Any], word: str
) -> None:
    import psycopg

    _pg_decide(pg.connection, "K0")  # the good row is kept
    with pytest.raises(psycopg.errors.IntegrityError, match=word):
        _pg_decide(pg.connection, "K1", **cells)
    assert pg.history_of_ids(["ID1"], [])["claim_id"].to_list() == ["K0"]


def test_postgres_one_live_decision_per_claim_void_then_decide_again_l60(pg: Any) -> None:
    """L86: the unique key on live_claims refuses a second live decision; a void frees it."""
    import psycopg

    conn = pg.connection
    first = _pg_decide(conn, "K1")
    with pytest.raises(psycopg.errors.UniqueViolation, match="one_live_decision_per_claim_id"):
        _pg_decide(conn, "K1", status="rejected")
    _pg_decide(conn, "K2")
    with pg.transaction():
        pg.record_void(first, "r1", "redo")
    second = _pg_decide(conn, "K1", status="rejected", amount=0)
    with pytest.raises(psycopg.errors.UniqueViolation, match="one_live_decision_per_claim_id"):
        _pg_decide(conn, "K1")
    live = pg.live_decision("K1")
    assert live is not None and live["decision_id"] == second
    assert Register.check(pg.location) == []


def test_postgres_voids_and_decisions_are_never_rewritten_nor_deleted_l60(pg: Any) -> None:
    import psycopg

    conn = pg.connection
    first = _pg_decide(conn, "K1")
    pg.record_void(first, "r1", "redo")
    for sql, word in [
        ("DELETE FROM voids", "voids are appended, never deleted"),
        ("UPDATE voids SET reason = 'x'", "voids are appended, never rewritten"),
        ("TRUNCATE voids CASCADE", "voids are appended, never deleted"),
        ("DELETE FROM decisions", "decisions are appended, never deleted"),
        ("UPDATE decisions SET claim_id = 'K9'", "decisions are appended, never rewritten"),
    ]:
        with pytest.raises(psycopg.errors.IntegrityConstraintViolation, match=word):
            conn.execute(sql)
    assert conn.execute("SELECT count(*) FROM decisions").fetchone() == (1,)


def test_postgres_record_decisions_by_copy_lands_nothing_on_a_second_live_decision_l60(
    pg: Any,
) -> None:
    import psycopg

    with pg.transaction():
        pg.record_decisions("r1", _frame([{"claim_id": "K1"}]))
    with pytest.raises(psycopg.errors.UniqueViolation), pg.transaction():
        pg.record_decisions("r1", _frame([{"claim_id": "K2"}, {"claim_id": "K1"}]))
    assert pg.history_of_ids(["ID1"], [])["claim_id"].to_list() == ["K1"]


def test_a_database_that_is_not_a_register_is_refused_and_left_untouched() -> None:
    """Issue 14, L88: someone else's database is one sentence (exit 2), never written."""
    import psycopg
    from conftest import fresh_pg_database

    from aidctl.errors import RegisterError

    with fresh_pg_database() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE payroll (x int)")
        with pytest.raises(RegisterError, match="is not an aidctl register"):
            Register.open(url)
        with psycopg.connect(url, autocommit=True) as conn:
            tables = conn.execute(
                "SELECT relname FROM pg_class WHERE relnamespace = 'public'::regnamespace "
                "AND relkind = 'r'"
            ).fetchall()
        assert tables == [("payroll",)]


def test_an_unreachable_server_is_one_sentence_in_both_languages(tmp_path: Path) -> None:
    from aidctl.errors import RegisterError

    url = f"postgresql://nobody@/none?host={tmp_path}&port=1"
    with pytest.raises(RegisterError) as caught:
        Register.open(url)
    assert "cannot be reached" in caught.value.en
    assert "无法连接" in caught.value.zh
