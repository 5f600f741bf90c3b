"""Two readings of what a report shows, read back from the workbooks a clerk gets.

Why these tests: L68 — a roster that states no received day is taken as received on the
as-of day (D5), and the enrolment report says so among its facts, so that a clerk who
disagrees sees which day was used; `aidctl report RUN_ID` shows the same day again. L69 —
the adjudication summary's paid-per-unit table orders units that were paid the same by
unit code, whatever order the claims came in, so the same run always writes the same rows.
Both run on the two register back ends (the facts name the register; the table is built
from decisions the register returns).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from backends import both_backends
from cli_workbooks import (
    AS_OF,
    claim,
    common,
    members,
    run_cli,
    unit,
    write_claims_workbook,
    write_units_workbook,
)

RECEIVED_ZH = "受理日期（名册未填写时）"
RECEIVED_EN = "Received (where a roster states none)"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def sheet_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in book[sheet].iter_rows(values_only=True)]
    finally:
        book.close()


def fact(rows: list[tuple[Any, ...]], label: str) -> Any:
    found = [r[1] for r in rows if r and r[0] == label]
    assert len(found) == 1, (label, rows)
    value = found[0]
    return value.date() if isinstance(value, dt.datetime) else value


@both_backends
def test_l68_the_enrolment_report_shows_the_received_day_used_for_a_roster_without_one(
    tmp_path: Path, register_db: Path
) -> None:
    """L68, D5: no 受理日期 in the roster: the report's facts show the as-of day used for it,
    in both languages, and `aidctl report RUN_ID` shows the same day again."""
    book = write_units_workbook(
        tmp_path / "units.xlsx", [unit("U1", 3, 受理日期=None)], members("U1", 0, 3)
    )
    result = run_cli("enroll", book, *common(register_db), "--json", "--out", "e.xlsx")
    assert result.exit_code == 1, result.output  # D6: members' start moved to that day
    run_id = json.loads(result.stdout)["run_id"]
    assert run_id is not None
    as_of = dt.date.fromisoformat(AS_OF)
    assert fact(sheet_rows(tmp_path / "e.xlsx", "汇总"), RECEIVED_ZH) == as_of
    again = run_cli("report", run_id, "--db", register_db, "--lang", "en", "--out", "r.xlsx")
    assert again.exit_code == 0, again.output
    assert fact(sheet_rows(tmp_path / "r.xlsx", "Summary"), RECEIVED_EN) == as_of
    # a different as-of day is a different received day (the boundary of the reading)
    check = run_cli(
        "validate-enrollment", book, "--db", register_db, "--as-of", "2026-11-27", "--out", "v.xlsx"
    )
    assert check.exit_code in (0, 1), check.output
    assert fact(sheet_rows(tmp_path / "v.xlsx", "汇总"), RECEIVED_ZH) == dt.date(2026, 11, 27)


def paid_per_unit(rows: list[tuple[Any, ...]], title: str) -> list[tuple[Any, ...]]:
    """The rows of the summary's paid-per-unit table: after its title and header row, up
    to the first empty row; unit code, count and amount (the unit's name, L185, is
    `unit_names`')."""
    return [(r[0], r[2], r[3]) for r in _per_unit_rows(rows, title)]


def unit_names(rows: list[tuple[Any, ...]], title: str) -> dict[Any, Any]:
    """L185: the unit's name beside its code in the paid-per-unit table."""
    return {r[0]: r[1] for r in _per_unit_rows(rows, title)}


def _per_unit_rows(rows: list[tuple[Any, ...]], title: str) -> list[tuple[Any, ...]]:
    start = next(i for i, r in enumerate(rows) if r and r[0] == title)
    assert rows[start + 1][:2] == ("单位编码", "单位名称")
    table: list[tuple[Any, ...]] = []
    for r in rows[start + 2 :]:
        if not r or r[0] is None:
            break
        table.append(tuple(r[:4]))
    return table


@both_backends
def test_l69_units_paid_the_same_are_listed_by_unit_code(tmp_path: Path, register_db: Path) -> None:
    """L69: U3 and U1 are paid 15,000 each, U2 5,000; the claims come U3 first. The table
    lists the larger amount first and the tie by unit code: U1, U3, then U2."""
    book = write_units_workbook(
        tmp_path / "units.xlsx",
        [unit("U1", 1), unit("U2", 1), unit("U3", 1)],
        members("U1", 0, 1) + members("U2", 1, 1) + members("U3", 2, 1),
    )
    assert run_cli("enroll", book, *common(register_db)).exit_code == 0
    day = dt.date(2026, 8, 1)
    claims = write_claims_workbook(
        tmp_path / "claims.xlsx",
        [
            claim("LP3", 2, unit_code="U3", 病种="C1-01", 确诊日期=day),
            claim("LP2", 1, unit_code="U2", 病种="C2-04", 确诊日期=day),
            claim("LP1", 0, unit_code="U1", 病种="C1-01", 确诊日期=day),
        ],
    )
    result = run_cli("adjudicate", claims, *common(register_db), "--out", "d.xlsx")
    assert result.exit_code == 0, result.output
    summary = sheet_rows(tmp_path / "d.xlsx", "汇总")
    table = paid_per_unit(summary, "各单位给付合计")
    assert table == [("U1", 1, 15000), ("U3", 1, 15000), ("U2", 1, 5000)]
    # L185: each named as the register holds it (the roster's 单位名称), as on the decision
    # sheets (L181)
    assert unit_names(summary, "各单位给付合计") == {u: f"单位{u}" for u in ("U1", "U2", "U3")}
