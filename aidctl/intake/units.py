"""The units workbook: the units sheet and the members sheet (or a separate members file).

`validate-enrollment` and `enroll` read it; the core checks the enrolment rules (A1, A4,
E1–E5) on the frames returned here. Nothing here judges eligibility or ids: a member row
whose cells all read is handed on as it is, even with an impossible id (E3 is the core's).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from aidctl.core.enrollment import KIND_FIRST, KIND_RENEWAL
from aidctl.core.findings import concat_findings
from aidctl.intake import failures
from aidctl.intake.read import Book
from aidctl.intake.sheet import Field, SheetSpec, find_sheet, read_sheet
from aidctl.intake.values import (
    DATE,
    EMPLOYMENT_TYPE,
    ID_NUMBER,
    INTEGER,
    NUMBER,
    PERCENT,
    TEXT,
    Kind,
    Parsed,
    _flagged,
    _lookup,
)


def parse_enrolment_kind(text: pl.Expr) -> Parsed:
    """参保性质: 首次 / 续保 (or first / renewal) -> 'first' / 'renewal' (D5, --import)."""
    return _flagged(text, _lookup(text, _ENROLMENT_KINDS, pl.Utf8()))


_ENROLMENT_KINDS = {
    "首次": KIND_FIRST,
    "首次参保": KIND_FIRST,
    "新参保": KIND_FIRST,
    "first": KIND_FIRST,
    "new": KIND_FIRST,
    "续保": KIND_RENEWAL,
    "续保参保": KIND_RENEWAL,
    "renewal": KIND_RENEWAL,
    "renew": KIND_RENEWAL,
}
ENROLMENT_KIND = Kind(pl.Utf8(), parse_enrolment_kind)


@lru_cache(maxsize=1)
def known_region_codes() -> frozenset[str]:
    """Every six-digit region code that has EVER existed (E3), read once from stdnum's
    `cn/loc` data, whatever the years it was in use: people keep the code of the place that
    issued their number. Read here, not in the core, because it reads a data file."""
    from stdnum import numdb

    codes: set[str] = set()

    def walk(prefixes: Any, base: str) -> None:
        for _length, low, high, _props, children in prefixes:
            if low == high:
                numbers = [low]
            else:  # a range such as 0101-0105
                width = len(low)
                numbers = [f"{n:0{width}d}" for n in range(int(low), int(high) + 1)]
            for number in numbers:
                code = base + number
                if len(code) == 6:
                    codes.add(code)
                elif len(code) < 6:
                    walk(children, code)

    walk(numdb.get("cn/loc").prefixes, "")
    return frozenset(codes)


UNITS = SheetSpec(
    what_en="units",
    what_zh="参保单位",
    sheet_names=("units", "参保单位", "单位"),
    fields=(
        Field("unit_code", TEXT, "单位编码", ("统一社会信用代码", "单位代码"), required=True),
        Field("unit_name", TEXT, "单位名称", required=True),
        Field(
            "total_staff",
            INTEGER,
            "从业人员总数",
            ("职工总数", "在职人数", "从业人数", "职工人数"),
            required=True,
        ),
        Field(
            "effective_date",
            DATE,
            "生效日期",
            ("履约单生效日期", "保障起始日期"),
            required=True,
        ),
        Field("contract_no", TEXT, "履约单号", ("履约单编号",)),
        Field("individual_share_pct", PERCENT, "个人分担比例"),
        Field("total_payroll", NUMBER, "工资总额"),
        Field("contact", TEXT, "联系人"),
        Field("phone", TEXT, "联系电话", ("电话", "手机")),
        # D5: the day the roster (the renewal) was received decides renewal vs first enrolment
        Field("received_date", DATE, "受理日期", ("收件日期", "续保办理日期")),
        # D5: read only by `enroll --import` (taking over a running plan's books)
        Field("enrolment_kind", ENROLMENT_KIND, "参保性质", ("参保类型",)),
    ),
)

MEMBERS = SheetSpec(
    what_en="members",
    what_zh="参保职工",
    sheet_names=("members", "参保职工", "花名册", "人员"),
    fields=(
        Field("unit_code", TEXT, "单位编码", ("统一社会信用代码", "单位代码"), required=True),
        Field(
            "id_number",
            ID_NUMBER,
            "身份证号",
            ("身份证号码", "证件号码", "公民身份号码", "身份证"),
            required=True,
        ),
        Field("name", TEXT, "姓名", ("职工姓名",), required=True),
        Field(
            "employment_type",
            EMPLOYMENT_TYPE,
            "用工性质",
            ("用工类型", "人员类别", "用工形式"),
            required=True,
        ),
        Field("engagement_months", INTEGER, "聘用期限（月）", ("聘用期限", "聘用月数")),
        Field("join_date", DATE, "增员日期", ("参保日期",)),
    ),
    id_key="id_number",
)

UNITS_SCHEMA = UNITS.schema
MEMBERS_SCHEMA = MEMBERS.schema


@dataclass(frozen=True)
class UnitsIntake:
    """The frames of docs/architecture.md; `*_raw` are the sheets as read, for annotation."""

    units: pl.DataFrame
    members: pl.DataFrame
    findings: pl.DataFrame
    units_raw: pl.DataFrame
    members_raw: pl.DataFrame
    # sheet name -> key -> the header as written, so that later findings name the column
    # the way the clerk sees it
    headers: dict[str, dict[str, str]] = field(default_factory=dict)


def read_units_workbook(
    path: str | Path, members_path: str | Path | None = None, *, max_rows: int | None = None
) -> UnitsIntake:
    """Read the units sheet of `path` and the members sheet of `path` or `members_path`.

    Raises `InputError` (exit 2) when a file, sheet or required column is missing or
    unreadable, or a sheet has more than `max_rows` data rows.
    """
    book = Book(path)
    units_sheet = find_sheet(book.sheet_names, UNITS.sheet_names)
    if units_sheet is None:
        # A one-sheet file given with a separate members file can only be the units.
        if members_path is None or len(book.sheet_names) != 1:
            raise failures.missing_sheet(
                book.given, UNITS.what_en, UNITS.what_zh, UNITS.sheet_names
            )
        units_sheet = book.sheet_names[0]

    if members_path is None:
        members_book = book
        members_sheet = find_sheet(book.sheet_names, MEMBERS.sheet_names)
    else:
        members_book = Book(members_path)
        members_sheet = find_sheet(members_book.sheet_names, MEMBERS.sheet_names)
        if members_sheet is None and members_book.sheet_names:
            members_sheet = members_book.sheet_names[0]  # a members file: its first sheet
    if members_sheet is None:
        raise failures.missing_sheet(
            members_book.given, MEMBERS.what_en, MEMBERS.what_zh, MEMBERS.sheet_names
        )

    units = read_sheet(book, units_sheet, UNITS, max_rows)
    members = read_sheet(members_book, members_sheet, MEMBERS, max_rows)
    return UnitsIntake(
        units=units.typed,
        members=members.typed,
        findings=concat_findings([units.findings, members.findings]),
        units_raw=units.raw,
        members_raw=members.raw,
        headers={units_sheet: units.written, members_sheet: members.written},
    )
