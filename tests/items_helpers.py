"""Shared by the open-items, reopen and claims-annotated-copy tests (issue 11)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
from builders import make_id
from workbooks import (
    illness_claim,
    member_rows,
    unit_row,
    write_claims_workbook,
    write_units_workbook,
)

from aidctl import api

TERM = dt.date(2026, 1, 1)
DIAGNOSED = dt.date(2026, 5, 1)
STRANGER = 77  # make_id(77): on no roster until unit U002's comes


def enrol(root: Path, db: str, code: str = "U001", first_id: int = 0, staff: int = 5) -> None:
    book = write_units_workbook(
        root / f"units-{code}.xlsx",
        [unit_row(code, staff, TERM)],
        member_rows(code, staff, first_id),
    )
    assert api.enroll(book, db=db, as_of=TERM).exit_code == 0


def month_claims() -> list[dict[str, Any]]:
    """LP1 approved; LP2 and LP4 pending (diagnosis not recognised); LP3 pending (name
    missing); LP5 rejected NO_COVERAGE (its member's roster has not come yet)."""
    return [
        illness_claim("LP1", 0, "C1-01", DIAGNOSED),
        illness_claim("LP2", 1, "头疼", DIAGNOSED),
        illness_claim("LP3", 2, "C1-01", DIAGNOSED, name=None),
        illness_claim("LP4", 3, "感冒", DIAGNOSED),
        illness_claim("LP5", STRANGER, "C1-01", DIAGNOSED),
    ]


def adjudicate(
    root: Path, db: str, claims: list[dict[str, Any]], as_of: str, name: str
) -> api.AdjudicationOutcome:
    book = write_claims_workbook(root / f"{name}.xlsx", claims)
    out = api.adjudicate(book, db=db, as_of=as_of)
    api.write_report(out, root / f"{name}.decisions.xlsx")
    return out


def decided(out: api.AdjudicationOutcome) -> dict[str, tuple[str, str]]:
    return {
        r["claim_id"]: (r["status"], r["reason_code"])
        for r in out.decisions.select("claim_id", "status", "reason_code").iter_rows(named=True)
    }


def stranger_id() -> str:
    return make_id(STRANGER)


def edit_copy(path: Path, claim_id: str, header: str, value: Any) -> None:
    """Correct one cell of the annotated copy, as a clerk would in Excel."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    headers = [c.value for c in ws[1]]
    col = headers.index(header) + 1
    for row in ws.iter_rows(min_row=2):
        if row[0].value == claim_id:
            ws.cell(row=row[0].row, column=col, value=value)
    wb.save(path)
