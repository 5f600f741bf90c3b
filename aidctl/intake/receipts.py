"""The finance office's workbook of contributions received (the fund, issue 12, L111).

One sheet (收款 / 到账 / receipts, else the first): 凭证号 (the receipt's reference),
单位编码, 金额 (yuan), 到账日期. Cells are read like every input (aidctl/intake/sheet.py):
a cell that cannot be read is an INVALID_VALUE finding naming file, sheet, row and column,
and the other rows go through. What the register must say about a row (unknown unit, a
reference already recorded) is checked by `aidctl.core.fund.check_receipts`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from aidctl.intake.read import Book
from aidctl.intake.sheet import Field, SheetSpec, find_sheet, read_sheet
from aidctl.intake.values import DATE, NUMBER, TEXT

RECEIPTS = SheetSpec(
    what_en="contributions received",
    what_zh="互助金到账",
    sheet_names=("receipts", "收款", "到账", "互助金到账", "到账明细"),
    fields=(
        Field("reference", TEXT, "凭证号", ("收据号", "票据号", "流水号", "交易流水号"), True),
        Field("unit_code", TEXT, "单位编码", ("统一社会信用代码", "单位代码"), True),
        Field("unit_name", TEXT, "单位名称"),
        Field("amount", NUMBER, "金额", ("到账金额", "缴费金额", "金额（元）"), True),
        Field("received_on", DATE, "到账日期", ("收款日期", "缴费日期", "入账日期"), True),
        Field("note", TEXT, "备注"),
    ),
)
# The headers of the blank template, in order (`aidctl template receipts`).
TEMPLATE_HEADERS = ("凭证号", "单位编码", "单位名称", "金额", "到账日期", "备注")


@dataclass(frozen=True)
class ReceiptsIntake:
    receipts: pl.DataFrame  # RECEIPTS.schema: reference, unit_code, …, _sheet, _row
    findings: pl.DataFrame
    sheet: str


def read_receipts(path: str | Path, *, max_rows: int | None = None) -> ReceiptsIntake:
    """Read the receipts sheet of `path` (see the module docstring); raises InputError when
    the file or a required column cannot be used."""
    book = Book(path)
    sheet = find_sheet(book.sheet_names, RECEIPTS.sheet_names) or book.sheet_names[0]
    read = read_sheet(book, sheet, RECEIPTS, max_rows=max_rows)
    return ReceiptsIntake(receipts=read.typed, findings=read.findings, sheet=sheet)
