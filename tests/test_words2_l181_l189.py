"""Issue 13's last words and pages, read back from the workbooks a clerk gets.

Why these tests: L181 — a decision sheet that gives only a unit code makes the clerk look
the unit up; the sheets name the unit beside its code, as the register held it when the
claims were decided, and `aidctl report RUN_ID` shows the same rows again. L182 — the
payments export lists a reversal (冲销) after the payment it reverses. L183 — a share cell
formatted as a percent holds 0.1 for "10%": it is read as the percent the clerk typed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from backends import both_backends, is_url
from cli_workbooks import (
    EFFECTIVE,
    claim,
    common,
    members,
    run_cli,
    unit,
    write_claims_workbook,
    write_units_workbook,
)

DECISION_SHEETS_ZH = ("支付明细", "拒付明细", "待处理", "此前已处理")
DECISION_SHEETS_EN = ("Payments", "Rejections", "Pending", "Decided before")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def decision_rows(path: Path, sheets: tuple[str, ...]) -> dict[str, list[dict[str, Any]]]:
    """Each decision sheet's rows as {header: value}, by sheet name (absent sheets left out)."""
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        found: dict[str, list[dict[str, Any]]] = {}
        for name in sheets:
            if name not in book.sheetnames:
                continue
            rows = [tuple(r) for r in book[name].iter_rows(values_only=True)]
            head = [str(h) for h in rows[0]]
            found[name] = [dict(zip(head, r, strict=False)) for r in rows[1:] if any(r)]
        return found
    finally:
        book.close()


def _decide(tmp_path: Path, register_db: Path) -> str:
    """U1 (named 东港物流) enrolled; one claim of U1, one of a unit the register never saw."""
    book = write_units_workbook(
        tmp_path / "units.xlsx", [unit("U1", 2, name="东港物流")], members("U1", 0, 2)
    )
    assert run_cli("enroll", book, *common(register_db)).exit_code == 0
    day = dt.date(2026, 8, 1)
    claims = write_claims_workbook(
        tmp_path / "claims.xlsx",
        [
            claim("N1", 0, unit_code="U1", 病种="C1-01", 确诊日期=day),
            claim("N2", 7, unit_code="U9", 病种="C1-01", 确诊日期=day),
        ],
    )
    result = run_cli("adjudicate", claims, *common(register_db), "--json", "--out", "d.xlsx")
    assert result.exit_code in (0, 1), result.output
    run_id = json.loads(result.stdout)["run_id"]
    assert run_id is not None
    return str(run_id)


def _names_by_claim(rows: dict[str, list[dict[str, Any]]], id_col: str, name_col: str) -> dict:
    return {r[id_col]: r[name_col] for sheet in rows.values() for r in sheet}


@both_backends
def test_l181_decision_sheets_name_the_unit_beside_its_code(
    tmp_path: Path, register_db: Path
) -> None:
    """L181: 单位名称 stands right after 单位编码 on every decision sheet; the enrolled
    unit's name is given, a unit the register does not know has an empty name; the
    rebuilt report (`aidctl report RUN_ID`, zh and en) shows the same rows."""
    run_id = _decide(tmp_path, register_db)
    rows = decision_rows(tmp_path / "d.xlsx", DECISION_SHEETS_ZH)
    for sheet in rows.values():
        head = list(sheet[0]) if sheet else []
        if head:
            assert head.index("单位名称") == head.index("单位编码") + 1
    assert _names_by_claim(rows, "理赔编号", "单位名称") == {"N1": "东港物流", "N2": None}
    again = run_cli("report", run_id, "--db", register_db, "--out", "r.xlsx")
    assert again.exit_code == 0, again.output
    assert decision_rows(tmp_path / "r.xlsx", DECISION_SHEETS_ZH) == rows
    en = run_cli("report", run_id, "--db", register_db, "--lang", "en", "--out", "e.xlsx")
    assert en.exit_code == 0, en.output
    en_rows = decision_rows(tmp_path / "e.xlsx", DECISION_SHEETS_EN)
    assert _names_by_claim(en_rows, "Claim id", "Unit name") == {"N1": "东港物流", "N2": None}


def test_l181_a_rebuilt_report_shows_the_name_the_run_was_decided_with(
    tmp_path: Path, register_db: Path
) -> None:
    """L181: the run keeps the names it showed; a unit renamed in the register later does
    not change what `aidctl report RUN_ID` writes for that run."""
    import sqlite3

    run_id = _decide(tmp_path, register_db)
    assert not is_url(register_db)
    with sqlite3.connect(register_db) as conn:
        conn.execute("UPDATE units SET unit_name = '改名后' WHERE unit_code = 'U1'")
    again = run_cli("report", run_id, "--db", register_db, "--out", "r.xlsx")
    assert again.exit_code == 0, again.output
    rows = decision_rows(tmp_path / "r.xlsx", DECISION_SHEETS_ZH)
    assert _names_by_claim(rows, "理赔编号", "单位名称") == {"N1": "东港物流", "N2": None}


def _sheet(path: Path, name: str) -> list[dict[str, Any]]:
    book = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = [tuple(r) for r in book[name].iter_rows(values_only=True)]
    finally:
        book.close()
    head = [str(h) for h in rows[0]]
    return [dict(zip(head, r, strict=False)) for r in rows[1:] if any(r)]


@both_backends
def test_l182_the_reversal_follows_the_payment_it_reverses(
    tmp_path: Path, register_db: Path
) -> None:
    """L182, L102: N1 paid on 11-02, voided on 11-05, paid again on 11-20, all in November:
    the export lists the payment, its reversal, then the payment again (ordered by the
    claim and by the payment each row is or reverses, not by kind); N2, paid once, after."""
    book = write_units_workbook(tmp_path / "units.xlsx", [unit("U1", 2)], members("U1", 0, 2))
    assert run_cli("enroll", book, *common(register_db)).exit_code == 0
    day = dt.date(2026, 8, 1)
    n1 = claim("N1", 0, 病种="C1-01", 确诊日期=day)
    n2 = claim("N2", 1, 病种="C2-04", 确诊日期=day)
    first = write_claims_workbook(tmp_path / "c1.xlsx", [n1, n2])
    db = ["--db", register_db]
    assert run_cli("adjudicate", first, *db, "--as-of", "2026-11-02").exit_code == 0
    voided = run_cli("void", "N1", "--reason", "诊断有误", *db, "--as-of", "2026-11-05")
    assert voided.exit_code == 0, voided.output
    again = write_claims_workbook(tmp_path / "c2.xlsx", [n1])
    assert run_cli("adjudicate", again, *db, "--as-of", "2026-11-20").exit_code == 0
    out = run_cli("payments", "--period", "2026-11", *db, "--out", "p.xlsx")
    assert out.exit_code == 0, out.output
    rows = _sheet(tmp_path / "p.xlsx", "支付明细")
    got = [(r["理赔编号"], r["类别"], r["金额"], str(r["业务日期"])[:10]) for r in rows]
    assert got == [
        ("N1", "支付", 15000, "2026-11-02"),
        ("N1", "冲销", -15000, "2026-11-05"),
        ("N1", "支付", 15000, "2026-11-20"),
        ("N2", "支付", 5000, "2026-11-02"),
    ]


def test_l183_a_percent_typed_as_a_percent_is_read_without_the_hint(tmp_path: Path) -> None:
    """L183: the share cells of five units — 10% and 50% typed in cells formatted 0% (the
    numbers 0.1 and 0.5 stored) are 10 and 50 without a hint; the text "0.1" is still read
    as the fraction with the SHARE_AS_FRACTION hint; the text "10" and the number 10 are 10
    percent without a hint, as before."""
    from cli_workbooks import UNIT_HEADERS, write_sheets

    from aidctl.intake import read_units_workbook

    head = [*UNIT_HEADERS, "个人分担比例"]
    shares: list[Any] = [0.1, 0.5, "0.1", "10", 10]
    rows = [
        [f"U{i}", f"单位{i}", 1, EFFECTIVE, EFFECTIVE, None, None, v] for i, v in enumerate(shares)
    ]
    members_rows = [["单位编码", "身份证号", "姓名", "用工性质", "聘用期限（月）", "增员日期"]]
    path = write_sheets(tmp_path / "u.xlsx", {"参保单位": [head, *rows], "参保职工": members_rows})
    book = openpyxl.load_workbook(path)
    sheet = book["参保单位"]
    for row in (2, 3):  # the two number cells between 0 and 1, formatted as percents
        sheet.cell(row=row, column=len(head)).number_format = "0%"
    for row in (4, 5):  # text cells, as a cell formatted as text holds them
        sheet.cell(row=row, column=len(head)).data_type = "s"
    book.save(path)
    got = read_units_workbook(path)
    assert got.units["individual_share_pct"].to_list() == [10.0, 50.0, 10.0, 10.0, 10.0]
    hints = got.findings.filter(pl.col("code") == "SHARE_AS_FRACTION")
    assert hints["row"].to_list() == [4]  # only the text "0.1"
