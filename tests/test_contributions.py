"""Contributions received: the finance office's workbook into the register (L111), on both
back ends, and the fund's register reads (migration 6).

Why these tests: money received is the other half of the fund (issue 12). A clerk expects a
receipt row with a problem to be refused with the place and what to fix, never guessed at
and never counted twice, while the good rows of the same file go through; and a second
register kind (PostgreSQL) must keep the same ledger.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from workbooks import member_rows, unit_row, write_units_workbook

from aidctl import api
from aidctl.errors import InputError
from aidctl.register import Register

D = dt.date
START = D(2026, 1, 1)


def receipts_workbook(path: Path, rows: list[list[Any]], headers: list[str] | None = None) -> Path:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "收款"
    ws.append(headers or ["凭证号", "单位编码", "单位名称", "金额", "到账日期", "备注"])
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def enrolled(tmp_path: Path, db: str) -> None:
    book = write_units_workbook(
        tmp_path / "units.xlsx",
        [unit_row("U1", 3, START), unit_row("U2", 2, START)],
        [*member_rows("U1", 3), *member_rows("U2", 2, 10)],
    )
    api.enroll(book, db=db, as_of=START)


def test_receipts_go_into_the_ledger_on_both_back_ends_l111(tmp_path, register_location):
    """L111 (migration 6): recorded receipts come back as written; outstanding per unit is
    billed − received; a second file with a recorded reference refuses that row only."""
    enrolled(tmp_path, register_location)
    first = receipts_workbook(
        tmp_path / "r1.xlsx",
        [
            ["F-001", "U1", "单位U1", 300, D(2026, 1, 10), None],
            ["F-002", "U2", None, 150, D(2026, 1, 12), "部分"],
        ],
    )
    out = api.record_contributions(first, db=register_location, as_of=D(2026, 1, 31))
    assert out.exit_code == 0
    assert out.amount == 450
    owed = {r["unit_code"]: r["outstanding"] for r in out.outstanding.iter_rows(named=True)}
    assert owed == {"U1": 0, "U2": 50}
    second = receipts_workbook(
        tmp_path / "r2.xlsx",
        [
            ["F-002", "U2", None, 150, D(2026, 1, 12), None],
            ["F-003", "U2", None, 50, D(2026, 2, 1), None],
        ],
    )
    again = api.record_contributions(second, db=register_location, as_of=D(2026, 2, 28))
    assert again.recorded["reference"].to_list() == ["F-003"]
    assert again.findings.select("row", "column", "code").to_dicts() == [
        {"row": 2, "column": "reference", "code": "RECEIPT_REFERENCE_RECORDED"}
    ]
    with Register.open(register_location, create=False) as reg:
        ledger = reg.receipts()
        assert ledger.select("reference", "unit_code", "amount", "received_on").to_dicts() == [
            {"reference": "F-001", "unit_code": "U1", "amount": 300, "received_on": D(2026, 1, 10)},
            {"reference": "F-002", "unit_code": "U2", "amount": 150, "received_on": D(2026, 1, 12)},
            {"reference": "F-003", "unit_code": "U2", "amount": 50, "received_on": D(2026, 2, 1)},
        ]
        assert reg.fund_contracts()["contribution_total"].sum() == 500
        assert reg.fund_spells().height == 5
        assert reg.fund_decisions().is_empty()
        assert reg.fund_voids().is_empty()
    assert api.outstanding(db=register_location, as_of=D(2026, 2, 28))["outstanding"].sum() == 0


@pytest.mark.parametrize(
    ("cells", "column", "code"),
    [
        (["F-9", "U1", None, None, D(2026, 1, 10), None], "amount", "RECEIPT_MISSING_FIELD"),
        (["F-9", None, None, 10, D(2026, 1, 10), None], "unit_code", "RECEIPT_MISSING_FIELD"),
        ([None, "U1", None, 10, D(2026, 1, 10), None], "reference", "RECEIPT_MISSING_FIELD"),
        (
            ["F-9", "U1", None, 10.5, D(2026, 1, 10), None],
            "amount",
            "RECEIPT_AMOUNT_NOT_WHOLE_YUAN",
        ),
        (["F-9", "U1", None, -1, D(2026, 1, 10), None], "amount", "RECEIPT_NEGATIVE_AMOUNT"),
        (["F-9", "U1", None, 10, D(2026, 2, 1), None], "received_on", "RECEIPT_DATE_AFTER_AS_OF"),
        (["F-9", "U7", None, 10, D(2026, 1, 10), None], "unit_code", "RECEIPT_UNKNOWN_UNIT"),
    ],
)
def test_a_bad_receipt_row_is_refused_with_its_place_and_the_others_go_through_l111(
    tmp_path, cells, column, code
):
    """L111, both sides of each boundary: the bad row is refused (one finding: file, sheet,
    row, column, code); the good row beside it is recorded. 0 yuan and the as-of day itself
    are accepted."""
    db = str(tmp_path / "reg.sqlite3")
    enrolled(tmp_path, db)
    book = receipts_workbook(
        tmp_path / "r.xlsx", [cells, ["F-1", "U1", None, 0, D(2026, 1, 31), None]]
    )
    out = api.record_contributions(book, db=db, as_of=D(2026, 1, 31))
    assert out.recorded["reference"].to_list() == ["F-1"]
    assert out.findings.select("file", "sheet", "row", "column", "code").to_dicts() == [
        {"file": str(book), "sheet": "收款", "row": 2, "column": column, "code": code}
    ]
    assert out.exit_code == 1
    text = out.to_json()
    assert text["refused"] == 1 and text["recorded"] == 1


def test_an_unreadable_amount_is_the_intakes_finding_only_l111(tmp_path):
    """L111: an amount that cannot be read is INVALID_VALUE (the intake's, with the header as
    written), not also a missing field; the row is not recorded."""
    db = str(tmp_path / "reg.sqlite3")
    enrolled(tmp_path, db)
    book = receipts_workbook(
        tmp_path / "r.xlsx", [["F-1", "U1", None, "三百", D(2026, 1, 2), None]]
    )
    out = api.record_contributions(book, db=db, as_of=D(2026, 1, 31))
    assert out.recorded.is_empty()
    assert out.findings.select("column", "code").to_dicts() == [
        {"column": "金额", "code": "INVALID_VALUE"}
    ]


def test_a_workbook_without_the_amount_column_stops_with_one_sentence(tmp_path):
    db = str(tmp_path / "reg.sqlite3")
    enrolled(tmp_path, db)
    book = receipts_workbook(
        tmp_path / "r.xlsx",
        [["F-1", "U1", D(2026, 1, 2)]],
        headers=["凭证号", "单位编码", "到账日期"],
    )
    with pytest.raises(InputError):
        api.record_contributions(book, db=db, as_of=D(2026, 1, 31))
    with Register.open(db, create=False) as reg:
        assert reg.receipts().is_empty()


def test_the_register_refuses_a_recorded_reference_itself_l111(tmp_path, register_location):
    """L111: the ledger's key is the reference; even a caller that skipped the check cannot
    record a receipt twice."""
    enrolled(tmp_path, register_location)
    row = pl.DataFrame(
        {"reference": ["X"], "unit_code": ["U1"], "amount": [1], "received_on": [START]}
    )
    with Register.open(register_location) as reg:
        with reg.transaction():
            run = reg.start_run("contributions", START)
            reg.record_receipts(run, row)
        with pytest.raises(Exception), reg.transaction():  # noqa: B017 — either driver's error
            run = reg.start_run("contributions", START)
            reg.record_receipts(run, row)
        assert reg.receipts().height == 1


def test_the_receipts_template_is_read_back_by_contributions_record_l111(tmp_path):
    """L111: `aidctl template receipts` writes the headers the command reads; filled in, its
    row is recorded."""
    from cli_workbooks import run_cli

    target = tmp_path / "到账模板.xlsx"
    assert run_cli("template", "receipts", "--out", target).exit_code == 0
    book = openpyxl.load_workbook(target)
    ws = book["收款"]
    ws.append(["T-1", "U1", "单位U1", 300, D(2026, 1, 5), None])
    book.save(target)
    db = str(tmp_path / "reg.sqlite3")
    enrolled(tmp_path, db)
    result = run_cli(
        "contributions", "record", target, "--db", db, "--as-of", "2026-01-31", "--lang", "en",
        "--out", tmp_path / "check.xlsx",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Recorded 1 receipts, 300 yuan" in result.stdout
    assert (tmp_path / "check.xlsx").exists()
