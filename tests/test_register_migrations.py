"""Register migrations: 3 (D5: contracts.imported, contracts.received_date; the claims
calculator's decisions.disease_key), 5 (constraints, L60; run facts) on an older register,
and `enroll --import` shown in register and reports."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import openpyxl
import polars as pl
import pytest
from cli_workbooks import UNIT_HEADERS, common, members, run_cli, unit, write_units_workbook

from aidctl.errors import RegisterError
from aidctl.register import Register
from aidctl.register.frames import DECISION_COLUMNS
from aidctl.register.sqlite import APP_ID, SqliteRegister
from aidctl.register.sqlite_schema import MIGRATIONS


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def _old_register(path: Path, *, second_live: bool = False) -> None:
    """A register as migrations 1–2 left it, with one contract, one decision and a voided
    decision decided again (or, with `second_live`, two live decisions of one claim)."""
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL DEFAULT (datetime('now')))"
    )
    for version, name, sql in MIGRATIONS[:2]:
        for statement in sql.split(";\n"):
            if statement.strip():
                conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (version, name))
    conn.execute(
        "INSERT INTO runs (run_id, command, as_of, started_at) VALUES ('r1', 'enroll', "
        "'2026-01-01', '2026-01-01')"
    )
    conn.execute("INSERT INTO units (unit_code, unit_name) VALUES ('U1', '甲')")
    conn.execute(
        "INSERT INTO contracts VALUES ('C1', 'U1', '2026-01-01', '2026-12-31', 1, '2018-95', "
        "3, 3, 300, 240, 60, 'r1')"
    )
    conn.execute(
        "INSERT INTO decisions (claim_id, run_id, status, amount, reason_code, clause, "
        "id_number, content) VALUES ('K1', 'r1', 'approved', 100, 'FULL_BENEFIT', 'A5', "
        "'ID1', 'x')"
    )
    conn.execute(
        "INSERT INTO decisions (claim_id, run_id, status, amount, reason_code, clause, "
        "id_number, claim_type, period, contract_no, content) VALUES "
        "('K2', 'r1', 'approved', 50, 'REDUCED_BENEFIT', 'A5', 'ID1', 'critical_illness', "
        "'reduced', 'C1', 'y'), "
        "('K2', 'r1', 'rejected', 0, 'NO_COVERAGE', 'A2.1', 'ID1', 'accident_death', "
        "NULL, NULL, 'z')"
    )
    if not second_live:
        conn.execute("INSERT INTO voids (decision_id, run_id, reason) VALUES (2, 'r1', 'redo')")
    conn.execute(f"PRAGMA application_id = {APP_ID}")
    conn.commit()
    conn.close()


def test_an_older_register_migrates_and_keeps_its_rows(tmp_path: Path) -> None:
    """Migration 5 rebuilds contracts and decisions (L60): rows, ids, indexes and voids kept,
    foreign keys valid, constraints in force afterwards."""
    db = tmp_path / "old.sqlite3"
    _old_register(db)
    with SqliteRegister.connect(db) as reg:
        conn = reg.connection
        versions = [r[0] for r in conn.execute("SELECT version FROM schema_migrations")]
        assert versions == [m[0] for m in MIGRATIONS]
        contracts = reg.all_contracts()
        assert contracts.select("contract_no", "imported", "received_date").rows() == [
            ("C1", False, None)
        ]
        history = reg.history_of_ids(["ID1"], [])
        assert sorted(history.select("decision_id", "claim_id", "voided").rows()) == [
            (1, "K1", False),
            (2, "K2", True),
            (3, "K2", False),
        ]
        assert reg.live_decision("K2") == {
            "decision_id": 3,
            "claim_id": "K2",
            "status": "rejected",
            "amount": 0,
            "reason_code": "NO_COVERAGE",
        }
        indexes = {
            r[0]
            for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
            if not r[0].startswith("sqlite_autoindex_spells")
        }
        assert {"decisions_by_claim", "decisions_by_id", "spells_by_contract"} <= indexes
        assert any(i.startswith("sqlite_autoindex_contracts") for i in indexes)  # UNIQUE kept
        assert conn.execute("PRAGMA foreign_keys").fetchone() == (1,)
        with pytest.raises(sqlite3.IntegrityError, match="one live decision"):
            conn.execute(
                "INSERT INTO decisions (claim_id, run_id, status, amount, reason_code, clause, "
                "id_number, content) VALUES ('K2', 'r1', 'approved', 1, 'X', 'A5', 'ID1', 'x')"
            )
        run = reg.run("r1")
        assert run is not None
        assert (run["policy_versions"], run["policy_file"], run["aidctl_version"]) == (
            [],
            None,
            None,
        )
    assert Register.check(db) == []


def test_an_older_register_with_two_live_decisions_of_a_claim_is_left_as_it_was(
    tmp_path: Path,
) -> None:
    """L60: migration 5 does not start enforcing one live decision over data that breaks
    it; it says which claim, and nothing of migration 5 lands (the earlier ones may)."""
    db = tmp_path / "old.sqlite3"
    _old_register(db, second_live=True)
    decisions = "SELECT decision_id, claim_id, status, amount, period FROM decisions"
    conn = sqlite3.connect(db)
    try:
        before = conn.execute(decisions).fetchall()
    finally:
        conn.close()
    with pytest.raises(RegisterError, match="claim K2 has two decisions that are not voided"):
        Register.open(db)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone() == (4,)
        assert conn.execute(decisions).fetchall() == before
        assert (
            "CHECK"
            not in conn.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'decisions'"
            ).fetchone()[0]
        )
    finally:
        conn.close()


def test_decisions_store_and_return_the_disease_key_when_given(tmp_path: Path) -> None:
    """For the claims calculator: a `disease_key` column of the decisions frame is stored
    and comes back in the history the pipeline hands it; a frame without it still records."""
    import datetime as dt

    with Register.open(tmp_path / "r.sqlite3") as reg:
        with reg.transaction():
            run_id = reg.start_run("adjudicate", dt.date(2026, 11, 28))
            base: dict[str, object] = {c: None for c in DECISION_COLUMNS}
            base.update(
                status="approved",
                amount=1,
                reason_code="FULL_BENEFIT",
                clause="A5",
                id_number="ID1",
                content="x",
            )
            schema = {c: pl.Utf8 for c in DECISION_COLUMNS} | {
                "amount": pl.Int64,
                "disability_grade": pl.Int64,
                "cover_day": pl.Int64,
                "base_amount": pl.Int64,
                "pct": pl.Int64,
                "cap_room": pl.Int64,
                "event_date": pl.Date,
                "term_start": pl.Date,
            }
            with_key = pl.DataFrame(
                [{**base, "claim_id": "K1", "disease_key": "C1-01"}],
                schema={**schema, "disease_key": pl.Utf8},
            )
            without = pl.DataFrame([{**base, "claim_id": "K2"}], schema=schema)
            reg.record_decisions(run_id, with_key)
            reg.record_decisions(run_id, without)
        history = reg.history_of_ids(["ID1"], [])
        assert sorted(history.select("claim_id", "disease_key").rows()) == [
            ("K1", "C1-01"),
            ("K2", None),
        ]


def test_enroll_import_marks_contracts_imported_in_register_json_and_report(
    tmp_path: Path,
) -> None:
    """D5: `enroll --import` trusts a start long before the as-of day and 参保性质 续保; the
    contract is imported in the register, in JSON and in the report."""
    book = write_units_workbook(
        tmp_path / "units.xlsx",
        [unit("U1", 3, 受理日期=None, 参保性质="续保"), unit("U2", 3, 受理日期=None)],
        members("U1", 0, 3) + members("U2", 10, 3),
        unit_headers=[*UNIT_HEADERS, "参保性质"],
    )
    db = tmp_path / "reg.sqlite3"
    plain = run_cli("validate-enrollment", book, *common(db), "--json", "--out", "v.xlsx")
    assert [u["reasons"] for u in json.loads(plain.stdout)["units"]] == [
        ["BACKDATED_EFFECTIVE_DATE"],
        ["BACKDATED_EFFECTIVE_DATE"],
    ]
    result = run_cli("enroll", book, *common(db), "--import", "--json", "--out", "e.xlsx")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert [(u["unit_code"], u["imported"], u["first_time"]) for u in doc["units"]] == [
        ("U1", True, False),
        ("U2", True, True),
    ]
    conn = sqlite3.connect(db)
    try:
        assert conn.execute(
            "SELECT unit_code, imported, first_time FROM contracts ORDER BY unit_code"
        ).fetchall() == [("U1", 1, 0), ("U2", 1, 1)]
        assert conn.execute(
            "SELECT unit_code, min(first_time), max(first_time) FROM spells GROUP BY unit_code"
        ).fetchall() == [("U1", 0, 0), ("U2", 1, 1)]
    finally:
        conn.close()
    sheet = openpyxl.load_workbook(tmp_path / "e.xlsx", read_only=True)["单位"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and "导入（接管）" in r)
    col = header.index("导入（接管）")
    assert [r[col] for r in rows[rows.index(header) + 1 :] if r and r[0] in ("U1", "U2")] == [
        "是",
        "是",
    ]
