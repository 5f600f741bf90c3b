"""Generated bad workbooks and CSVs: the intake never crashes, never hangs, never loses a row.

Why these tests: clerks' spreadsheets hold whatever a person or another program put in
them — ids typed as numbers or pasted as `3.20706199001011E+17`, dates in five styles and
as serial numbers, full-width digits, formulas, 5,000-character notes, control
characters, title rows, thousands of blank rows, repeated headers, hidden and merged
sheets. formats.md promises that row problems are findings (file, sheet, Excel row,
column) and that only a file that cannot be used at all stops the command with one
sentence (exit 2). So for every generated file:

* `read_units_workbook` / `read_claims` return frames of the documented schemas and a
  findings frame whose every row names file, sheet, row and column — or raise
  `InputError` with one English and one Chinese sentence; any other exception, or a read
  that does not finish, fails the test;
* a non-empty cell never becomes null without a finding (architecture.md), and an empty
  cell never gets a value;
* the one valid row planted among the garbage comes back with every value intact and
  without a finding;
* through the CLI (validate-enrollment, enroll, adjudicate --dry-run) the exit code is
  0, 1 or 2, nothing is a traceback or an "unexpected error", and a command that does
  not record leaves the register byte-identical.

The number of examples is `AIDCTL_FUZZ_EXAMPLES` (default 150, shared among the tests);
runs are derandomized so CI sees the same files every time. A longer run:
`AIDCTL_FUZZ_EXAMPLES=5000 .venv/bin/pytest tests/test_fuzz_intake.py` (`make fuzz`).
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import faulthandler
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from builders import make_id
from cli_workbooks import (
    AS_OF,
    UNIT_HEADERS,
    claim,
    file_bytes,
    members,
    run_cli,
    unit,
    write_claims_workbook,
    write_units_workbook,
)
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from typer.testing import Result

from aidctl.core.findings import FINDING_SCHEMA
from aidctl.errors import InputError
from aidctl.intake import CLAIMS_SCHEMA, MEMBERS_SCHEMA, UNITS_SCHEMA, read_claims
from aidctl.intake import read_units_workbook as read_units

# ---------------------------------------------------------------- budget

TOTAL_EXAMPLES = int(os.environ.get("AIDCTL_FUZZ_EXAMPLES", "") or 150)
settings.register_profile(
    "fuzz",
    max_examples=TOTAL_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
)
FUZZ = settings.get_profile("fuzz")


def budget(share: float) -> settings:
    """This test's part of AIDCTL_FUZZ_EXAMPLES (the shares below add up to 1)."""
    return settings(FUZZ, max_examples=max(3, round(TOTAL_EXAMPLES * share)))


# A read that takes longer than this is a hang: the process dumps every thread's stack
# and exits, so CI shows where it was stuck instead of waiting for its own timeout.
HANG_SECONDS = 120


@contextlib.contextmanager
def no_hang() -> Iterator[None]:
    faulthandler.dump_traceback_later(HANG_SECONDS, exit=True, file=sys.stderr)
    try:
        yield
    finally:
        faulthandler.cancel_dump_traceback_later()


# ---------------------------------------------------------------- cell values


class Formula(str):
    """Written as a formula cell (openpyxl stores no cached value, as scripts' files do)."""


def _serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


ID_FORMS: list[Any] = [
    make_id(1),  # a valid id, as text
    int(make_id(2)),  # typed into a number cell: its last digits are lost
    float(make_id(3)),
    "3.20706199001011E+17",  # Excel's display of one, pasted as text
    "3.20706199001011e+17",
    "320706800101001",  # an old 15-digit id
    "320706800101001" + "X",
    make_id(4)[:17],  # one digit short
    make_id(5) + "0",
    " " + make_id(6) + " ",
    "3207 0619 8001 0100 11",
    unicodedata.normalize("NFKC", make_id(7)).translate(
        {ord(c): ord(c) + 0xFEE0 for c in "0123456789"}
    ),  # full-width digits
    "32070619800101001x",
    110101195602225103,
    "110101195602225103",
]
DATE_TEXTS = [
    "2026-11-28",
    "2026/11/28",
    "2026.11.28",
    "20261128",
    "2026年11月28日",
    "2026年1月5日",
    "2026-1-5",
    "2026/1/5",
    "2026-02-30",
    "2026-13-01",
    "28/11/2026",
    "11/28/2026",
    "2026-11-28 00:00:00",
    "2026-11-28T08:00:00",
    "2026-11-28 00:00:00.000",
    "45413",
    "45413.0",
    "45413.75",
    "60",
    "0",
    "-1",
    "99999",
    "1900-02-29",
    "二〇二六年十一月二十八日",
    "2026年11月28号",
    "２０２６－１１－２８",
    "Nov 28, 2026",
    "0000-00-00",
]
WORDS = [
    *[
        "是",
        "否",
        "有",
        "无",
        "Y",
        "N",
        "yes",
        "no",
        "TRUE",
        "false",
        "1",
        "0",
        "√",
        "×",
        "✓",
        "对",
        "不是",
        "maybe",
    ],
    *["正式", "合同", "临时", "formal", "contract", "temporary", "临时工", "外包", "Temporary"],
    *["重大疾病", "意外伤残", "意外身故", "critical_illness", "大病", "理赔", "ACCIDENT_DEATH"],
    *["一级", "十级", "5级", "伤残五级", "五级伤残", "十一级", "11", "-3", "5.5", "零", "二十"],
    "自杀、斗殴",
    "醉酒,酒驾",
    "traffic_violation;war",
    "n/a",
    "/",
    "地震 核辐射",
    "外星人",
    "恶性肿瘤",
    "C1-01",
    "C2-15",
    "心梗",
    "感冒",
    "20%",
    "0.2",
    "15.5",
    "¥1,234.50",
    "1,234元",
    "30人",
    "24个月",
    "-100",
    "１２",
    # header words as data: a header row repeated in the middle of the sheet
    "身份证号",
    "姓名",
    "单位编码",
    "理赔编号",
]
TRICKY = [
    "",
    " ",
    "\u3000",
    "\t",
    "\n",
    "\r\n",
    "a\tb",
    "x\ry",
    "\x7f",
    "\u200b",
    "\ufeff",
    "\u00a0",
    "'",
    '"',
    '"quoted, with comma"',
    "#N/A",
    "#REF!",
    "NULL",
    "None",
    "nan",
    "inf",
    "-0",
    "1e309",
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    '=HYPERLINK("http://example.invalid","x")',
    "\t=1+1",
    "\r=1+1",
    "<b>x</b>",
    "&amp;",
    "]]>",
    "${jndi:ldap://x}",
    "'; DROP TABLE spells; --",
    "_x0001_",  # how xlsx escapes a control character: readers decode it
    "a_x001B_[31mred",
    "💥",
    "𠀀",
    "Ⅻ",
    "①",
    "ｘ",
]
FORMULAS = [Formula("=1+1"), Formula("=A1"), Formula('=TEXT(45413,"yyyy-mm-dd")'), Formula("=1/0")]
NUMBERS: list[Any] = [
    0,
    1,
    -1,
    12,
    20,
    45413,
    45413.5,
    2958465,
    2958466,
    10**15,
    10**18,
    10**22,
    -(10**22),
    2**63,
    -(2**63),
    1e308,
    -1e308,
    5e-324,
    0.1,
    0.15,
    1.0,
    12.5,
]
LONG = ["长" * 5000, "x" * 5000, "1" * 5000, "=" + "1+" * 2499 + "1", "2026-01-01" + " " * 4990]

cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**22), 10**22),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(NUMBERS),
    st.dates(),
    st.datetimes(),
    st.times(),
    st.sampled_from(DATE_TEXTS),
    st.sampled_from(WORDS),
    st.sampled_from(TRICKY),
    st.sampled_from(FORMULAS),
    st.sampled_from(ID_FORMS),
    st.sampled_from(LONG),
    st.text(max_size=20),
)

TITLES = [
    "2026年度参保职工花名册",
    "填报单位：连云港某某有限公司（盖章）",
    "单位名称：",
    "制表日期：2026年11月1日",
    "注：身份证号请设为文本格式",
    "连云港市总工会职工互助保障",
    "",
]
UNKNOWN_HEADERS = ["序号", "备用", "合计", "部门", "", None, "Unnamed: 9", "签字"]


# ---------------------------------------------------------------- the sheets' columns


class Spec:
    """One kind of sheet: its names, its columns' headers, and its valid row.

    `valid` maps a key to the ways a clerk may write the valid row's cell and `expected` to
    the typed value every one of them must give. (A plain class, so that hypothesis shows
    a failing example with this short repr.)"""

    def __init__(
        self,
        sheet_names: tuple[str, ...],
        headers: dict[str, tuple[str, ...]],
        required: tuple[str, ...],
        valid: dict[str, tuple[Any, ...]],
        expected: dict[str, Any],
    ) -> None:
        self.sheet_names = sheet_names
        self.headers = headers
        self.required = required
        self.valid = valid
        self.expected = expected

    def __repr__(self) -> str:
        return f"Spec({self.sheet_names[0]!r})"


VALID_ID = make_id(888)

UNITS = Spec(
    sheet_names=("参保单位", "units", "单位", " Units ", "参保单位（2026）"),
    headers={
        "unit_code": ("单位编码", "统一社会信用代码", "单位代码", "unit_code"),
        "unit_name": ("单位名称", "unit name"),
        "total_staff": ("从业人员总数", "职工总数", "在职人数", "Total Staff"),
        "effective_date": ("生效日期", "履约单生效日期", "保障起始日期"),
        "contract_no": ("履约单号",),
        "individual_share_pct": ("个人分担比例", "个人分担比例(%)"),
        "total_payroll": ("工资总额", "工资总额（元）"),
        "contact": ("联系人",),
        "phone": ("联系电话", "电话"),
    },
    required=("unit_code", "unit_name", "total_staff", "effective_date"),
    valid={
        "unit_code": ("U888", " U888 "),
        "unit_name": ("有效单位",),
        "total_staff": (12, 12.0, "12", "12人", "１２"),
        "effective_date": (
            dt.date(2026, 1, 1),
            dt.datetime(2026, 1, 1),
            "2026-01-01",
            "2026/1/1",
            "2026.01.01",
            "20260101",
            "2026年1月1日",
            _serial(dt.date(2026, 1, 1)),
        ),
        "contract_no": ("HT-2026-888",),
        "individual_share_pct": (20, "20", "20%", 20.0),
        "total_payroll": (123456.5, "123,456.50", "¥123456.5", "123456.5元"),
        "contact": ("王芳",),
        "phone": ("0518-85800000",),
    },
    expected={
        "unit_code": "U888",
        "unit_name": "有效单位",
        "total_staff": 12,
        "effective_date": dt.date(2026, 1, 1),
        "contract_no": "HT-2026-888",
        "individual_share_pct": 20.0,
        "total_payroll": 123456.5,
        "contact": "王芳",
        "phone": "0518-85800000",
    },
)
MEMBERS = Spec(
    sheet_names=("参保职工", "members", "花名册", "人员"),
    headers={
        "unit_code": ("单位编码", "单位代码"),
        "id_number": ("身份证号", "身份证号码", "证件号码", "ID Number", "*身份证号"),
        "name": ("姓名", "职工姓名", "Name"),
        "employment_type": ("用工性质", "用工类型", "人员类别"),
        "engagement_months": ("聘用期限（月）", "聘用期限(月)", "聘用期限"),
        "join_date": ("增员日期", "参保日期"),
    },
    required=("unit_code", "id_number", "name", "employment_type"),
    valid={
        "unit_code": ("U888",),
        "id_number": (VALID_ID, f" {VALID_ID}\u3000"),
        "name": ("张三", " 张三 "),
        "employment_type": ("临时", "temporary", "临时工", "Temporary"),
        "engagement_months": (24, 24.0, "24", "24个月"),
        "join_date": (dt.date(2026, 3, 1), "2026-03-01", "2026/3/1", _serial(dt.date(2026, 3, 1))),
    },
    expected={
        "unit_code": "U888",
        "id_number": VALID_ID,
        "name": "张三",
        "employment_type": "temporary",
        "engagement_months": 24,
        "join_date": dt.date(2026, 3, 1),
    },
)
CLAIMS = Spec(
    sheet_names=("理赔申请", "claims", "申请", "Sheet1"),
    headers={
        "claim_id": ("理赔编号", "申请编号", "案件号", "Claim ID"),
        "id_number": ("身份证号", "身份证号码", "证件号码"),
        "name": ("姓名",),
        "unit_code": ("单位编码",),
        "claim_type": ("申请类型", "保障类型", "类别"),
        "disease": ("病种", "疾病名称", "病种名称"),
        "diagnosis_date": ("确诊日期",),
        "accident_date": ("事故日期", "出险日期"),
        "disability_grade": ("伤残等级",),
        "treatment_end_date": ("治疗终结日期",),
        "death_date": ("死亡日期",),
        "brave_act": ("见义勇为",),
        "exclusion": ("除外情形", "出险原因"),
        "preexisting_undisclosed": ("既往症未告知",),
        "fraud": ("欺诈", "材料造假"),
        "note": ("备注", "备注（可选）"),
    },
    required=("claim_id", "id_number", "name", "claim_type"),
    valid={
        "claim_id": ("LP-888",),
        "id_number": (VALID_ID,),
        "name": ("张三",),
        "unit_code": ("U888",),
        "claim_type": ("意外伤残", "accident_disability", "伤残", "Accident_Disability"),
        "disease": ("恶性肿瘤",),
        "diagnosis_date": (dt.date(2026, 2, 1), "2026年2月1日", "20260201"),
        "accident_date": (dt.date(2026, 3, 5), dt.datetime(2026, 3, 5, 14, 30), "2026/03/05"),
        "disability_grade": (5, 5.0, "五级", "5级", "伤残五级", "５"),
        "treatment_end_date": (dt.date(2026, 6, 30), "2026.06.30"),
        "death_date": (None,),
        "brave_act": ("是", "Y", True, 1, "√", "yes"),
        "exclusion": ("自杀、斗殴", "fighting;suicide", "斗殴，自杀", "斗殴 自杀"),
        "preexisting_undisclosed": ("否", "N", False, 0, "×", None),
        "fraud": (None, "无", "否"),
        "note": ("备注文字", "=1+1"),
    },
    expected={
        "claim_id": "LP-888",
        "id_number": VALID_ID,
        "name": "张三",
        "unit_code": "U888",
        "claim_type": "accident_disability",
        "disease": "恶性肿瘤",
        "diagnosis_date": dt.date(2026, 2, 1),
        "accident_date": dt.date(2026, 3, 5),
        "disability_grade": 5,
        "treatment_end_date": dt.date(2026, 6, 30),
        "death_date": None,
        "brave_act": True,
        "exclusion": "suicide;fighting",
        "preexisting_undisclosed": False,
        "fraud": False,
        "note": None,  # filled in from the cell written: see `expected_row`
    },
)
# Keys whose empty cell reads as False rather than null.
FLAG_KEYS = {"brave_act", "preexisting_undisclosed", "fraud"}


# ---------------------------------------------------------------- a generated sheet


@dataclass(frozen=True)
class Column:
    key: str | None  # None: a column the tool does not know
    header: str | None  # the header cell as written
    first: bool = True  # False: a repeat of a key's column (ignored, DUPLICATE_HEADER)


@dataclass
class SheetPlan:
    spec: Spec
    name: str
    titles: list[list[Any]]  # rows above the header
    blank_above_header: int
    columns: list[Column]
    garbage: list[list[Any]]
    valid: dict[str, Any] | None  # key -> cell written, for the valid row (None: no valid row)
    valid_at: int  # position of the valid row among the garbage rows
    blank_gap: int  # blank rows just above the valid row
    empty_looking: int  # rows of '' / ' ' cells just below the header
    merge_title: bool
    merge_garbage: bool
    dropped: tuple[str, ...] = ()  # required keys left out on purpose

    @property
    def header_row(self) -> int:
        return len(self.titles) + self.blank_above_header + 1

    def rows(self) -> list[tuple[int, list[Any]]]:
        """(Excel row number, cells) of every row written below the header."""
        out: list[tuple[int, list[Any]]] = []
        row = self.header_row + 1
        for _ in range(self.empty_looking):
            out.append((row, ["" if i % 2 else " " for i in range(len(self.columns))]))
            row += 1
        for position in range(len(self.garbage) + 1):
            if position == self.valid_at and self.valid is not None:
                row += self.blank_gap
                out.append((row, self.valid_cells()))
                row += 1
            if position < len(self.garbage):
                out.append((row, self.garbage[position]))
                row += 1
        return out

    def valid_cells(self) -> list[Any]:
        assert self.valid is not None
        return [
            self.valid.get(c.key) if c.first and c.key is not None else "重复列的值"
            for c in self.columns
        ]

    @property
    def valid_row(self) -> int | None:
        if self.valid is None:
            return None
        return next(r for r, cells in self.rows() if cells == self.valid_cells())

    def written(self, key: str) -> str | None:
        """The header of `key`'s first column, as the intake names it (stripped)."""
        for c in self.columns:
            if c.key == key and c.first:
                return (c.header or "").strip()
        return None


def _header_forms(name: str) -> st.SearchStrategy[str]:
    return st.sampled_from(
        [name, f" {name} ", f"*{name}", f"{name}（必填）", f"{name}(注)", f"\u3000{name}"]
    )


@st.composite
def sheet_plans(draw: st.DrawFn, spec: Spec) -> SheetPlan:
    keys = list(spec.headers)
    optional = [k for k in keys if k not in spec.required]
    present = list(spec.required) + draw(st.lists(st.sampled_from(optional), unique=True))
    dropped: tuple[str, ...] = ()
    if draw(st.integers(0, 9)) == 0:  # one time in ten a required column is missing
        dropped = (draw(st.sampled_from(spec.required)),)
        present = [k for k in present if k not in dropped]
    columns = [
        Column(k, draw(st.sampled_from(spec.headers[k]).flatmap(_header_forms))) for k in present
    ]
    for _ in range(draw(st.integers(0, 2))):  # a repeated header: the first column wins
        key = draw(st.sampled_from(present))
        columns.append(Column(key, draw(st.sampled_from(spec.headers[key])), first=False))
    for header in draw(st.lists(st.sampled_from(UNKNOWN_HEADERS), max_size=3)):
        columns.append(Column(None, header))
    columns = draw(st.permutations(columns))
    seen: set[str] = set()  # whichever column of a key comes first is the one read
    fixed: list[Column] = []
    for c in columns:
        if c.key is not None:
            fixed.append(Column(c.key, c.header, first=c.key not in seen))
            seen.add(c.key)
        else:
            fixed.append(c)
    width = len(fixed)
    garbage = draw(st.lists(st.lists(cells, min_size=width, max_size=width), max_size=8))
    valid = None
    if draw(st.integers(0, 7)):
        valid = {k: draw(st.sampled_from(spec.valid[k])) for k in present}
    titles = draw(st.lists(st.lists(st.sampled_from(TITLES), min_size=1, max_size=2), max_size=3))
    return SheetPlan(
        spec=spec,
        name=draw(st.sampled_from(spec.sheet_names)),
        titles=titles,
        blank_above_header=draw(st.sampled_from([0, 0, 1, 3, 40])),
        columns=fixed,
        garbage=garbage,
        valid=valid,
        valid_at=draw(st.integers(0, len(garbage))),
        blank_gap=draw(st.sampled_from([0, 0, 0, 1, 2, 1000, 5000])),
        empty_looking=draw(st.sampled_from([0, 0, 2])),
        merge_title=draw(st.booleans()),
        merge_garbage=draw(st.booleans()),
        dropped=dropped,
    )


def as_csv(plan: SheetPlan, name: str) -> SheetPlan:
    """The plan for a CSV: one sheet named after the file, and no NUL bytes (one in the
    first 4 KB makes the file binary, refused: test_broken_files_are_refused_in_one_sentence)."""

    def clean(value: Any) -> Any:
        return value.replace("\x00", "") if isinstance(value, str) else value

    return replace(plan, name=name, garbage=[[clean(v) for v in row] for row in plan.garbage])


# ---------------------------------------------------------------- writing files


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, Formula):
        return str(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _write_sheet(ws: Any, plan: SheetPlan) -> None:
    row = 1
    for title in plan.titles:
        for col, text in enumerate(title, start=1):
            ws.cell(row=row, column=col, value=text)
        if plan.merge_title and len(plan.columns) > 2:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        row += 1
    for col, c in enumerate(plan.columns, start=1):
        ws.cell(row=plan.header_row, column=col, value=c.header)
    for excel_row, values in plan.rows():
        for col, value in enumerate(values, start=1):
            if value is None:
                continue
            cell = ws.cell(row=excel_row, column=col, value=_xlsx_value(value))
            if isinstance(value, str) and not isinstance(value, Formula):
                cell.data_type = "s"  # text that starts with = stays text
    if plan.merge_garbage and plan.garbage and len(plan.columns) > 1:
        # a merged block among the garbage rows, away from the valid row
        rows = [r for r, cells in plan.rows() if r != plan.valid_row and cells in plan.garbage]
        if rows:
            ws.merge_cells(start_row=rows[0], start_column=1, end_row=rows[0], end_column=2)


def write_xlsx(path: Path, plans: Sequence[SheetPlan], hidden: int = 0) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for plan in plans:
        _write_sheet(book.create_sheet(plan.name), plan)
    for n in range(hidden):  # hidden sheets after the sheets the tool reads
        ws = book.create_sheet(f"隐藏{n}")
        ws.append(["身份证号", "姓名", "单位编码"])
        ws.append([make_id(900 + n), "隐藏的人", "U999"])
        ws.sheet_state = "hidden" if n % 2 == 0 else "veryHidden"
    book.save(path)
    return path


def _csv_text(value: Any) -> str:
    """A cell as a spreadsheet program writes it into a CSV."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value)


def write_csv(path: Path, plan: SheetPlan, encoding: str, newline: str) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    for title in plan.titles:
        writer.writerow(title)
    for _ in range(plan.blank_above_header):
        writer.writerow([])
    writer.writerow([c.header or "" for c in plan.columns])
    last = plan.header_row
    for excel_row, values in plan.rows():
        for _ in range(excel_row - last - 1):
            writer.writerow([""] * len(plan.columns))
        writer.writerow([_csv_text(v) for v in values])
        last = excel_row
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


# ---------------------------------------------------------------- what must hold

# Characters Rust's `trim` (polars' strip_chars) removes: Unicode White_Space.
_WHITE_SPACE = (
    "".join(
        chr(c)
        for c in (*range(9, 14), 32, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029)
    )
    + "\u202f\u205f\u3000"
)


def _non_empty(text: str | None) -> bool:
    if text is None:
        return False
    return bool(unicodedata.normalize("NFKC", text).strip(_WHITE_SPACE))


def assert_one_sentence(error: InputError, *paths: Path) -> None:
    """An exit-2 message: one line, one sentence, in English and in Chinese."""
    for text, end in ((error.en, "."), (error.zh, "。")):
        assert text and text == text.strip(), text
        assert "\n" not in text and "\r" not in text, text
        assert text.endswith(end), text
    en, zh = error.en, error.zh
    for path in paths:
        en, zh = en.replace(str(path), "FILE"), zh.replace(str(path), "FILE")
    assert not re.search(r"[.!?]\s+[A-Z]", en), error.en
    assert zh.count("。") == 1, error.zh


def check_findings(findings: pl.DataFrame, files: Sequence[Path], sheets: Sequence[str]) -> None:
    assert dict(findings.schema) == FINDING_SCHEMA
    for f in findings.iter_rows(named=True):
        assert f["file"] in {str(p) for p in files}, f
        assert f["sheet"] in sheets, f
        assert isinstance(f["row"], int) and f["row"] >= 1, f
        assert f["column"], f
        assert f["code"] and f["severity"] in ("error", "warning"), f


def expected_row(plan: SheetPlan) -> dict[str, Any]:
    assert plan.valid is not None
    out = {k: (plan.spec.expected[k] if k in plan.valid else None) for k in plan.spec.headers}
    for k in FLAG_KEYS & set(out):
        out[k] = out[k] if k in plan.valid else False
    if "note" in plan.valid:
        out["note"] = plan.valid["note"]
    return out


def check_sheet(
    plan: SheetPlan, typed: pl.DataFrame, raw: pl.DataFrame, findings: pl.DataFrame, sheet: str
) -> None:
    """The valid row intact and clean; no cell lost without a finding; no value from nothing."""
    mine = findings.filter(pl.col("sheet") == sheet)
    if plan.valid is not None:
        row = plan.valid_row
        got = typed.filter(pl.col("_row") == row)
        assert got.height == 1, (row, typed.select("_row").to_series().to_list())
        values = got.row(0, named=True)
        assert {k: values[k] for k in plan.spec.headers} == expected_row(plan)
        assert values["_bad_fields"] == ""
        assert mine.filter(pl.col("row") == row).height == 0, mine.filter(pl.col("row") == row)
    assert raw["_row"].to_list() == typed["_row"].to_list()
    written = {row for row, _cells in plan.rows()}
    assert set(typed["_row"].to_list()) <= written  # no row from nowhere (titles, blanks)
    for key in plan.spec.headers:
        header = plan.written(key)
        if header is None:  # an absent column: all null (flags: all False)
            absent = [False] * typed.height if key in FLAG_KEYS else [None] * typed.height
            assert typed[key].to_list() == absent
            continue
        texts = raw[header].to_list()
        values = typed[key].to_list()
        bad = typed["_bad_fields"].to_list()
        rows = typed["_row"].to_list()
        flagged = set(mine.filter(pl.col("column") == header)["row"].to_list())
        for text, value, bad_fields, row in zip(texts, values, bad, rows, strict=True):
            if not _non_empty(text):
                nothing = value is None or (key in FLAG_KEYS and value is False)
                assert nothing, (key, row, text, value)
            elif value is None and key != "exclusion":  # 无/否 there means "no cause"
                assert key in bad_fields.split(","), (key, row, text)
                assert row in flagged, (key, row, text)


def read_units_checked(
    path: Path, members_path: Path | None, units: SheetPlan, members: SheetPlan
) -> None:
    files = [path] if members_path is None else [path, members_path]
    try:
        with no_hang():
            intake = read_units(path, members_path)
    except InputError as error:
        assert_one_sentence(error, *files)
        # the units sheet is read first: its missing column is the one named
        dropped = units.dropped or members.dropped
        assert dropped, f"a readable workbook was refused: {error.en}"
        assert f"({dropped[0]})" in error.en, error.en
        return
    assert not (units.dropped or members.dropped), "a missing required column went unnoticed"
    assert dict(intake.units.schema) == UNITS_SCHEMA
    assert dict(intake.members.schema) == MEMBERS_SCHEMA
    units_sheet = intake.units["_sheet"][0] if intake.units.height else units.name
    members_sheet = intake.members["_sheet"][0] if intake.members.height else members.name
    check_findings(intake.findings, files, [*intake.headers, units_sheet, members_sheet])
    check_sheet(units, intake.units, intake.units_raw, intake.findings, units_sheet)
    check_sheet(members, intake.members, intake.members_raw, intake.findings, members_sheet)


def read_claims_checked(path: Path, plan: SheetPlan) -> None:
    try:
        with no_hang():
            intake = read_claims(path)
    except InputError as error:
        assert_one_sentence(error, path)
        assert plan.dropped, f"a readable workbook was refused: {error.en}"
        assert f"({plan.dropped[0]})" in error.en, error.en
        return
    assert not plan.dropped, "a missing required column went unnoticed"
    assert dict(intake.claims.schema) == CLAIMS_SCHEMA
    sheet = intake.claims["_sheet"][0] if intake.claims.height else plan.name
    check_findings(intake.findings, [path], [sheet])
    check_sheet(plan, intake.claims, intake.raw, intake.findings, sheet)
    assert intake.claims["content"].null_count() == 0


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """A fresh folder per example (hypothesis runs many examples in one test call)."""
    folder = Path(tempfile.mkdtemp(prefix="aidctl-fuzz-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


# ---------------------------------------------------------------- workbooks


@budget(0.22)
@given(
    units=sheet_plans(UNITS),
    members=sheet_plans(MEMBERS),
    hidden=st.integers(0, 2),
    separate=st.sampled_from([None, None, "xlsx", "csv"]),
)
def test_units_workbooks(
    units: SheetPlan, members: SheetPlan, hidden: int, separate: str | None
) -> None:
    assume(units.name.strip().casefold() != members.name.strip().casefold())
    with scratch() as tmp:
        members_path: Path | None = None
        if separate is None:
            path = write_xlsx(tmp / "units.xlsx", [units, members], hidden)
        else:
            path = write_xlsx(tmp / "units.xlsx", [units], hidden)
            if separate == "xlsx":
                members_path = write_xlsx(tmp / "members.xlsx", [members])
            else:
                members = as_csv(members, "members")
                members_path = write_csv(tmp / "members.csv", members, "utf-8-sig", "\r\n")
        read_units_checked(path, members_path, units, members)


@budget(0.22)
@given(plan=sheet_plans(CLAIMS), hidden=st.integers(0, 2), suffix=st.sampled_from(["xlsx", "xlsm"]))
def test_claims_workbooks(plan: SheetPlan, hidden: int, suffix: str) -> None:
    with scratch() as tmp:
        read_claims_checked(write_xlsx(tmp / f"claims.{suffix}", [plan], hidden), plan)


ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "gb18030"])
NEWLINES = st.sampled_from(["\r\n", "\n"])


@budget(0.16)
@given(plan=sheet_plans(CLAIMS), encoding=ENCODINGS, newline=NEWLINES)
def test_claims_csv(plan: SheetPlan, encoding: str, newline: str) -> None:
    plan = as_csv(plan, "claims")
    with scratch() as tmp:
        path = write_csv(tmp / "claims.csv", plan, encoding, newline)
        read_claims_checked(path, plan)


@budget(0.1)
@given(
    units=sheet_plans(UNITS),
    members=sheet_plans(MEMBERS),
    encoding=ENCODINGS,
    newline=NEWLINES,
)
def test_units_csv_with_members_csv(
    units: SheetPlan, members: SheetPlan, encoding: str, newline: str
) -> None:
    """A units CSV with `--members` CSV: each file is one sheet named after the file."""
    units, members = as_csv(units, "units"), as_csv(members, "members")
    with scratch() as tmp:
        path = write_csv(tmp / "units.csv", units, encoding, newline)
        members_path = write_csv(tmp / "members.csv", members, encoding, newline)
        read_units_checked(path, members_path, units, members)


# ---------------------------------------------------------------- damaged files

OFFICE = Path(__file__).parent / "fixtures" / "office"


# Damaged .xls files are left out here: calamine panics on some (PanicException, not an
# Exception) and aborts the whole process on others (an allocation of tens of gigabytes) —
# see the strict-xfail tests of "damaged .xls files" below. Add the two .xls fixtures to
# this list once the intake refuses them in one sentence.
DAMAGEABLE = [
    "claims.xlsx",
    "claims.ods",
    "claims.csv",
    "claims-gb18030.csv",
    "units.xlsx",
    "units.ods",
]


@budget(0.1)
@given(
    source=st.sampled_from(DAMAGEABLE),
    damage=st.one_of(
        st.tuples(st.just("truncate"), st.floats(0.0, 0.999)),
        st.tuples(
            st.just("overwrite"),
            st.lists(
                st.tuples(st.floats(0.0, 0.999), st.binary(min_size=1, max_size=8)),
                min_size=1,
                max_size=6,
            ),
        ),
    ),
)
def test_damaged_office_files(source: str, damage: tuple[str, Any]) -> None:
    """A workbook cut short or with bytes overwritten (a broken download, a bad USB stick)
    is read or refused in one sentence; never another exception, never a hang."""
    data = bytearray((OFFICE / source).read_bytes())
    kind, how = damage
    if kind == "truncate":
        data = data[: int(len(data) * how)]
    else:
        for where, chunk in how:
            at = int(len(data) * where)
            data[at : at + len(chunk)] = chunk
    reader: Callable[[Path], Any] = read_claims if source.startswith("claims") else read_units
    with scratch() as tmp:
        path = tmp / source
        path.write_bytes(bytes(data))
        try:
            with no_hang():
                result = reader(path)
        except InputError as error:
            assert_one_sentence(error, path)
            return
        sheets = ["理赔申请", "参保单位", "参保职工", path.stem]
        check_findings(result.findings, [path], sheets)


# ---------------------------------------------------------------- damaged .xls files

DAMAGED_PANIC = OFFICE / "damaged-panic.xls"  # claims.xls cut at 6,000 of 7,168 bytes
DAMAGED_ALLOC = OFFICE / "damaged-alloc.xls"  # claims.xls with 16 bytes overwritten
XLS_PANIC = (
    "a damaged .xls makes calamine panic: pyo3's PanicException derives from BaseException, "
    "so neither Book's `except Exception` nor the CLI's last guard catches it — the command "
    "prints a Rust panic and a Python traceback and exits 1 (ran, something to act on) "
    "instead of 2; about 1 in 10 randomly damaged .xls files does this"
)


def test_a_damaged_xls_is_refused_by_the_intake() -> None:
    with pytest.raises(InputError) as caught:
        read_claims(DAMAGED_PANIC)
    assert_one_sentence(caught.value, DAMAGED_PANIC)


def test_a_damaged_xls_is_refused_by_the_cli(tmp_path: Path) -> None:
    db = tmp_path / "reg.sqlite3"
    result = run_cli("adjudicate", DAMAGED_PANIC, "--db", db, "--as-of", AS_OF, "--dry-run")
    assert result.exit_code == 2
    assert_clean_exit(result)
    assert not db.exists()


def test_a_damaged_xls_in_the_inbox_is_rejected_and_the_batch_goes_on(tmp_path: Path) -> None:
    """Today the batch dies on the file and leaves it in the inbox: every later run dies on
    it again, and nothing after it in name order is ever processed."""
    ws = tmp_path / "ws"
    assert run_cli("init", ws).exit_code == 0
    shutil.copy(DAMAGED_PANIC, ws / "inbox" / "01-claims.xls")
    write_units_workbook(ws / "inbox" / "02-units.xlsx", [unit("U1", 3)], members("U1", 0, 3))
    result = run_cli("batch", "run", "--config", ws / "aidctl.toml", "--as-of", AS_OF)
    assert result.exit_code == 1
    assert (ws / "inbox" / "rejected" / "01-claims.xls.why.txt").exists()
    assert not (ws / "inbox" / "02-units.xlsx").exists()  # processed and archived


def test_a_damaged_xls_that_asks_for_gigabytes_is_refused(tmp_path: Path) -> None:
    """Run in a child process under a 3 GB address-space limit: an abort there cannot take
    the test run down, and the machine's memory is safe either way."""

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    env = {k: v for k, v in os.environ.items() if not k.startswith("AIDCTL_")}
    env["RUST_BACKTRACE"] = "0"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "aidctl",
            "adjudicate",
            str(DAMAGED_ALLOC),
            "--dry-run",
            "--db",
            str(tmp_path / "reg.sqlite3"),
            "--as-of",
            AS_OF,
            "--lang",
            "en",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        preexec_fn=limit_memory,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    lines = [line for line in done.stderr.splitlines() if not PROGRESS.fullmatch(line)]
    assert len(lines) == 1 and str(DAMAGED_ALLOC) in lines[0], done.stderr[-500:]


# ---------------------------------------------------------------- directed cases


def plain_plan(spec: Spec, name: str, keys: Sequence[str], rows: list[list[Any]]) -> SheetPlan:
    """A sheet of the given columns (first headers) and rows, nothing else."""
    columns = [Column(k, spec.headers[k][0]) for k in keys]
    return SheetPlan(spec, name, [], 0, columns, rows, None, 0, 0, 0, False, False)


def test_header_only_sheets_give_empty_frames(tmp_path: Path) -> None:
    units = write_xlsx(
        tmp_path / "u.xlsx",
        [
            plain_plan(UNITS, "参保单位", list(UNITS.headers), []),
            plain_plan(MEMBERS, "参保职工", list(MEMBERS.headers), []),
        ],
    )
    intake = read_units(units)
    assert (intake.units.height, intake.members.height, intake.findings.height) == (0, 0, 0)
    claims = tmp_path / "c.csv"
    claims.write_text(",".join(CLAIMS.headers) + "\n" + ",,,\n" * 3000, encoding="utf-8")
    read = read_claims(claims)
    assert (read.claims.height, read.findings.height) == (0, 0)


def test_a_header_below_row_100_is_not_found(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "理赔申请"
    ws.cell(row=101, column=1, value="理赔编号")
    ws.cell(row=101, column=2, value="身份证号")
    book.save(tmp_path / "c.xlsx")
    with pytest.raises(InputError) as caught:
        read_claims(tmp_path / "c.xlsx")
    assert_one_sentence(caught.value, tmp_path / "c.xlsx")
    assert "no header row" in caught.value.en


def test_a_repeated_header_is_a_warning_and_the_first_column_wins(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        f"理赔编号,身份证号,姓名,申请类型,姓名\nLP1,{VALID_ID},张三,重大疾病,李四\n",
        encoding="utf-8",
    )
    read = read_claims(path)
    assert read.claims["name"].to_list() == ["张三"]
    assert read.findings.select("row", "column", "code", "severity").rows() == [
        (1, "姓名", "DUPLICATE_HEADER", "warning")
    ]


def test_merged_title_and_header_cells(tmp_path: Path) -> None:
    """A title merged across the sheet and a header cell merged over two columns: the
    merged-away cell reads as empty, the rest of the header still maps."""
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "理赔申请"
    ws.append(["2026年理赔申请"])
    ws.merge_cells("A1:F1")
    ws.append(["理赔编号", "身份证号", "姓名", "申请类型", "备注", None])
    ws.merge_cells("E2:F2")
    ws.append(["LP1", VALID_ID, "张三", "重大疾病", "甲", "乙"])
    path = tmp_path / "c.xlsx"
    book.save(path)
    read = read_claims(path)
    assert read.claims.select("claim_id", "note", "_row").rows() == [("LP1", "甲", 3)]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.xlsx", b""),
        ("text.xlsx", "单位编码,单位名称\n".encode()),
        ("half.xlsx", None),  # an xlsx cut in half
        ("zip-without-workbook.xlsx", "zip"),
        ("text.xls", b"not an excel file"),
        ("random.ods", bytes(range(256)) * 4),
        ("binary.csv", b"\x00\x01\x02PK\x03\x04" * 100),
        ("latin1.csv", "理赔编号,身份证号\n".encode() + b"\xe9\xff\xfe\n"),
        (
            "unbalanced-quote.csv",
            '理赔编号,身份证号,姓名,申请类型\nLP1,"x,张三,重大疾病\nLP2,1,2,3\n'.encode(),
        ),
        ("notes.txt", b"hello"),
        ("folder.xlsx", "dir"),
    ],
)
def test_broken_files_are_refused_in_one_sentence(
    name: str, content: bytes | str | None, tmp_path: Path
) -> None:
    path = tmp_path / name
    if content is None:
        whole = (OFFICE / "claims.xlsx").read_bytes()
        path.write_bytes(whole[: len(whole) // 2])
    elif content == "zip":
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("hello.txt", "hi")
    elif content == "dir":
        path.mkdir()
    else:
        assert isinstance(content, bytes)
        path.write_bytes(content)
    for reader in (read_claims, read_units):
        with pytest.raises(InputError) as caught, no_hang():
            reader(path)
        assert_one_sentence(caught.value, path)
        assert str(path) in caught.value.en and str(path) in caught.value.zh


# ---------------------------------------------------------------- through the CLI

# Stage lines a non-terminal stderr carries (README "Logs").
PROGRESS = re.compile(r"aidctl: (read|check|decide|record|write) \d+\.\d+s \(total .*\)")


# Crashes already reported, each with its strict-xfail test in "found by fuzzing" below.
# An example that hits one is let through here so that the fuzz keeps checking everything
# else; delete the entry when its test starts to pass.
KNOWN_CRASHES = [
    # test_an_out_of_range_share_or_payroll_is_a_finding
    re.compile(
        r"unexpected error \(InvalidOperationError: conversion from `f64` to `i64` failed "
        r"in column '(eligible|unit_share|individual_share|contribution_total|deductible)'"
    ),
]


def assert_clean_exit(result: Result) -> None:
    text = result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2), (result.exit_code, text)
    assert "Traceback" not in text, text
    if any(known.search(text) for known in KNOWN_CRASHES):
        return
    assert "unexpected error" not in text, text
    if result.exit_code == 2:
        lines = [line for line in result.stderr.splitlines() if not PROGRESS.fullmatch(line)]
        assert len(lines) == 1 and lines[0].startswith("aidctl"), result.stderr
    else:
        json.loads(result.stdout)


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A register with unit U888 (12 staff, all enrolled) and one decided claim."""
    folder = tmp_path_factory.mktemp("register")
    db = folder / "reg.sqlite3"
    book = write_units_workbook(folder / "u.xlsx", [unit("U888", 12)], members("U888", 0, 12))
    common = ["--db", db, "--as-of", AS_OF, "--out", folder / "r.xlsx", "--json"]
    assert run_cli("enroll", book, *common).exit_code == 0
    claims = write_claims_workbook(
        folder / "c.xlsx",
        [claim("LP-1", 0, unit_code="U888", 病种="恶性肿瘤", 确诊日期="2026-08-01")],
    )
    assert run_cli("adjudicate", claims, *common).exit_code == 0
    return db


@budget(0.1)
@given(
    units=sheet_plans(UNITS),
    members=sheet_plans(MEMBERS),
    claims=sheet_plans(CLAIMS),
    lang=st.sampled_from(["zh", "en"]),
)
def test_cli_never_crashes_and_leaves_the_register_alone(
    units: SheetPlan, members: SheetPlan, claims: SheetPlan, lang: str, register: Path
) -> None:
    assume(units.name.strip().casefold() != members.name.strip().casefold())
    with scratch() as tmp:
        db = tmp / "reg.sqlite3"
        db.write_bytes(register.read_bytes())
        os.chmod(db, 0o600)
        book = write_xlsx(tmp / "units.xlsx", [units, members])
        claims_book = write_xlsx(tmp / "claims.xlsx", [claims])
        common = ["--db", db, "--as-of", AS_OF, "--lang", lang, "--json"]
        outs = ["--out", tmp / "report.xlsx"]
        before = file_bytes(db)

        checked = run_cli(
            "validate-enrollment", book, *common, *outs, "--annotated", tmp / "a.xlsx"
        )
        assert_clean_exit(checked)
        assert file_bytes(db) == before

        dry = run_cli("adjudicate", claims_book, *common, *outs, "--dry-run")
        assert_clean_exit(dry)
        assert file_bytes(db) == before

        enrolled = run_cli("enroll", book, *common, *outs)
        assert_clean_exit(enrolled)
        if enrolled.exit_code == 2:
            assert file_bytes(db) == before
        assert (checked.exit_code == 2) == (enrolled.exit_code == 2)


# ---------------------------------------------------------------- found by fuzzing: numbers


def _units_book(tmp: Path, staff: Any = 3, **cells: Any) -> Path:
    headers = [*UNIT_HEADERS, "个人分担比例", "工资总额"]
    return write_units_workbook(
        tmp / "u.xlsx", [unit("U1", staff, **cells)], members("U1", 0, 3), unit_headers=headers
    )


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"个人分担比例": "1e20"}, "INVALID_SHARE"),
        ({"个人分担比例": 1e300}, "INVALID_SHARE"),
        ({"个人分担比例": "1e309"}, "INVALID_SHARE"),
        ({"工资总额": "-1e309"}, "INVALID_PAYROLL"),
    ],
)
def test_an_out_of_range_share_or_payroll_is_a_finding(
    cells: dict[str, Any], reason: str, tmp_path: Path
) -> None:
    book = _units_book(tmp_path, **cells)
    result = run_cli("validate-enrollment", book, *common_options(tmp_path), "--json")
    assert "unexpected error" not in result.stderr
    [found] = json.loads(result.stdout)["units"]
    assert (result.exit_code, found["status"], found["reasons"]) == (1, "invalid", [reason])


def test_a_share_of_150_is_an_invalid_unit(tmp_path: Path) -> None:
    """What the cases above should do, as a share merely out of range does."""
    result = run_cli(
        "validate-enrollment",
        _units_book(tmp_path, 个人分担比例=150),
        *common_options(tmp_path),
        "--json",
    )
    [found] = json.loads(result.stdout)["units"]
    assert (result.exit_code, found["status"], found["reasons"]) == (
        1,
        "invalid",
        ["INVALID_SHARE"],
    )


@pytest.mark.parametrize(
    "staff", [10**15, 1_200_000_000_000_000, 9_000_000_000_000_000, "320705199001010004"]
)
def test_an_absurd_staff_total_is_never_compliant(staff: Any, tmp_path: Path) -> None:
    """Above a plausibility bound (aidctl.core.enrollment.MAX_STAFF) the unit is invalid
    (INVALID_TOTAL_STAFF) rather than computed with numbers that overflow."""
    result = run_cli(
        "validate-enrollment", _units_book(tmp_path, staff), *common_options(tmp_path), "--json"
    )
    [found] = json.loads(result.stdout)["units"]
    assert found["total_staff"] == int(staff)
    assert (result.exit_code, found["status"]) == (1, "invalid")
    assert "INVALID_TOTAL_STAFF" in found["reasons"]


def common_options(tmp: Path) -> list[Any]:
    return ["--db", tmp / "reg.sqlite3", "--as-of", AS_OF, "--out", tmp / "check.xlsx"]
