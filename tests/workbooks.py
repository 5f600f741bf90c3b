"""Small units and claims workbooks written with openpyxl, for tests that run the CLI.

Rows are dicts keyed by the English keys of shared/spec/formats.md (`unit_code`,
`effective_date`, `claim_type` …); each key is written under its first Chinese header.
A column appears when any row has the key (the required ones always do), in the order
of formats.md. Values are written as given: `datetime.date` becomes a real Excel date,
text stays text (id numbers are always text, never numbers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from builders import make_id

UNITS_SHEET = "参保单位"
MEMBERS_SHEET = "参保职工"
CLAIMS_SHEET = "理赔申请"

UNIT_HEADERS: dict[str, str] = {
    "unit_code": "单位编码",
    "unit_name": "单位名称",
    "total_staff": "从业人员总数",
    "effective_date": "生效日期",
    "contract_no": "履约单号",
    "individual_share_pct": "个人分担比例",
    "total_payroll": "工资总额",
    "contact": "联系人",
    "phone": "联系电话",
    "received_date": "受理日期",
    "enrolment_kind": "参保性质",
}
UNIT_REQUIRED = ("unit_code", "unit_name", "total_staff", "effective_date", "contact", "phone")

MEMBER_HEADERS: dict[str, str] = {
    "unit_code": "单位编码",
    "id_number": "身份证号",
    "name": "姓名",
    "employment_type": "用工性质",
    "engagement_months": "聘用期限（月）",
    "join_date": "增员日期",
}
MEMBER_REQUIRED = ("unit_code", "id_number", "name", "employment_type")

CLAIM_HEADERS: dict[str, str] = {
    "claim_id": "理赔编号",
    "id_number": "身份证号",
    "name": "姓名",
    "unit_code": "单位编码",
    "claim_type": "申请类型",
    "disease": "病种",
    "diagnosis_date": "确诊日期",
    "accident_date": "事故日期",
    "disability_grade": "伤残等级",
    "treatment_end_date": "治疗终结日期",
    "death_date": "死亡日期",
    "brave_act": "见义勇为",
    "exclusion": "除外情形",
    "preexisting_undisclosed": "既往症未告知",
    "fraud": "欺诈",
    "note": "备注",
}
CLAIM_REQUIRED = (
    "claim_id",
    "id_number",
    "name",
    "claim_type",
    "disease",
    "diagnosis_date",
    "accident_date",
    "disability_grade",
    "treatment_end_date",
    "death_date",
)

# claim_type as a clerk writes it (formats.md)
CRITICAL_ILLNESS = "重大疾病"
ACCIDENT_DISABILITY = "意外伤残"
ACCIDENT_DEATH = "意外身故"


def _table(
    headers: Mapping[str, str], required: Sequence[str], rows: Sequence[Mapping[str, Any]]
) -> list[list[Any]]:
    """Header row plus one row per dict; unknown keys are an error in the test itself."""
    for row in rows:
        unknown = set(row) - set(headers)
        if unknown:
            raise KeyError(f"no column for {sorted(unknown)}")
    present = set(required).union(*(set(r) for r in rows)) if rows else set(required)
    keys = [k for k in headers if k in present]
    return [[headers[k] for k in keys], *([row.get(k) for k in keys] for row in rows)]


def _write(path: Path, sheets: Mapping[str, list[list[Any]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def write_units_workbook(
    path: Path, units: Sequence[Mapping[str, Any]], members: Sequence[Mapping[str, Any]]
) -> Path:
    """A units workbook: sheet 参保单位 (units) and sheet 参保职工 (members)."""
    return _write(
        path,
        {
            UNITS_SHEET: _table(UNIT_HEADERS, UNIT_REQUIRED, units),
            MEMBERS_SHEET: _table(MEMBER_HEADERS, MEMBER_REQUIRED, members),
        },
    )


def write_claims_workbook(path: Path, claims: Sequence[Mapping[str, Any]]) -> Path:
    """A claims workbook: one sheet 理赔申请."""
    return _write(path, {CLAIMS_SHEET: _table(CLAIM_HEADERS, CLAIM_REQUIRED, claims)})


def unit_row(
    code: str,
    total_staff: int,
    effective: dt.date,
    name: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A unit row with a contact and a phone, received on its effective date unless
    `received_date` is given (D5)."""
    return {
        "unit_code": code,
        "unit_name": name or f"单位{code}",
        "total_staff": total_staff,
        "effective_date": effective,
        "received_date": effective,
        "contact": "王会计",
        "phone": "0518-85800000",
        **extra,
    }


def member_rows(
    code: str, count: int, first_id: int = 0, employment_type: str = "正式"
) -> list[dict[str, Any]]:
    """`count` members of unit `code` with distinct valid ids make_id(first_id + i)."""
    return [
        {
            "unit_code": code,
            "id_number": make_id(first_id + i),
            "name": member_name(first_id + i),
            "employment_type": employment_type,
        }
        for i in range(count)
    ]


def member_name(n: int) -> str:
    """The name member_rows gives to make_id(n)."""
    return f"职工{n:03d}"


def illness_claim(
    claim_id: str, n: int, disease: str, diagnosed: dt.date, **extra: Any
) -> dict[str, Any]:
    """A critical-illness claim of member make_id(n)."""
    return {
        "claim_id": claim_id,
        "id_number": make_id(n),
        "name": member_name(n),
        "claim_type": CRITICAL_ILLNESS,
        "disease": disease,
        "diagnosis_date": diagnosed,
        **extra,
    }


def disability_claim(
    claim_id: str, n: int, grade: int, accident: dt.date, treatment_end: dt.date, **extra: Any
) -> dict[str, Any]:
    """An accidental-disability claim of member make_id(n), treatment ended."""
    return {
        "claim_id": claim_id,
        "id_number": make_id(n),
        "name": member_name(n),
        "claim_type": ACCIDENT_DISABILITY,
        "accident_date": accident,
        "disability_grade": grade,
        "treatment_end_date": treatment_end,
        **extra,
    }


def death_claim(
    claim_id: str, n: int, accident: dt.date, death: dt.date, **extra: Any
) -> dict[str, Any]:
    """An accidental-death claim of member make_id(n)."""
    return {
        "claim_id": claim_id,
        "id_number": make_id(n),
        "name": member_name(n),
        "claim_type": ACCIDENT_DEATH,
        "accident_date": accident,
        "death_date": death,
        **extra,
    }
