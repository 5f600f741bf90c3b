"""The board's fund workbook: a one-page summary with charts, and the figures behind them.

A board member would rather look than read (issue 12): the first sheet holds the window's
figures — members, contributions billed / collected / outstanding / earned, net paid, the
loss ratio, open claims, the reserve — and three charts: paid against earned by month
(line), net paid by district (bar) and by benefit (bar). It prints on one landscape page.
The sheets after it hold the months, districts and benefit lines the charts are drawn from.
Every number comes from `aidctl.core.fund.FundSummary`; nothing is computed here but the
layout. The file is written whole or not at all (`atomic_path`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import polars as pl
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from aidctl.core.fund import FundSummary
from aidctl.reports.safe import atomic_path, csv_safe

TITLE = Font(bold=True, size=14)
# The summary page's charts (cm) and the rows and columns they cover (L184): the line chart
# from column D, row 2, beside the figures (A 34 + B 22 + C wide: D starts about 12.3 cm in), the bar
# charts side by side below, the district one under the figures, the benefit one from D.
LINE_CHART_SIZE = (14.0, 8.0)
LINE_CHART_ROWS = 18
BAR_CHART_SIZE = (14.0, 7.0)
BAR_CHART_ROWS = 15
DISTRICT_CHART_WIDTH = 11.5
SUMMARY_LAST_COLUMN = "L"
LABEL = Font(bold=True)
YUAN = "#,##0"
RATIO = "0.0%"


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _page(ws: Any, one_page: bool) -> None:
    """Landscape, one page wide (and one page tall for the summary)."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if one_page else 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)


def _count_amount(count: int, amount: int, lang: str) -> str:
    """``394 / 3,774,500元`` (L184): a count and an amount in one cell, read like the rest."""
    return f"{count:,} / {amount:,}" + ("元" if lang == "zh" else " yuan")


def _cell_value(value: Any) -> Any:
    if isinstance(value, str):
        return csv_safe(value)
    return value


def _table(
    ws: Any, frame: pl.DataFrame, columns: Sequence[tuple[str, str, str | None]]
) -> tuple[int, int]:
    """Header row then the frame's rows; returns (header row, last row)."""
    ws.append([header for _key, header, _fmt in columns])
    for cell in ws[ws.max_row]:
        cell.font = LABEL
    header_row = ws.max_row
    for row in frame.select([key for key, _h, _f in columns]).iter_rows():
        ws.append([_cell_value(v) for v in row])
        for cell, (_key, _h, fmt) in zip(ws[ws.max_row], columns, strict=True):
            if fmt:
                cell.number_format = fmt
    for index, (_key, header, _fmt) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(index)].width = max(10, len(header) * 2 + 2)
    return header_row, ws.max_row


def write_fund_report(
    path: Path,
    summary: FundSummary,
    months: pl.DataFrame,
    districts: pl.DataFrame,
    benefits: pl.DataFrame,
    *,
    facts: Sequence[tuple[str, Any]],
    benefit_words: Mapping[str, str],
    lang: str = "zh",
) -> Path:
    """Write the workbook (module docstring) to `path`."""
    t = lambda zh, en: _t(lang, zh, en)  # noqa: E731
    wb = Workbook()
    ws = wb.active
    ws.title = t("汇总", "Summary")

    # ---- the data sheets first (the charts point at them)
    month_ws = wb.create_sheet(t("按月", "By month"))
    month_frame = months.with_columns(pl.col("month").dt.strftime("%Y-%m").alias("month_text"))
    month_rows = _table(
        month_ws,
        month_frame,
        [
            ("month_text", t("月份", "Month"), None),
            ("members", t("月末参保人数", "Members at month end"), "#,##0"),
            ("member_days", t("保障人天", "Member-days"), "#,##0"),
            ("billed", t("应缴", "Billed"), YUAN),
            ("collected", t("实收", "Collected"), YUAN),
            ("outstanding", t("欠缴（月末）", "Outstanding (month end)"), YUAN),
            ("earned", t("已赚互助金", "Earned"), YUAN),
            ("paid", t("给付（净额）", "Paid (net)"), YUAN),
            ("paid_count", t("给付笔数", "Payments"), "#,##0"),
            ("void_count", t("撤销笔数", "Voids"), "#,##0"),
            ("loss_ratio", t("赔付率", "Loss ratio"), RATIO),
            ("reserve", t("结余（月末）", "Reserve (month end)"), YUAN),
        ],
    )
    _page(month_ws, one_page=False)

    district_ws = wb.create_sheet(t("按区县", "By district"))
    name_col = "district_zh" if lang == "zh" else "district_en"
    district_frame = districts.with_columns(
        (pl.col(name_col) if name_col in districts.columns else pl.col("district")).alias("_name")
    )
    district_rows = _table(
        district_ws,
        district_frame,
        [
            ("_name", t("区县", "District"), None),
            ("members", t("期末参保人数", "Members at the end"), "#,##0"),
            ("member_days", t("保障人天", "Member-days"), "#,##0"),
            ("billed", t("应缴", "Billed"), YUAN),
            ("collected", t("实收", "Collected"), YUAN),
            ("outstanding", t("欠缴", "Outstanding"), YUAN),
            ("earned", t("已赚互助金", "Earned"), YUAN),
            ("paid", t("给付（净额）", "Paid (net)"), YUAN),
            ("loss_ratio", t("赔付率", "Loss ratio"), RATIO),
        ],
    )
    _page(district_ws, one_page=False)

    benefit_ws = wb.create_sheet(t("按保障项目", "By benefit"))
    benefit_frame = benefits.with_columns(
        pl.col("benefit")
        .replace_strict(dict(benefit_words), default=pl.col("benefit"))
        .alias("_name")
    )
    benefit_rows = _table(
        benefit_ws,
        benefit_frame,
        [
            ("_name", t("保障项目", "Benefit"), None),
            ("paid_count", t("给付笔数", "Payments"), "#,##0"),
            ("paid_amount", t("给付金额", "Paid"), YUAN),
            ("void_count", t("撤销笔数", "Voids"), "#,##0"),
            ("void_amount", t("撤销金额", "Voided"), YUAN),
            ("net_paid", t("净给付", "Net paid"), YUAN),
        ],
    )
    _page(benefit_ws, one_page=False)

    # ---- the one-page summary
    s = summary
    ws.append([t("互助保障基金运行情况", "The mutual-aid fund")])
    ws["A1"].font = TITLE
    ws.append([])
    lines: list[tuple[str, Any, str | None]] = [
        *((label, value, None) for label, value in facts),
        (t("期末参保人数", "Members covered on the last day"), s.members_on_end, "#,##0"),
        (t("  其中首次参保", "  of whom first-time"), s.first_time_on_end, "#,##0"),
        (t("  其中续保", "  of whom renewed"), s.renewed_on_end, "#,##0"),
        (t("保障人天", "Member-days of cover"), s.member_days, "#,##0"),
        (t("应缴互助金", "Contributions billed"), s.billed, YUAN),
        (t("实收互助金", "Contributions collected"), s.collected, YUAN),
        (t("欠缴（期末累计）", "Outstanding (all up to the end)"), s.outstanding, YUAN),
        (t("已赚互助金", "Contributions earned"), s.earned, YUAN),
        (t("给付（净额）", "Paid (net of voids)"), s.paid, YUAN),
        # L184: thousands separated and in yuan, as the amounts beside them
        (
            t("  给付笔数 / 金额", "  payments / amount"),
            _count_amount(s.paid_count, s.paid_amount, lang),
            None,
        ),
        (
            t("  撤销笔数 / 金额", "  voids / amount"),
            _count_amount(s.void_count, s.void_amount, lang),
            None,
        ),
        (t("赔付率（净给付 ÷ 已赚）", "Loss ratio (net paid ÷ earned)"), s.loss_ratio, RATIO),
        (t("未结案件", "Open claims"), s.open_count, "#,##0"),
        (t("未结案件最高可能给付", "Open claims, most they could cost"), s.open_max_cost, YUAN),
        (t("期初结余（参数）", "Opening balance (parameter)"), s.opening_balance, YUAN),
        (t("基金结余（期末）", "Reserve at the end"), s.reserve, YUAN),
    ]
    if s.imported_contracts:
        lines.append(
            (
                t("其中导入的履约单", "Contracts taken over (--import)"),
                s.imported_contracts,
                "#,##0",
            )
        )
    for label, value, fmt in lines:
        if isinstance(value, dt.date):
            value = value.isoformat()
        if value is None:
            value = "—"
        ws.append([label, _cell_value(value)])
        ws.cell(row=ws.max_row, column=1).font = LABEL
        if fmt and not isinstance(value, str):
            ws.cell(row=ws.max_row, column=2).number_format = fmt
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 22

    def line_chart() -> LineChart:
        chart = LineChart()
        chart.title = t("已赚互助金与给付（按月）", "Paid vs earned, by month")
        chart.y_axis.title = t("元", "yuan")
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        header, last = month_rows
        cats = Reference(month_ws, min_col=1, min_row=header + 1, max_row=max(last, header + 1))
        for col in (7, 8):  # earned, paid
            chart.add_data(
                Reference(month_ws, min_col=col, min_row=header, max_row=last),
                titles_from_data=True,
            )
        chart.set_categories(cats)
        chart.width, chart.height = LINE_CHART_SIZE
        return chart

    def bar_chart(
        title: str, sheet: Any, rows: tuple[int, int], value_col: int, category_col: int = 1
    ) -> BarChart:
        chart = BarChart()
        chart.type = "col"
        chart.title = title
        chart.y_axis.title = t("元", "yuan")
        chart.legend = None
        chart.x_axis.delete = False
        chart.y_axis.delete = False
        header, last = rows
        chart.add_data(
            Reference(sheet, min_col=value_col, min_row=header, max_row=last),
            titles_from_data=True,
        )
        chart.set_categories(
            Reference(
                sheet, min_col=category_col, min_row=header + 1, max_row=max(last, header + 1)
            )
        )
        chart.width, chart.height = BAR_CHART_SIZE
        return chart

    # L184: the line chart beside the figures, the two bar charts side by side below them,
    # all within columns A:L -- one landscape page at about 90 % (the old layout spread over
    # A:W and printed at about 60 %, 5-pt figures and half the page empty)
    ws.add_chart(line_chart(), "D2")
    below = max(ws.max_row, LINE_CHART_ROWS) + 2
    district = bar_chart(
        t("给付（净额）按区县", "Net paid by district"), district_ws, district_rows, 8
    )
    district.width = DISTRICT_CHART_WIDTH
    ws.add_chart(district, f"A{below}")
    ws.add_chart(
        bar_chart(t("给付（净额）按保障项目", "Net paid by benefit"), benefit_ws, benefit_rows, 6),
        f"D{below}",
    )
    _page(ws, one_page=True)
    ws.print_area = f"A1:{SUMMARY_LAST_COLUMN}{below + BAR_CHART_ROWS}"

    with atomic_path(path) as temp:
        wb.save(temp)
    return path
