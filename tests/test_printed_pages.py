"""Printed pages a clerk can read (L184) and the unit named on the month's workbooks (L185).

The pages of `make render` were looked at: reasons cut off at their column's edge or run
onto a page of their own, the halves of a wide sheet pages apart, a right-aligned 0 reading
as the first digit of the unit code beside it, amounts without 元, the fund summary at
60 % on half a page, no unit names on the month's worklist. Each fix is read back here.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from aidctl.api.month import items_as_worklist
from aidctl.plan.params import load_policy
from aidctl.reports import xlsx
from aidctl.reports.month import month_by_unit, write_month_summary, write_worklist
from aidctl.reports.templates import write_claims_template, write_units_template
from aidctl.reports.xlsx import (
    LINE_HEIGHT,
    MAX_ROW_HEIGHT,
    Column,
    Sheet,
    Summary,
    write_report,
)


def sheet_of(path: Path, name: str | None = None) -> Any:
    wb = openpyxl.load_workbook(path)
    return wb[name] if name else wb.worksheets[0]


def reason_sheet(tmp_path: Path, reasons: list[str], width: int = 20) -> Any:
    frame = pl.DataFrame({"id": [f"C{i}" for i in range(len(reasons))], "reason": reasons})
    path = tmp_path / "r.xlsx"
    columns = [Column("id", "编号"), Column("reason", "原因说明", width=width)]
    write_report(path, [Sheet("s", frame, columns)])
    return sheet_of(path, "s")


# ---------------------------------------------------------------- L184: long text wraps


def test_text_longer_than_its_column_wraps_and_its_row_grows_l184(tmp_path: Path) -> None:
    """L184: a reason wider than its column wraps, its row as tall as its lines, every cell
    of the row at the top; a reason that fits leaves its row alone."""
    long = "原因" * 20  # 80 columns wide in a 20-wide column: 80 × 1.1 / 19 → 5 lines
    ws = reason_sheet(tmp_path, ["短", long])
    assert ws["B2"].alignment.wrap_text and ws["B3"].alignment.wrap_text
    assert ws.row_dimensions[2].height is None  # one line: the default height
    assert ws.row_dimensions[3].height == 5 * LINE_HEIGHT
    assert ws["A3"].alignment.vertical == "top" and ws["B3"].alignment.vertical == "top"
    assert ws["B3"].value == long and ws["B3"].data_type == "s"


def test_text_that_fits_its_column_does_not_wrap_l184(tmp_path: Path) -> None:
    """L184, the other side: the widest value plus padding within the column: no wrapping,
    no height, no styled cells."""
    ws = reason_sheet(tmp_path, ["原因" * 2 + "ab"], width=12)  # 10 + 2 = 12: fits
    assert not ws["B2"].alignment.wrap_text
    assert ws["A2"].alignment.vertical is None
    ws = reason_sheet(tmp_path, ["原因" * 2 + "abc"], width=12)  # 11 + 2 = 13: wraps
    assert ws["B2"].alignment.wrap_text


def test_a_row_is_never_taller_than_excel_allows_l184(tmp_path: Path) -> None:
    ws = reason_sheet(tmp_path, ["长" * 5000])
    assert ws.row_dimensions[2].height == MAX_ROW_HEIGHT


def test_wrapped_text_that_looks_like_a_formula_stays_text_l184(tmp_path: Path) -> None:
    ws = reason_sheet(tmp_path, ["=HYPERLINK(" + "x" * 40 + ")"])
    assert ws["B2"].data_type == "s" and ws["B2"].alignment.wrap_text


def test_a_long_sheet_is_not_wrapped_l184(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """L184: over WRAP_MAX_ROWS rows a sheet is for the screen: no wrapping (styling every
    cell of 100,000 rows doubled the time to write them); at the limit it wraps."""
    monkeypatch.setattr(xlsx, "WRAP_MAX_ROWS", 3)
    long = "原因" * 20
    assert reason_sheet(tmp_path, [long] * 3)["B2"].alignment.wrap_text
    ws = reason_sheet(tmp_path, [long] * 4)
    assert not ws["B2"].alignment.wrap_text
    assert ws.row_dimensions[2].height is None


def test_wrapped_cells_keep_their_number_formats_l184(tmp_path: Path) -> None:
    frame = pl.DataFrame({"amount": [15000], "day": [dt.date(2026, 1, 9)], "reason": ["原因" * 20]})
    path = tmp_path / "f.xlsx"
    columns = [
        Column("amount", "金额", kind="yuan"),
        Column("day", "出险日期", kind="date"),
        Column("reason", "原因说明", width=20),
    ]
    write_report(path, [Sheet("s", frame, columns)])
    ws = sheet_of(path, "s")
    assert ws["A2"].number_format == xlsx.YUAN_FORMAT and ws["A2"].alignment.vertical == "top"
    assert ws["B2"].number_format == xlsx.DATE_FORMAT and ws["B2"].value == dt.datetime(2026, 1, 9)


# ---------------------------------------------------------------- L184: numbers and text


def test_text_right_of_a_number_starts_one_step_in_l184(tmp_path: Path) -> None:
    """L184: an age 0 right-aligned beside a unit code read as its first digit: the code
    column starts one step in (and is that much wider); a text column after text does not."""
    frame = pl.DataFrame({"age": [0], "unit": ["91320703MAEXEC1N66"], "name": ["甲"]})
    path = tmp_path / "n.xlsx"
    columns = [
        Column("age", "已等待天数", kind="int"),
        Column("unit", "单位编码"),
        Column("name", "姓名"),
    ]
    write_report(path, [Sheet("s", frame, columns)])
    ws = sheet_of(path, "s")
    assert ws["B2"].alignment.indent == 1 and ws["B2"].alignment.horizontal == "left"
    assert ws["C2"].alignment.indent == 0
    assert ws.column_dimensions["B"].width == 18 + 2 + 2  # value, padding, the step in


def test_numbers_get_more_room_than_text_l184(tmp_path: Path) -> None:
    frame = pl.DataFrame({"t": ["1234567890"], "n": [1234567890]})
    path = tmp_path / "w.xlsx"
    write_report(path, [Sheet("s", frame, [Column("t", "t"), Column("n", "n", kind="int")])])
    dims = sheet_of(path, "s").column_dimensions
    assert dims["A"].width == 12 and dims["B"].width == 14


def test_summary_facts_sit_left_beside_their_labels_l184(tmp_path: Path) -> None:
    """L184: a date or a number among the summary's facts was pushed to the far right of a
    wide column; every fact's value is left-aligned."""
    path = tmp_path / "s.xlsx"
    facts = [("期间", "2026-11"), ("业务日期", dt.date(2026, 11, 28)), ("件数", 3)]
    write_report(path, [], Summary("汇总", "标题", facts))
    ws = sheet_of(path)
    assert [ws.cell(r, 2).alignment.horizontal for r in (3, 4, 5)] == ["left"] * 3


# ---------------------------------------------------------------- L184: page order


def test_a_wide_sheet_prints_across_then_down_l184(tmp_path: Path) -> None:
    """L184: the halves of the same rows are consecutive pages; a sheet one page wide keeps
    the default order."""
    frame = pl.DataFrame({f"c{i}": ["x" * 30] for i in range(8)})  # 8 × 32 = 256 > 190
    path = tmp_path / "wide.xlsx"
    write_report(path, [Sheet("wide", frame, [Column(c, c) for c in frame.columns])])
    ws = sheet_of(path, "wide")
    assert ws.page_setup.fitToWidth == 2
    assert ws.page_setup.pageOrder == "overThenDown"
    narrow = pl.DataFrame({f"c{i}": ["x" * 30] for i in range(5)})  # 5 × 32 = 160 ≤ 190
    write_report(path, [Sheet("narrow", narrow, [Column(c, c) for c in narrow.columns])])
    ws = sheet_of(path, "narrow")
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.pageOrder is None


# ---------------------------------------------------------------- the month (L184, L185)


def open_items() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "item_id": [1, 2],
            "claim_id": ["P9", "P10"],
            "id_number": ["320706198001010011", "320706198001010029"],
            "name": ["职工011", "职工029"],
            "unit_code": ["U001", "U404"],
            "claim_type": ["accident_disability", "accident_disability"],
            "event_date": [dt.date(2026, 9, 1)] * 2,
            "disease_code": [None, None],
            "disability_grade": [5, 5],
            "reason_code": ["TREATMENT_NOT_ENDED"] * 2,
            "clause": ["A5.3"] * 2,
            "detail": [None, None],
            "unit_name": ["甲公司", None],
            "opened_on": [dt.date(2026, 10, 1)] * 2,
            "opened_run": ["r1"] * 2,
            "last_on": [dt.date(2026, 11, 1)] * 2,
            "last_run": ["r2"] * 2,
            "times_seen": [2, 1],
        },
        schema_overrides={"disease_code": pl.Utf8, "detail": pl.Utf8, "unit_name": pl.Utf8},
    )


def test_the_months_worklist_names_each_unit_l185(tmp_path: Path) -> None:
    """L185: 单位名称 right after 单位编码 on the month's worklist, the register's name; a
    unit it does not know has an empty name."""
    work = items_as_worklist(open_items(), dt.date(2026, 11, 28))
    path = write_worklist(
        tmp_path / "open.xlsx", work, pl.DataFrame(), load_policy().catalogue, [], "zh", False
    )
    rows = list(sheet_of(path, "待处理").iter_rows(values_only=True))
    head = list(rows[0])
    assert head[head.index("单位编码") + 1] == "单位名称"
    named = {r[head.index("理赔编号")]: r[head.index("单位名称")] for r in rows[1:]}
    assert named == {"P9": "甲公司", "P10": None}


def month_rows() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "claim_id": ["A", "B", "C", "D", "E"],
            "status": ["approved", "approved", "rejected", "approved", "pending"],
            "reason_code": ["FULL_BENEFIT", "FULL_BENEFIT", "NO_COVERAGE", "ALREADY_DECIDED", "X"],
            "unit_code": ["U001", "U001", "U002", "U002", "U003"],
            "amount": [15000, 500, 0, 9999, 0],
        }
    )


def test_the_month_per_unit_counts_new_decisions_and_names_the_unit_l185() -> None:
    """L185 (with L144): per unit the new approvals and their amount, the rejections (an
    ALREADY_DECIDED row is not new), its open items; the register's name, empty when it
    does not know the unit."""
    units = pl.DataFrame({"unit_code": ["U001", "U002"], "unit_name": ["甲公司", "乙公司"]})
    items = open_items().with_columns(pl.Series("unit_code", ["U001", "U404"]))
    got = month_by_unit(month_rows(), items, units)
    assert got.rows() == [
        ("U001", "甲公司", 2, 15500, 0, 1),
        ("U002", "乙公司", 0, 0, 1, 0),
        ("U404", None, 0, 0, 0, 1),
    ]


def test_the_month_summary_shows_amounts_in_yuan_and_units_by_name_l184_l185(
    tmp_path: Path,
) -> None:
    """L184: the amounts of the month read 3,774,500元 (they were bare integers among the
    counts); L185: a second sheet 按单位 names each unit beside its code. The summary itself
    stays one page."""
    counts = {"new_approved": 2, "paid": 3774500, "net_paid": 3774500, "open_items": 1}
    units = pl.DataFrame({"unit_code": ["U001"], "unit_name": ["甲公司"]})
    by_unit = month_by_unit(month_rows(), open_items().head(1), units)
    path = write_month_summary(tmp_path / "m.xlsx", counts, [], "zh", by_unit)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["月度汇总", "按单位"]
    summary = wb["月度汇总"]
    cells = {r[0].value: r[1] for r in summary.iter_rows(min_col=1, max_col=2) if r[0].value}
    assert cells["本月给付金额"].value == 3774500
    assert cells["本月给付金额"].number_format == xlsx.YUAN_FORMAT
    assert cells["本月新给付件数"].number_format != xlsx.YUAN_FORMAT
    assert summary.page_setup.fitToWidth == 1
    head = [c.value for c in wb["按单位"][1]]
    assert head[:2] == ["单位编码", "单位名称"]
    assert wb["按单位"]["B2"].value == "甲公司"
    # without the per-unit frame (a caller of before) the workbook is the summary alone
    path = write_month_summary(tmp_path / "m2.xlsx", counts, [], "en")
    assert openpyxl.load_workbook(path).sheetnames == ["Month"]


# ---------------------------------------------------------------- L184: the templates


def test_template_columns_have_room_for_what_the_clerk_types_l184(tmp_path: Path) -> None:
    """L184: an 18-character id number or unit code fits its template column (they were 12
    wide, cut at the filled cell beside); a column without such content keeps the header's
    width (at least 12)."""
    units = openpyxl.load_workbook(write_units_template(tmp_path / "u.xlsx"))
    claims = openpyxl.load_workbook(
        write_claims_template(tmp_path / "c.xlsx", load_policy().catalogue)
    )
    for ws in (units["参保单位"], units["参保职工"], claims.worksheets[0]):
        widths = {c.value: ws.column_dimensions[c.column_letter].width for c in ws[1]}
        assert widths["单位编码"] >= 18 + 2
        if "身份证号" in widths:
            assert widths["身份证号"] >= 18 + 2
        if "姓名" in widths:
            assert widths["姓名"] == 12
    assert units["参保单位"].page_setup.fitToWidth == 1  # still one page wide (L179)


def test_data_sheets_print_their_grid_the_summary_does_not_l184(tmp_path: Path) -> None:
    """L184: a data sheet prints its cell grid (a row grown to a wrapped reason reads as one
    row); the summary, a page of facts and small tables, does not."""
    path = tmp_path / "g.xlsx"
    frame = pl.DataFrame({"a": ["x"]})
    write_report(path, [Sheet("s", frame, [Column("a", "A")])], Summary("汇总", "标题", []))
    wb = openpyxl.load_workbook(path)
    assert wb["s"].print_options.gridLines
    assert not wb["汇总"].print_options.gridLines
