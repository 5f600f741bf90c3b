"""Every report prints ready to read (issue 13, L179, L180).

The print settings are read back from each workbook the commands write on the sample data:
landscape A4, fitted to its pages' width, the header row repeated on every page, a footer
with page numbers (and the run where there is one), the SHA-256 below the summary's print
area, chart axes in whole numbers; templates one page wide. The annotated copy keeps the
clerk's numbers as numbers and codes as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from cli_workbooks import run_cli
from openpyxl.utils.cell import range_boundaries

from aidctl.reports.xlsx import PAGE_WIDTH, axis_step, pages_wide

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
AS_OF = "2026-11-28"


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    tmp = tmp_path_factory.mktemp("print")
    db = tmp / "r.sqlite3"
    common = ["--db", db, "--as-of", AS_OF]
    written: dict[str, Path] = {}

    def run(name: str, *args: Any) -> None:
        result = run_cli(*args)
        assert result.exit_code in (0, 1), (name, result.output)

    run("enroll", "enroll", SAMPLES / "units_2025.xlsx", *common, "--out", tmp / "e0.xlsx")
    run("claims", "adjudicate", SAMPLES / "claims_2025.xlsx", *common, "--out", tmp / "a0.xlsx")
    run("enroll", "enroll", SAMPLES / "units.xlsx", *common, "--out", tmp / "enroll.xlsx")
    run("claims", "adjudicate", SAMPLES / "claims.xlsx", *common, "--out", tmp / "claims.xlsx")
    run("renewals", "renewals", "--due", "90d", *common, "--out", tmp / "renewals.xlsx")
    run("void", "void", "LP20260001", "--reason", "x", *common)
    run("payments", "payments", "--period", "2026-11", *common, "--out", tmp / "pay.xlsx")
    run("t", "template", "claims", "--out", tmp / "t-claims.xlsx")
    run("t", "template", "units", "--out", tmp / "t-units.xlsx")
    written["enroll"] = tmp / "enroll.xlsx"
    written["annotated"] = tmp / "enroll.批注.xlsx"
    written["claims"] = tmp / "claims.xlsx"
    written["renewals"] = tmp / "renewals.xlsx"
    written["payments"] = tmp / "pay.xlsx"
    written["template claims"] = tmp / "t-claims.xlsx"
    written["template units"] = tmp / "t-units.xlsx"
    yield written


REPORTS = ["enroll", "annotated", "claims", "renewals", "payments"]


@pytest.mark.parametrize("name", REPORTS)
def test_every_sheet_prints_landscape_fitted_with_its_header_repeated(
    books: dict[str, Path], name: str
) -> None:
    """L179: landscape A4, fit to width (height free), header row on every page, page
    numbers in the footer; a summary sheet (a title, not a header row) repeats nothing."""
    book = openpyxl.load_workbook(books[name])
    for ws in book.worksheets:
        setup = ws.page_setup
        assert setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        assert int(setup.fitToHeight) == 0, ws.title
        assert int(setup.fitToWidth) >= 1, ws.title
        assert ws.oddFooter.center.text == "&P / &N", ws.title
        if ws.title not in ("汇总", "Summary"):
            assert ws.print_title_rows == "$1:$1", ws.title


@pytest.mark.parametrize("name", ["enroll", "claims"])
def test_run_reports_name_the_run_in_the_footer(books: dict[str, Path], name: str) -> None:
    """L179: the printed page names its run."""
    book = openpyxl.load_workbook(books[name])
    for ws in book.worksheets:
        assert ws.oddFooter.right.text.startswith("运行编号 "), ws.title


def test_wide_sheets_print_over_pages_with_their_first_columns(books: dict[str, Path]) -> None:
    """L179: the decisions (15 columns, a 60-wide reason) print over two pages side by
    side with the claim id and name repeated, not shrunk onto one page."""
    ws = openpyxl.load_workbook(books["claims"])["支付明细"]
    assert int(ws.page_setup.fitToWidth) == 2
    assert ws.print_title_cols == "$A:$B"


def test_pages_wide_rule() -> None:
    """L179 boundaries: one page up to PAGE_WIDTH, then as many as the columns need."""
    assert pages_wide([PAGE_WIDTH / 2, PAGE_WIDTH / 2]) == 1
    assert pages_wide([PAGE_WIDTH / 2, PAGE_WIDTH / 2 + 1]) == 2
    assert pages_wide([10, 10, 170, 170, 170]) == 3


def test_the_digest_is_below_the_printed_summary(books: dict[str, Path]) -> None:
    """L179: SHA-256 is kept in the workbook but off the printed page."""
    ws = openpyxl.load_workbook(books["claims"])["汇总"]
    rows = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "SHA-256"]
    assert len(rows) == 1
    area = ws.print_area.split("!")[-1]
    _, _, _, last_row = range_boundaries(area.replace("$", ""))
    assert last_row is not None and last_row < rows[0]
    assert len(str(ws.cell(rows[0], 2).value)) == 64


def test_chart_axes_count_in_whole_numbers(books: dict[str, Path]) -> None:
    """L179: a chart's value axis starts at 0 and steps by a whole number."""
    for name in ("enroll", "claims", "renewals"):
        ws = openpyxl.load_workbook(books[name]).worksheets[0]
        for chart in ws._charts:
            assert chart.y_axis.scaling.min == 0, name
            assert chart.y_axis.majorUnit is not None and chart.y_axis.majorUnit >= 1, name
            assert float(chart.y_axis.majorUnit).is_integer(), name


def test_axis_steps() -> None:
    """L179: a count of 1 steps by 1 (not 0.2); larger values by 1, 2, 5 × 10^n."""
    assert [axis_step(v) for v in (0, 1, 5, 6, 40, 2_295_000)] == [1, 1, 1, 2, 10, 500_000]


@pytest.mark.parametrize("name", ["template claims", "template units"])
def test_templates_print_one_page_wide(books: dict[str, Path], name: str) -> None:
    """L179: every sheet of a template on one page width; instructions wrap."""
    book = openpyxl.load_workbook(books[name])
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert int(ws.page_setup.fitToWidth) == 1, ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    notes = book["填表说明"]
    assert all(notes.cell(r, 1).alignment.wrap_text for r in range(1, notes.max_row + 1))


def test_annotated_copy_keeps_the_clerks_cell_types(books: dict[str, Path]) -> None:
    """L180: staff counts and shares are numbers, ids, credit codes and phones text."""
    ws = openpyxl.load_workbook(books["annotated"])["参保单位"]
    header = [c.value for c in ws[1]]
    row = {h: ws.cell(2, i + 1) for i, h in enumerate(header)}
    assert row["从业人员总数"].data_type == "n" and row["从业人员总数"].value == 45
    assert row["个人分担比例"].data_type == "n" and row["个人分担比例"].value == 20
    assert row["单位编码"].data_type == "s"
    assert row["联系电话"].data_type == "s" and row["联系电话"].value == "0518-63669805"
    members = openpyxl.load_workbook(books["annotated"])["参保职工"]
    ids = [members.cell(r, 2).value for r in range(2, 20)]
    assert all(isinstance(v, str) and len(v) == 18 for v in ids)


def test_annotated_copy_dates_are_dates_when_the_column_reads(tmp_path: Path) -> None:
    """L180: a column whose every cell is a date is written as dates; one that holds a
    cell that does not read (2026年2月30日) keeps the clerk's text."""
    import polars as pl

    from aidctl.reports.enrollment import typed, typed_kind

    good = pl.Series("增员日期", ["2026-01-05", None, "2026-03-01"])
    bad = pl.Series("生效日期", ["2026-01-05", "2026年2月30日"])
    assert typed_kind(good, good.name) == "date"
    assert typed_kind(bad, bad.name) == "text"
    assert typed_kind(pl.Series("联系电话", ["18245507865"]), "联系电话") == "text"
    assert typed_kind(pl.Series("工资总额", ["4158000", "0.5"]), "工资总额") == "int"
    frame = pl.DataFrame({"d": good}).with_columns(typed(pl.col("d"), "date"))
    assert frame["d"].to_list() == [dt.date(2026, 1, 5), None, dt.date(2026, 3, 1)]
