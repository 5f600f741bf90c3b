"""The Excel writer (aidctl.reports.xlsx), checked by reading its files back.

Files are read with openpyxl in normal mode (formats, styles, panes, charts) and with
``polars.read_excel`` (calamine, what clerks' files are read with elsewhere in aidctl).
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from aidctl.reports import xlsx
from aidctl.reports.xlsx import (
    DATE_FORMAT,
    RATIO_FORMAT,
    YUAN_FORMAT,
    ChartSpec,
    Column,
    Sheet,
    Summary,
    SummaryTable,
    write_report,
)

FORMULA_TEXTS = [
    "=1+1",
    '=HYPERLINK("http://example.com","点我")',
    "+86-138-0000-0000",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    "#N/A",
    "#DIV/0!",
    "=",
]


@pytest.fixture(params=[True, False], ids=["row-adapter", "openpyxl-append"])
def row_path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Run a test through the fast row adapter and through openpyxl's own append path."""
    monkeypatch.setattr(xlsx, "_FAST_ROWS", request.param)
    return bool(request.param)


def claims_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "claim_id": ["LP0001", "LP0002", "LP0003"],
            "id_number": ["320705198001011234", "32070519800101123X", None],
            "name": ["张三", "欧阳小五", "Li Si"],
            "event_date": [dt.date(2026, 3, 1), None, dt.date(2025, 12, 31)],
            "amount": [150_000, 0, None],
            "ratio": [0.125, 1.0, None],
            "pct": [20, 30, None],
            "cover_day": [400, 12, 1],
        },
        schema_overrides={"amount": pl.Int64, "pct": pl.Int64, "cover_day": pl.Int64},
    )


CLAIM_COLUMNS = [
    Column("claim_id", "理赔编号"),
    Column("id_number", "身份证号"),
    Column("name", "姓名"),
    Column("event_date", "出险日期", "date"),
    Column("amount", "给付金额", "yuan"),
    Column("ratio", "比例", "ratio"),
    Column("pct", "个人分担比例", "pct"),
    Column("cover_day", "保障天数", "int"),
]


def load(path: Path) -> Any:
    return openpyxl.load_workbook(path)


def values(ws: Any) -> list[list[Any]]:
    return [list(row) for row in ws.iter_rows(values_only=True)]


# --- a data sheet ----------------------------------------------------------------------------


def test_data_sheet_is_finished(tmp_path: Path, row_path: bool) -> None:
    path = tmp_path / "claims.xlsx"
    assert write_report(path, [Sheet("支付明细", claims_frame(), CLAIM_COLUMNS)]) == [path]
    wb = load(path)
    assert wb.sheetnames == ["支付明细"]
    ws = wb["支付明细"]

    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:H4"
    assert [c.value for c in ws[1]] == [c.header for c in CLAIM_COLUMNS]
    for cell in ws[1]:
        assert cell.font.b is True
        assert cell.fill.fill_type == "solid"
        assert cell.data_type == "s"
    for letter in "ABCDEFGH":
        width = ws.column_dimensions[letter].width
        assert width is not None and xlsx.MIN_WIDTH <= width <= xlsx.MAX_WIDTH

    amount = ws["E2"]
    assert amount.value == 150_000
    assert amount.number_format == YUAN_FORMAT
    assert ws["E3"].value == 0 and ws["E3"].number_format == YUAN_FORMAT
    assert ws["E4"].value is None

    day = ws["D2"]
    assert day.is_date
    assert isinstance(day.value, dt.datetime)
    assert day.value.date() == dt.date(2026, 3, 1)
    assert day.number_format == DATE_FORMAT
    assert ws["D3"].value is None
    assert ws["D4"].value.date() == dt.date(2025, 12, 31)

    assert ws["F2"].value == 0.125 and ws["F2"].number_format == RATIO_FORMAT
    assert ws["G2"].value == 20 and ws["G2"].number_format == '0"%"'
    assert ws["H2"].value == 400 and ws["H2"].data_type == "n"

    # ids stay text, including the one ending in X
    assert ws["B2"].value == "320705198001011234" and ws["B2"].data_type == "s"
    assert ws["B3"].value == "32070519800101123X"

    assert ws.print_title_rows == "$1:$1"  # the header repeats on every printed page
    assert ws.page_setup.orientation == "landscape"


def test_data_sheet_reads_back_with_calamine(tmp_path: Path, row_path: bool) -> None:
    path = tmp_path / "claims.xlsx"
    write_report(path, [Sheet("支付明细", claims_frame(), CLAIM_COLUMNS)])
    back = pl.read_excel(path, sheet_name="支付明细", engine="calamine")
    assert back.columns == [c.header for c in CLAIM_COLUMNS]
    source = claims_frame()
    assert back["理赔编号"].to_list() == source["claim_id"].to_list()
    assert back["身份证号"].to_list() == source["id_number"].to_list()
    assert back["姓名"].to_list() == source["name"].to_list()
    assert back["出险日期"].cast(pl.Date).to_list() == source["event_date"].to_list()
    assert back["给付金额"].to_list() == source["amount"].to_list()
    assert back["保障天数"].to_list() == source["cover_day"].to_list()


def test_widths_fit_headers_and_values_with_cjk_counted_double(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {
            "ascii": ["abcdefghij"],  # 10 columns wide
            "cjk": ["一二三四五六七八九十"],  # 10 characters, 20 columns wide
            "short": ["x"],
            "fixed": ["y"],
            "yuan": [1_234_567],  # 1,234,567元: 9 + 2, numbers padded by 4 (L184)
        }
    )
    columns = [
        Column("ascii", "a"),
        Column("cjk", "b"),
        Column("short", "很长很长的中文表头"),  # 9 CJK characters: 18 + header padding
        Column("fixed", "f", width=33),
        Column("yuan", "金额", "yuan"),
    ]
    path = tmp_path / "w.xlsx"
    write_report(path, [Sheet("s", frame, columns)])
    dims = load(path)["s"].column_dimensions
    assert dims["A"].width == 12
    assert dims["B"].width == 22
    assert dims["C"].width == 22
    assert dims["D"].width == 33
    assert dims["E"].width == 15


def test_empty_frame_gives_a_sheet_with_its_header(tmp_path: Path, row_path: bool) -> None:
    path = tmp_path / "empty.xlsx"
    write_report(path, [Sheet("拒付明细", claims_frame().clear(), CLAIM_COLUMNS)])
    ws = load(path)["拒付明细"]
    assert values(ws) == [[c.header for c in CLAIM_COLUMNS]]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:H1"


def test_values_are_cast_to_their_kind(tmp_path: Path, row_path: bool) -> None:
    frame = pl.DataFrame(
        {
            "id_as_int": [110101195602225103, 42],
            "flag": [True, False],
            "when": [dt.datetime(2026, 11, 28, 15, 30), dt.datetime(2024, 2, 29, 0, 0)],
            "money": [1234.6, float("nan")],
            "inf_ratio": [float("inf"), 0.5],
            "yuan_text": ["1,000", "待定"],
            "old": [dt.date(1899, 12, 31), dt.date(2026, 1, 1)],
            "code": ["0012", "  x "],
        }
    )
    columns = [
        Column("id_as_int", "证件号", "text"),
        Column("flag", "标志"),
        Column("when", "日期", "date"),
        Column("money", "金额", "yuan"),
        Column("inf_ratio", "比例", "ratio"),
        Column("yuan_text", "金额（文本）", "yuan"),
        Column("old", "旧日期", "date"),
        Column("code", "编码"),
    ]
    path = tmp_path / "kinds.xlsx"
    write_report(path, [Sheet("s", frame, columns)])
    ws = load(path)["s"]
    assert ws["A2"].value == "110101195602225103"  # not a float that lost its last digits
    assert ws["B2"].value == "true"
    assert ws["C2"].value == dt.datetime(2026, 11, 28)  # the time of day is dropped
    assert ws["C3"].value == dt.datetime(2024, 2, 29)
    assert ws["D2"].value == 1234.6 and ws["D2"].number_format == YUAN_FORMAT
    assert ws["D3"].value is None  # NaN has no cell form
    assert ws["E2"].value is None and ws["E3"].value == 0.5
    assert ws["F2"].value == "1,000" and ws["F3"].value == "待定"  # not guessed into numbers
    assert ws["G2"].value == "1899-12-31"  # before Excel's first date: written as text
    assert ws["H2"].value == "0012" and ws["H3"].value == "  x "


@pytest.mark.parametrize(
    "day",
    [dt.date(1900, 1, 1), dt.date(1900, 2, 28), dt.date(1900, 3, 1), dt.date(1970, 1, 1)],
)
def test_early_dates_survive_excels_1900_leap_year_bug(tmp_path: Path, day: dt.date) -> None:
    path = tmp_path / "d.xlsx"
    frame = pl.DataFrame({"d": [day]})
    write_report(path, [Sheet("s", frame, [Column("d", "日期", "date")])])
    assert load(path)["s"]["A2"].value == dt.datetime.combine(day, dt.time())


def test_unwritable_text_is_cleaned_not_fatal(tmp_path: Path, row_path: bool) -> None:
    long = "长" * 40_000
    frame = pl.DataFrame({"t": ["a\x00b\x07c\x1fd", long, "", "tab\tand\nnewline"]})
    path = tmp_path / "clean.xlsx"
    write_report(path, [Sheet("s", frame, [Column("t", "备注\x01")])])
    ws = load(path)["s"]
    assert ws["A1"].value == "备注"
    assert ws["A2"].value == "abcd"
    assert ws["A3"].value == "长" * xlsx.MAX_CELL_CHARS
    assert ws["A4"].value is None
    assert ws["A5"].value == "tab\tand\nnewline"


# --- formula safety --------------------------------------------------------------------------


def test_formula_looking_text_stays_text(tmp_path: Path, row_path: bool) -> None:
    frame = pl.DataFrame({"note": FORMULA_TEXTS, "n": list(range(len(FORMULA_TEXTS)))})
    columns = [Column("note", "备注"), Column("n", "序号", "int")]
    summary = Summary(
        "汇总", "=1+1", [("=label", "=value"), ("@x", "-1+1")], [SummaryTable("+t", frame, columns)]
    )
    path = tmp_path / "formulas.xlsx"
    write_report(path, [Sheet("明细", frame, [Column("note", "=备注"), columns[1]])], summary)

    wb = load(path)
    ws = wb["明细"]
    assert ws["A1"].value == "=备注" and ws["A1"].data_type == "s"
    for row, text in enumerate(FORMULA_TEXTS, 2):
        cell = ws.cell(row=row, column=1)
        assert cell.value == text
        assert cell.data_type == "s", text
    summary_ws = wb["汇总"]
    assert summary_ws["A1"].value == "=1+1" and summary_ws["A1"].data_type == "s"
    assert [summary_ws["A3"].value, summary_ws["B3"].value] == ["=label", "=value"]
    assert [summary_ws["A4"].value, summary_ws["B4"].value] == ["@x", "-1+1"]
    for cell in summary_ws["A"] + summary_ws["B"]:
        assert cell.data_type != "f"

    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = archive.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml
                assert 't="e"' not in xml

    back = pl.read_excel(path, sheet_name="明细", engine="calamine")
    assert back["=备注"].to_list() == FORMULA_TEXTS
    whole = pl.read_excel(path, sheet_name="汇总", engine="calamine", has_header=False)
    assert set(FORMULA_TEXTS) <= set(whole.to_series(0).to_list())


# --- summary sheet ---------------------------------------------------------------------------


def make_summary() -> Summary:
    by_type = pl.DataFrame(
        {
            "benefit": ["重大疾病", "意外伤残", "意外身故"],
            "count": [3, 2, 1],
            "amount": [150_000, 40_000, 100_000],
        }
    )
    return Summary(
        name="汇总",
        title="理赔审核汇总",
        facts=[
            ("输入文件", "claims.xlsx"),
            ("业务日期", dt.date(2026, 11, 28)),
            ("申请数", 12_345),
            ("给付总额", 290_000, "yuan"),
            ("达标比例", 0.875, "ratio"),
            ("未登记", None),
        ],
        tables=[
            SummaryTable(
                "按保障类型",
                by_type,
                [
                    Column("benefit", "保障类型"),
                    Column("count", "件数", "int"),
                    Column("amount", "给付金额", "yuan"),
                ],
            ),
            SummaryTable("空表", by_type.clear(), [Column("benefit", "保障类型")]),
        ],
        chart=ChartSpec("各保障类型给付金额", 0, "benefit", "amount", "元"),
    )


def test_summary_sheet_comes_first_with_facts_tables_and_chart(
    tmp_path: Path, row_path: bool
) -> None:
    path = tmp_path / "s.xlsx"
    write_report(path, [Sheet("支付明细", claims_frame(), CLAIM_COLUMNS)], make_summary())
    wb = load(path)
    assert wb.sheetnames == ["汇总", "支付明细"]
    ws = wb["汇总"]

    assert ws["A1"].value == "理赔审核汇总" and ws["A1"].font.b is True
    assert ws["A2"].value is None
    facts = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2) for r in range(3, 9)}
    assert list(facts) == ["输入文件", "业务日期", "申请数", "给付总额", "达标比例", "未登记"]
    assert ws["A3"].font.b is True
    assert facts["输入文件"].value == "claims.xlsx"
    assert facts["业务日期"].value == dt.datetime(2026, 11, 28)
    assert facts["业务日期"].number_format == DATE_FORMAT
    assert facts["申请数"].value == 12_345 and facts["申请数"].number_format == "#,##0"
    assert facts["给付总额"].value == 290_000 and facts["给付总额"].number_format == YUAN_FORMAT
    assert facts["达标比例"].number_format == RATIO_FORMAT
    assert facts["未登记"].value is None

    # a blank row, the table's title, its header, its rows
    assert ws["A9"].value is None
    assert ws["A10"].value == "按保障类型" and ws["A10"].font.b is True
    assert [c.value for c in ws[11]][:3] == ["保障类型", "件数", "给付金额"]
    assert ws["A11"].font.b is True and ws["A11"].fill.fill_type == "solid"
    assert [[c.value for c in row][:3] for row in ws.iter_rows(min_row=12, max_row=14)] == [
        ["重大疾病", 3, 150_000],
        ["意外伤残", 2, 40_000],
        ["意外身故", 1, 100_000],
    ]
    assert ws["C12"].number_format == YUAN_FORMAT
    assert ws["A16"].value == "空表"
    assert ws["A17"].value == "保障类型"
    assert ws.max_row == 17

    assert len(ws._charts) == 1
    chart = ws._charts[0]
    marker = chart.anchor._from
    assert marker.col >= 3  # beside the three table columns, not over them
    series = chart.series[0]
    assert series.val.numRef.f == "'汇总'!$C$12:$C$14"
    categories = series.cat.numRef or series.cat.strRef
    assert categories.f == "'汇总'!$A$12:$A$14"
    assert series.tx.strRef.f == "'汇总'!C11"  # the series is named by its header

    widths = [ws.column_dimensions[letter].width for letter in "ABC"]
    assert all(w is not None and w >= xlsx.MIN_WIDTH for w in widths)


def test_summary_only_workbook(tmp_path: Path, row_path: bool) -> None:
    path = tmp_path / "only.xlsx"
    write_report(path, [], Summary("Summary", "Run", [("a", 1)]))
    wb = load(path)
    assert wb.sheetnames == ["Summary"]
    assert values(wb["Summary"]) == [["Run", None], [None, None], ["a", 1]]


def test_chart_of_an_empty_table_is_left_out(tmp_path: Path) -> None:
    summary = make_summary()
    empty_chart = Summary(
        summary.name,
        summary.title,
        summary.facts,
        summary.tables,
        ChartSpec("空", 1, "benefit", "benefit", "件"),
    )
    path = tmp_path / "e.xlsx"
    write_report(path, [], empty_chart)
    assert load(path)["汇总"]._charts == []


# --- splitting and names ---------------------------------------------------------------------


def test_long_sheet_continues_with_its_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, row_path: bool
) -> None:
    monkeypatch.setattr(xlsx, "MAX_SHEET_ROWS", 4)  # header + 3 data rows per sheet
    frame = pl.DataFrame(
        {"n": list(range(10)), "d": [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(10)]}
    )
    columns = [Column("n", "序号", "int"), Column("d", "日期", "date")]
    path = tmp_path / "split.xlsx"
    write_report(path, [Sheet("明细", frame, columns), Sheet("其他", frame.head(2), columns)])
    wb = load(path)
    assert wb.sheetnames == ["明细", "明细 (2)", "明细 (3)", "明细 (4)", "其他"]
    seen: list[int] = []
    for name in wb.sheetnames[:4]:
        ws = wb[name]
        rows = values(ws)
        assert rows[0] == ["序号", "日期"]
        assert len(rows) <= 4
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:B{len(rows)}"
        assert ws["A1"].font.b is True
        for n, day in rows[1:]:
            assert day == dt.datetime(2026, 1, 1) + dt.timedelta(days=n)
            seen.append(n)
    assert seen == list(range(10))
    assert values(wb["其他"]) == [
        ["序号", "日期"],
        [0, dt.datetime(2026, 1, 1)],
        [1, dt.datetime(2026, 1, 2)],
    ]


def test_exact_fill_does_not_add_an_empty_continuation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx, "MAX_SHEET_ROWS", 4)
    path = tmp_path / "exact.xlsx"
    write_report(path, [Sheet("s", pl.DataFrame({"n": list(range(6))}), [Column("n", "n", "int")])])
    wb = load(path)
    assert wb.sheetnames == ["s", "s (2)"]
    assert [len(values(wb[n])) for n in wb.sheetnames] == [4, 4]


def test_default_row_limit_is_excels() -> None:
    assert xlsx.MAX_SHEET_ROWS == 1_048_576


def test_sheet_names_are_cut_cleaned_and_unique(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx, "MAX_SHEET_ROWS", 2)
    long = "各单位参保职工花名册及补充材料审核结果明细表格第一部分"  # 27 characters
    longer = long + "ABCDEFGHIJ"
    columns = [Column("n", "n", "int")]
    one = pl.DataFrame({"n": [1]})
    sheets = [
        Sheet(longer, pl.DataFrame({"n": [1, 2]}), columns),
        Sheet(longer, one, columns),
        Sheet("Data", one, columns),
        Sheet("DATA", one, columns),
        Sheet("a/b:c?[d]*e\\f", one, columns),
        Sheet("'quoted'", one, columns),
        Sheet("", one, columns),
        Sheet("History", one, columns),
    ]
    path = tmp_path / "names.xlsx"
    write_report(path, sheets, Summary("Data", "t", []))
    names = load(path).sheetnames
    assert len(names) == 10
    assert all(len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == len(names)
    assert names[0] == "Data"
    assert names[1] == longer[:31]
    assert names[2] == longer[:27] + " (2)"  # the continuation
    assert names[3] == longer[:27] + " (3)"  # the second sheet of the same name
    assert names[4:6] == ["Data (2)", "DATA (3)"]
    assert names[6] == "a_b_c__d__e_f"
    assert names[7] == "quoted"
    assert names[8] == "Sheet"
    assert names[9] != "History"


# --- atomic write and argument checks --------------------------------------------------------


def test_failure_midway_leaves_the_old_report_and_no_temp_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out_dir = tmp_path / "out"
    scratch = tmp_path / "scratch"
    out_dir.mkdir()
    scratch.mkdir()
    # openpyxl's write-only sheets buffer in the system temp directory: watch it too.
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    target = out_dir / "report.xlsx"
    write_report(target, [Sheet("旧", claims_frame(), CLAIM_COLUMNS)])
    before = target.read_bytes()

    real = xlsx._append_rows
    calls = 0

    def fail_on_second_sheet(ws: Any, prep: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:
            ws.append(["half a row"])
            raise OSError("disk full")
        real(ws, prep)

    monkeypatch.setattr(xlsx, "_append_rows", fail_on_second_sheet)
    with pytest.raises(OSError, match="disk full"):
        write_report(
            target,
            [
                Sheet("新", claims_frame(), CLAIM_COLUMNS),
                Sheet("新2", claims_frame(), CLAIM_COLUMNS),
            ],
        )
    assert calls == 2
    assert target.read_bytes() == before
    assert [p.name for p in out_dir.iterdir()] == ["report.xlsx"]
    assert list(scratch.iterdir()) == []
    assert load(target).sheetnames == ["旧"]


def test_failure_while_saving_leaves_the_old_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "report.xlsx"
    target.write_bytes(b"previous")

    def broken_save(self: Any) -> None:
        self._archive.writestr("partial.xml", b"<x/>")
        raise RuntimeError("zip failed")

    monkeypatch.setattr(xlsx.ExcelWriter, "save", broken_save)
    with pytest.raises(RuntimeError, match="zip failed"):
        write_report(target, [Sheet("s", claims_frame(), CLAIM_COLUMNS)])
    assert target.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.xlsx"]


@pytest.mark.parametrize(
    ("sheets", "summary", "message"),
    [
        ([Sheet("s", pl.DataFrame({"a": [1]}), [Column("b", "B")])], None, "not in the frame"),
        ([Sheet("s", pl.DataFrame({"a": [1]}), [])], None, "no columns"),
        ([], None, "at least one sheet"),
        (
            [],
            Summary("S", "t", [], [], ChartSpec("c", 0, "a", "a", "y")),
            "no summary table 0",
        ),
        (
            [],
            Summary(
                "S",
                "t",
                [],
                [SummaryTable("t", pl.DataFrame({"a": [1]}), [Column("a", "A")])],
                ChartSpec("c", 0, "a", "zzz", "y"),
            ),
            "'zzz' not in table",
        ),
    ],
)
def test_bad_arguments_raise_before_anything_is_written(
    tmp_path: Path, sheets: list[Sheet], summary: Summary | None, message: str
) -> None:
    target = tmp_path / "r.xlsx"
    target.write_bytes(b"keep")
    with pytest.raises(ValueError, match=message):
        write_report(target, sheets, summary)
    assert target.read_bytes() == b"keep"
    assert [p.name for p in tmp_path.iterdir()] == ["r.xlsx"]


# --- the fast row path -----------------------------------------------------------------------


def _cells(path: Path) -> list[tuple[Any, ...]]:
    wb = load(path)
    out = []
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                out.append(
                    (
                        ws.title,
                        c.coordinate,
                        c.value,
                        c.data_type,
                        c.number_format,
                        c.font.b,
                        c.fill.fill_type,
                    )
                )
    return out


def test_row_adapter_writes_the_same_workbook_as_openpyxl_append(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = pl.concat([claims_frame()] * 5).with_columns(
        pl.Series("claim_id", FORMULA_TEXTS + ["ok"] * 5)
    )
    sheets = [Sheet("明细", frame, CLAIM_COLUMNS)]
    fast, plain = tmp_path / "fast.xlsx", tmp_path / "plain.xlsx"
    monkeypatch.setattr(xlsx, "_FAST_ROWS", True)
    write_report(fast, sheets, make_summary())
    monkeypatch.setattr(xlsx, "_FAST_ROWS", False)
    write_report(plain, sheets, make_summary())
    assert _cells(fast) == _cells(plain)


def test_row_adapter_is_really_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If openpyxl stops calling the adapter, this fails (the output would still be right)."""

    def refuse(self: Any, values: Any, row_idx: int) -> Any:
        raise AssertionError("openpyxl's own row conversion was used")

    monkeypatch.setattr(WriteOnlyWorksheet, "_values_to_row", refuse)
    monkeypatch.setattr(xlsx, "_FAST_ROWS", True)
    write_report(tmp_path / "x.xlsx", [Sheet("s", claims_frame(), CLAIM_COLUMNS)], make_summary())


def test_many_rows_keep_every_value(tmp_path: Path) -> None:
    n = 5_000
    frame = pl.DataFrame(
        {
            "id": [f"3207051980{i:08d}" for i in range(n)],
            "amount": list(range(n)),
            "day": [dt.date(2020, 1, 1) + dt.timedelta(days=i % 2000) for i in range(n)],
            "share": [i / n for i in range(n)],
        }
    )
    columns = [
        Column("id", "身份证号"),
        Column("amount", "金额", "yuan"),
        Column("day", "日期", "date"),
        Column("share", "比例", "ratio"),
    ]
    path = tmp_path / "many.xlsx"
    write_report(path, [Sheet("s", frame, columns)])
    back = pl.read_excel(path, sheet_name="s", engine="calamine")
    assert back["身份证号"].to_list() == frame["id"].to_list()
    assert back["金额"].to_list() == frame["amount"].to_list()
    assert back["日期"].cast(pl.Date).to_list() == frame["day"].to_list()
    assert all(math.isclose(a, b) for a, b in zip(back["比例"], frame["share"], strict=True))


@pytest.mark.slow
def test_split_at_excels_real_row_limit(tmp_path: Path) -> None:
    """One row more than a sheet holds goes to a second sheet (not an out-of-spec file)."""
    n = xlsx.MAX_SHEET_ROWS  # header included, so this is one data row too many
    frame = pl.DataFrame({"n": pl.int_range(0, n, eager=True)})
    path = tmp_path / "full.xlsx"
    write_report(path, [Sheet("s", frame, [Column("n", "序号", "int")])])
    first = pl.read_excel(path, sheet_name="s", engine="calamine")
    second = pl.read_excel(path, sheet_name="s (2)", engine="calamine")
    assert first.height == n - 1
    assert second["序号"].to_list() == [n - 1]
    assert first["序号"][-1] == n - 2
