"""The units workbook: sheets, headers, row numbers, id cells, encodings and exit-2 failures."""

from __future__ import annotations

import datetime as dt
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from aidctl.core.findings import FINDING_SCHEMA
from aidctl.errors import InputError
from aidctl.intake import MEMBERS_SCHEMA, UNITS_SCHEMA, UnitsIntake, read_units_workbook

UNITS_HEADER = ["单位编码", "单位名称", "从业人员总数", "生效日期"]
MEMBERS_HEADER = ["单位编码", "身份证号", "姓名", "用工性质", "聘用期限（月）", "增员日期"]
ID_A = "320706198001010012"
ID_B = "32070619800101002X"


def write_xlsx(path: Path, sheets: Mapping[str, Sequence[Sequence[Any]]]) -> Path:
    """A workbook with one sheet per entry; `[]` rows are left blank."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def units_rows() -> list[list[Any]]:
    return [UNITS_HEADER, ["U1", "甲公司", 30, dt.date(2026, 1, 1)]]


def members_rows(*extra: list[Any]) -> list[list[Any]]:
    return [MEMBERS_HEADER, ["U1", ID_A, "张三", "正式", None, None], *extra]


def read_with_members(tmp_path: Path, members: Sequence[Sequence[Any]]) -> UnitsIntake:
    """Read a workbook of one plain unit and the given members sheet."""
    return read_units_workbook(
        write_xlsx(tmp_path / "u.xlsx", {"units": units_rows(), "members": members})
    )


def finding_codes(frame: pl.DataFrame) -> list[tuple[int, str, str]]:
    return [(r["row"], r["column"], r["code"]) for r in frame.iter_rows(named=True)]


# --- frames and headers ---------------------------------------------------------------


def test_frames_have_the_documented_columns_and_dtypes(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "u.xlsx", {"units": units_rows(), "members": members_rows()})
    got = read_units_workbook(path)
    assert dict(got.units.schema) == UNITS_SCHEMA
    assert list(got.units.columns) == [
        "unit_code",
        "unit_name",
        "total_staff",
        "effective_date",
        "contract_no",
        "individual_share_pct",
        "total_payroll",
        "contact",
        "phone",
        "received_date",
        "enrolment_kind",
        "_sheet",
        "_row",
        "_bad_fields",
    ]
    assert dict(got.members.schema) == MEMBERS_SCHEMA
    assert dict(got.findings.schema) == FINDING_SCHEMA
    assert got.units.row(0, named=True) == {
        "unit_code": "U1",
        "unit_name": "甲公司",
        "total_staff": 30,
        "effective_date": dt.date(2026, 1, 1),
        "contract_no": None,
        "individual_share_pct": None,
        "total_payroll": None,
        "contact": None,
        "phone": None,
        "received_date": None,  # D5: optional; the batch or the as-of day supplies it
        "enrolment_kind": None,
        "_sheet": "units",
        "_row": 2,
        "_bad_fields": "",
    }
    assert got.findings.height == 0


def test_chinese_sheet_names_and_aliases(tmp_path: Path) -> None:
    units: list[list[Any]] = [
        ["统一社会信用代码", "单位名称", "在职人数", "履约单生效日期", "履约单号", "联系电话"],
        ["91320700MA1XXXXX0A", "乙", "45", "2026/3/1", "LY-001", 13800000000],
    ]
    members: list[list[Any]] = [
        ["单位代码", "证件号码", "姓名", "人员类别", "聘用期限", "参保日期"],
        ["91320700MA1XXXXX0A", ID_B, "李四", "临时工", "24", "2026年3月15日"],
    ]
    path = write_xlsx(tmp_path / "u.xlsx", {"参保单位": units, "花名册": members})
    got = read_units_workbook(path)
    unit = got.units.row(0, named=True)
    assert (unit["unit_code"], unit["total_staff"], unit["effective_date"]) == (
        "91320700MA1XXXXX0A",
        45,
        dt.date(2026, 3, 1),
    )
    assert (unit["contract_no"], unit["phone"]) == ("LY-001", "13800000000")
    member = got.members.row(0, named=True)
    assert member["employment_type"] == "temporary"
    assert member["engagement_months"] == 24
    assert member["join_date"] == dt.date(2026, 3, 15)
    assert member["_sheet"] == "花名册"


def test_english_keys_and_words_as_headers(tmp_path: Path) -> None:
    units: list[list[Any]] = [
        ["Unit Code", "unit_name", "TOTAL_STAFF", "effective date", "individual_share_pct"],
        ["U1", "A", 10, "2026-01-01", "15"],
    ]
    members: list[list[Any]] = [
        ["unit_code", "id_number", "name", "employment_type", "engagement_months"],
        ["U1", ID_A, "Zhang", "contract", None],
    ]
    got = read_units_workbook(write_xlsx(tmp_path / "u.xlsx", {"Units": units, "MEMBERS": members}))
    assert got.units["individual_share_pct"].to_list() == [15.0]
    assert got.members["employment_type"].to_list() == ["contract"]


def test_full_width_headers_brackets_and_spaces(tmp_path: Path) -> None:
    units: list[list[Any]] = [
        [
            " 单位编码 ",
            "单位 名称",
            "从业人员总数（人）",
            "生效日期",
            "个人分担比例(%)",
            "工资总额（元）",
        ],
        ["U1", "甲", 30, dt.date(2026, 1, 1), "20%", "1,234,567.5"],
    ]
    members: list[list[Any]] = [
        ["单位编码", "身份证号", "*姓名", "用工性质", "聘用期限(月)", "增员日期"],
        ["U1", ID_A, "张三", "正式", None, None],
    ]
    sheets = {"ｕｎｉｔｓ": units, "人员": members}
    got = read_units_workbook(write_xlsx(tmp_path / "u.xlsx", sheets))
    unit = got.units.row(0, named=True)
    assert (unit["unit_name"], unit["total_staff"]) == ("甲", 30)
    assert (unit["individual_share_pct"], unit["total_payroll"]) == (20.0, 1234567.5)
    assert got.members["name"].to_list() == ["张三"]


def test_title_rows_above_header_and_blank_rows_keep_excel_row_numbers(tmp_path: Path) -> None:
    members: list[list[Any]] = [
        ["2026 年度参保职工花名册"],
        ["填报单位：甲公司"],
        [],
        MEMBERS_HEADER,
        ["U1", ID_A, "张三", "正式"],
        [],
        [],
        ["U1", ID_B, "李四", "合同"],
        [None, "   ", None, None],  # only white space: blank too
        ["U1", "320706198001010039", "王五", "临时", 13],
    ]
    got = read_with_members(tmp_path, members)
    assert got.members["_row"].to_list() == [5, 8, 10]
    assert got.members["name"].to_list() == ["张三", "李四", "王五"]
    assert got.members_raw["_row"].to_list() == [5, 8, 10]
    assert got.findings.height == 0


def test_sheet_starting_below_and_right_of_a1_keeps_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "u.xlsx"
    book = openpyxl.Workbook()
    units = book.active
    assert units is not None
    units.title = "units"
    for r, row in enumerate(units_rows(), start=4):
        for c, value in enumerate(row, start=3):
            units.cell(row=r, column=c, value=value)
    members = book.create_sheet("members")
    for row in members_rows():
        members.append(row)
    book.save(path)
    got = read_units_workbook(path)
    assert got.units["_row"].to_list() == [5]
    assert got.units["unit_code"].to_list() == ["U1"]


def test_raw_frames_keep_every_column_as_text_with_original_headers(tmp_path: Path) -> None:
    members: list[list[Any]] = [
        [*MEMBERS_HEADER, "备注", None],
        ["U1", ID_A, "张三", "正式", None, dt.date(2026, 2, 1), "新入职", "x"],
    ]
    got = read_with_members(tmp_path, members)
    raw = got.members_raw
    assert raw.columns == [*MEMBERS_HEADER, "备注", "column 8", "_row"]
    assert raw.row(0) == ("U1", ID_A, "张三", "正式", None, "2026-02-01 00:00:00", "新入职", "x", 2)
    assert all(dtype == pl.Utf8 for dtype in raw.drop("_row").dtypes)


def test_duplicate_header_uses_the_first_column_and_warns(tmp_path: Path) -> None:
    members: list[list[Any]] = [
        ["单位编码", "身份证号", "姓名", "用工性质", "身份证号码"],
        ["U1", ID_A, "张三", "正式", "999"],
    ]
    got = read_with_members(tmp_path, members)
    assert got.members["id_number"].to_list() == [ID_A]
    dup = got.findings.filter(pl.col("code") == "DUPLICATE_HEADER")
    assert dup.select("sheet", "row", "column", "severity").rows() == [
        ("members", 1, "身份证号码", "warning")
    ]


# --- id cells -------------------------------------------------------------------------


def test_id_stored_as_number_is_a_finding_naming_the_cell(tmp_path: Path) -> None:
    """L19: an id stored as a number (or as scientific text) is an error for its row, the
    id kept as read and marked unreadable, never guessed."""
    members = members_rows(
        ["U1", 110101195602225103, "赵六", "正式"],
        ["U1", "3.20706199001011E+17", "钱七", "正式"],
    )
    path = write_xlsx(tmp_path / "u.xlsx", {"units": units_rows(), "members": members})
    got = read_units_workbook(path)
    found = got.findings.filter(pl.col("code") == "ID_STORED_AS_NUMBER")
    assert found.select("file", "sheet", "row", "column", "severity", "value").rows() == [
        (str(path), "members", 3, "身份证号", "error", "110101195602225104"),
        (str(path), "members", 4, "身份证号", "error", "3.20706199001011E+17"),
    ]
    # The row keeps the text read (digits already lost): never a guessed id.
    assert got.members["id_number"].to_list() == [
        ID_A,
        "110101195602225104",
        "3.20706199001011E+17",
    ]
    # ... and the id is unreadable for the rules, so the core rejects the row (E3).
    assert got.members["_bad_fields"].to_list() == ["", "id_number", "id_number"]


def test_id_typed_as_text_digits_is_not_reported(tmp_path: Path) -> None:
    got = read_units_workbook(
        write_xlsx(tmp_path / "u.xlsx", {"units": units_rows(), "members": members_rows()})
    )
    assert got.findings.filter(pl.col("code") == "ID_STORED_AS_NUMBER").height == 0


def test_id_ending_in_x_after_many_numeric_looking_ids_is_kept(tmp_path: Path) -> None:
    rows: list[list[Any]] = [MEMBERS_HEADER]
    rows += [["U1", f"3207061980010{i:05d}", f"职工{i}", "正式"] for i in range(1500)]
    rows += [["U1", "32070619800101999x", "末位", "正式"], ["U1", "待定", "未定", "正式"]]
    got = read_with_members(tmp_path, rows)
    assert got.members.height == 1502
    assert got.members["id_number"].tail(2).to_list() == ["32070619800101999X", "待定"]
    assert got.members["id_number"].null_count() == 0


def test_fifteen_digit_id_is_kept_as_text(tmp_path: Path) -> None:
    members = members_rows(["U1", "320706800101001", "老职工", "正式"])
    got = read_with_members(tmp_path, members)
    assert got.members["id_number"].to_list()[-1] == "320706800101001"
    assert got.findings.height == 0


# --- values in the sheet --------------------------------------------------------------


def test_mixed_real_text_and_serial_dates_in_one_column(tmp_path: Path) -> None:
    members = members_rows(
        ["U1", ID_B, "a", "正式", None, dt.datetime(2026, 2, 1)],
        ["U1", ID_B, "b", "正式", None, "2026/02/02"],
        ["U1", ID_B, "c", "正式", None, 46056],  # a date cell without a date format
        ["U1", ID_B, "d", "正式", None, "2026年2月4日"],
        ["U1", ID_B, "e", "正式", None, "20260205"],
        ["U1", ID_B, "f", "正式", None, "2026.2.6"],
    )
    got = read_with_members(tmp_path, members)
    assert got.members["join_date"].to_list()[1:] == [dt.date(2026, 2, d) for d in range(1, 7)]
    assert got.findings.height == 0


def test_garbage_row_yields_findings_and_good_rows_come_through(tmp_path: Path) -> None:
    members = members_rows(
        ["U1", ID_B, "坏行", "外包", "两年", "去年"],
        ["U1", "320706198001010039", "好行", "合同", None, "2026-05-01"],
    )
    path = write_xlsx(tmp_path / "u.xlsx", {"units": units_rows(), "members": members})
    got = read_units_workbook(path)
    assert got.members["name"].to_list() == ["张三", "坏行", "好行"]
    assert got.members["employment_type"].to_list() == ["formal", None, "contract"]
    assert got.members["_bad_fields"].to_list() == [
        "",
        "employment_type,engagement_months,join_date",
        "",
    ]
    assert finding_codes(got.findings) == [
        (3, "用工性质", "INVALID_VALUE"),
        (3, "聘用期限（月）", "INVALID_VALUE"),
        (3, "增员日期", "INVALID_VALUE"),
    ]
    bad = got.findings.row(0, named=True)
    assert (bad["value"], bad["unit_code"], bad["id_number"]) == ("外包", "U1", ID_B)


def test_text_after_many_numbers_in_a_number_column_is_never_silently_null(
    tmp_path: Path,
) -> None:
    units: list[list[Any]] = [UNITS_HEADER]
    units += [[f"U{i}", f"单位{i}", 30 + i, dt.date(2026, 1, 1)] for i in range(1200)]
    units += [["U9999", "最后", "待定", dt.date(2026, 1, 1)]]
    got = read_units_workbook(
        write_xlsx(tmp_path / "u.xlsx", {"units": units, "members": members_rows()})
    )
    assert got.units.height == 1201
    assert finding_codes(got.findings) == [(1202, "从业人员总数", "INVALID_VALUE")]
    assert got.findings["value"].to_list() == ["待定"]


def test_l183_percentage_cell_stored_as_fraction_is_read_as_percent_without_a_hint(
    tmp_path: Path,
) -> None:
    """L183: 20% typed in a percent cell (the number 0.2 stored) is the share 20, and no
    SHARE_AS_FRACTION hint: the clerk typed a percent."""
    path = tmp_path / "u.xlsx"
    write_xlsx(path, {"units": [[*UNITS_HEADER, "个人分担比例"]], "members": members_rows()})
    book = openpyxl.load_workbook(path)
    sheet = book["units"]
    sheet.append(["U1", "甲", 30, dt.date(2026, 1, 1), 0.2])
    sheet["E2"].number_format = "0%"
    book.save(path)
    got = read_units_workbook(path)
    assert got.units["individual_share_pct"].to_list() == [20.0]
    assert finding_codes(got.findings) == []


# --- other files and formats ----------------------------------------------------------


def test_separate_members_file_with_any_sheet_name(tmp_path: Path) -> None:
    units = write_xlsx(tmp_path / "units.xlsx", {"Sheet1": units_rows()})
    members = write_xlsx(tmp_path / "staff.xlsx", {"Sheet1": members_rows()})
    got = read_units_workbook(units, members)
    assert got.units["unit_code"].to_list() == ["U1"]
    assert got.members["id_number"].to_list() == [ID_A]
    assert got.members["_sheet"].to_list() == ["Sheet1"]


def csv_text(rows: Sequence[Sequence[Any]]) -> str:
    return "".join(",".join("" if c is None else str(c) for c in row) + "\n" for row in rows)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_gb18030(tmp_path: Path, encoding: str) -> None:
    units = tmp_path / "units.csv"
    units.write_bytes(csv_text([["参保单位名单"], *units_rows()]).encode(encoding))
    members = tmp_path / "members.csv"
    members.write_bytes(csv_text(members_rows(["U1", ID_B, "李四", "合同工"])).encode(encoding))
    got = read_units_workbook(units, members)
    assert got.units.row(0, named=True)["unit_name"] == "甲公司"
    assert got.units["_row"].to_list() == [3]
    assert got.units["effective_date"].to_list() == [dt.date(2026, 1, 1)]
    assert got.members["name"].to_list() == ["张三", "李四"]
    assert got.members["employment_type"].to_list() == ["formal", "contract"]
    assert got.members["_sheet"].to_list() == ["members", "members"]


def test_csv_scientific_id_is_reported(tmp_path: Path) -> None:
    units = tmp_path / "units.csv"
    units.write_text(csv_text(units_rows()), encoding="utf-8")
    members = tmp_path / "members.csv"
    members.write_text(
        csv_text(members_rows(["U1", "3.20706E+17", "钱七", "正式"])), encoding="utf-8"
    )
    got = read_units_workbook(units, members)
    assert finding_codes(got.findings) == [(3, "身份证号", "ID_STORED_AS_NUMBER")]
    assert got.findings["file"].to_list() == [str(members)]


def test_parquet_numeric_id_column_is_reported_and_text_kept(tmp_path: Path) -> None:
    units = tmp_path / "units.parquet"
    pl.DataFrame(
        {
            "unit_code": ["U1"],
            "unit_name": ["甲"],
            "total_staff": [30],
            "effective_date": [dt.date(2026, 1, 1)],
        }
    ).write_parquet(units)
    members = tmp_path / "members.parquet"
    pl.DataFrame(
        {
            "unit_code": ["U1"],
            "id_number": [320706198001010012],
            "name": ["张三"],
            "employment_type": ["正式"],
        }
    ).write_parquet(members)
    got = read_units_workbook(units, members)
    assert got.units.row(0, named=True)["effective_date"] == dt.date(2026, 1, 1)
    assert got.units["_row"].to_list() == [2]
    assert got.members["id_number"].to_list() == [ID_A]
    assert finding_codes(got.findings) == [(2, "id_number", "ID_STORED_AS_NUMBER")]


def write_ods(path: Path, sheet: str, rows: list[list[tuple[str, str] | None]]) -> Path:
    """A minimal OpenDocument spreadsheet; a cell is (value-type, value) or None."""

    def cell(c: tuple[str, str] | None) -> str:
        if c is None:
            return "<table:table-cell/>"
        kind, value = c
        attr = f' office:value="{value}"' if kind == "float" else ""
        return (
            f'<table:table-cell office:value-type="{kind}"{attr}><text:p>{value}</text:p>'
            "</table:table-cell>"
        )

    body = "".join(
        f"<table:table-row>{''.join(cell(c) for c in row)}</table:table-row>" for row in rows
    )
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2">'
        f'<office:body><office:spreadsheet><table:table table:name="{sheet}">{body}'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest='
        '"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" manifest:media-type='
        '"application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
        z.writestr("META-INF/manifest.xml", manifest)
    return path


def test_ods_members_file_with_number_id_cell(tmp_path: Path) -> None:
    s = "string"
    members = write_ods(
        tmp_path / "members.ods",
        "参保职工",
        [
            [None],
            [(s, "单位编码"), (s, "身份证号"), (s, "姓名"), (s, "用工性质")],
            [(s, "U1"), ("float", "110101195602225103"), (s, "赵六"), (s, "正式")],
            [(s, "U1"), (s, ID_B), (s, "李四"), (s, "正式")],
        ],
    )
    units = write_xlsx(tmp_path / "units.xlsx", {"units": units_rows()})
    got = read_units_workbook(units, members)
    assert got.members["_row"].to_list() == [3, 4]
    assert finding_codes(got.findings) == [(3, "身份证号", "ID_STORED_AS_NUMBER")]


# --- exit-2 failures ------------------------------------------------------------------


def test_missing_file_says_so_in_both_languages(tmp_path: Path) -> None:
    missing = tmp_path / "nope.xlsx"
    with pytest.raises(InputError) as caught:
        read_units_workbook(missing)
    assert caught.value.en == f"The file {missing} does not exist."
    assert "不存在" in caught.value.zh and str(missing) in caught.value.zh


def test_text_file_renamed_xlsx_is_unreadable_without_a_traceback(tmp_path: Path) -> None:
    fake = tmp_path / "units.xlsx"
    fake.write_text("单位编码,单位名称\nU1,甲\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_units_workbook(fake)
    assert caught.value.en.startswith(f"{fake} cannot be read as a spreadsheet")
    assert "无法读取" in caught.value.zh


def test_unknown_extension_is_not_a_spreadsheet(tmp_path: Path) -> None:
    doc = tmp_path / "units.docx"
    doc.write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match=r"is not a spreadsheet: give a \.xlsx"):
        read_units_workbook(doc)


def test_missing_members_sheet_names_the_accepted_names(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "u.xlsx", {"units": units_rows(), "Sheet2": members_rows()})
    with pytest.raises(InputError) as caught:
        read_units_workbook(path)
    assert "has no members sheet" in caught.value.en
    assert "参保职工" in caught.value.en and "花名册" in caught.value.zh


def test_missing_required_column_is_named(tmp_path: Path) -> None:
    members = [["单位编码", "姓名", "用工性质"], ["U1", "张三", "正式"]]
    path = write_xlsx(tmp_path / "u.xlsx", {"units": units_rows(), "members": members})
    with pytest.raises(InputError) as caught:
        read_units_workbook(path)
    assert caught.value.en == (
        f"The sheet 'members' of {path} lacks the required column 身份证号 (id_number)."
    )
    assert "缺少必填列：身份证号（id_number）" in caught.value.zh


def test_empty_sheet_is_an_input_error(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "u.xlsx", {"units": units_rows(), "members": []})
    with pytest.raises(InputError, match=r"The sheet 'members' of .* is empty"):
        read_units_workbook(path)


def test_sheet_without_header_row_is_an_input_error(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "u.xlsx", {"units": units_rows(), "members": [["张三", "正式"], ["李四"]]}
    )
    with pytest.raises(InputError) as caught:
        read_units_workbook(path)
    assert "has no header row" in caught.value.en
    assert "找不到表头行" in caught.value.zh


def test_more_rows_than_the_limit_is_an_input_error(tmp_path: Path) -> None:
    members = members_rows(["U1", ID_B, "李四", "正式"], ["U1", ID_B, "王五", "正式"])
    path = write_xlsx(tmp_path / "u.xlsx", {"units": units_rows(), "members": members})
    assert read_units_workbook(path, max_rows=3).members.height == 3
    with pytest.raises(InputError, match="has 3 data rows, more than the limit of 2"):
        read_units_workbook(path, max_rows=2)


def test_received_date_and_enrolment_kind_headers_d5(tmp_path: Path) -> None:
    """D5: 受理日期 (aliases 收件日期, 续保办理日期) is a date; 参保性质 首次 / 续保."""
    for header in ("受理日期", "收件日期", "续保办理日期"):
        units: list[list[Any]] = [
            ["单位编码", "单位名称", "从业人员总数", "生效日期", header, "参保性质"],
            ["U1", "甲公司", 30, dt.date(2026, 1, 1), "2025/12/20", "续保"],
            ["U2", "乙公司", 30, dt.date(2026, 1, 1), None, "首次"],
            ["U3", "丙公司", 30, dt.date(2026, 1, 1), None, "不知道"],
        ]
        got = read_units_workbook(
            write_xlsx(tmp_path / "k.xlsx", {"units": units, "members": members_rows()})
        )
        assert got.units["received_date"].to_list() == [dt.date(2025, 12, 20), None, None]
        assert got.units["enrolment_kind"].to_list() == ["renewal", "first", None]
        assert finding_codes(got.findings) == [(4, "参保性质", "INVALID_VALUE")]
