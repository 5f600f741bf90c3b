"""Small workbooks and helpers for the command-line tests (tests/test_cli_*.py).

The workbooks use the Chinese headers and sheet names of docs/formats.md, as a clerk
would send them. Rows are dicts keyed by header so a test states only the cells it cares
about; a missing key is an empty cell. The runner helpers call `aidctl.cli.app` in-process
with a clean environment, so no test depends on the user's register, config or today.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
from backends import query
from backends import table as table_of
from builders import make_id
from typer.testing import CliRunner, Result

from aidctl.cli import app

UNITS_SHEET = "参保单位"
MEMBERS_SHEET = "参保职工"
CLAIMS_SHEET = "理赔申请"

UNIT_HEADERS = [
    "单位编码",
    "单位名称",
    "从业人员总数",
    "生效日期",
    "受理日期",
    "联系人",
    "联系电话",
]
MEMBER_HEADERS = ["单位编码", "身份证号", "姓名", "用工性质", "聘用期限（月）", "增员日期"]
CLAIM_HEADERS = [
    "理赔编号",
    "身份证号",
    "姓名",
    "单位编码",
    "申请类型",
    "病种",
    "确诊日期",
    "事故日期",
    "伤残等级",
    "治疗终结日期",
    "死亡日期",
    "见义勇为",
    "除外情形",
    "既往症未告知",
    "欺诈",
    "备注",
]

AS_OF = "2026-11-28"
EFFECTIVE = dt.date(2026, 1, 1)

Row = Mapping[str, Any]


def ident(n: int) -> str:
    """A valid id of a Lianyungang member born in 1990 (a region code known for that year,
    so no ID_REGION_UNKNOWN warning); `n` varies the sequence digits (0–999)."""
    return make_id(n, region="320705", birth="19900101")


def unit(
    code: str,
    total_staff: int,
    name: str | None = None,
    effective: dt.date = EFFECTIVE,
    **cells: Any,
) -> dict[str, Any]:
    """A units-sheet row (extra cells by header, e.g. 联系人="王芳"); received on its
    effective date unless 受理日期 is given (D5)."""
    return {
        "单位编码": code,
        "单位名称": name or f"单位{code}",
        "从业人员总数": total_staff,
        "生效日期": effective,
        "受理日期": effective,
        **cells,
    }


def member(unit_code: str, n: int, name: str | None = None, **cells: Any) -> dict[str, Any]:
    """A formal member of `unit_code` whose id is `ident(n)`."""
    return {
        "单位编码": unit_code,
        "身份证号": ident(n),
        "姓名": name or f"职工{n}",
        "用工性质": "正式",
        **cells,
    }


def members(unit_code: str, first: int, count: int) -> list[dict[str, Any]]:
    """`count` formal members of `unit_code` with ids ident(first) … ident(first+count-1)."""
    return [member(unit_code, n) for n in range(first, first + count)]


def write_sheets(path: Path, sheets: Mapping[str, Sequence[Sequence[Any]]]) -> Path:
    """A workbook with one sheet per entry, rows written as given (first row: headers).

    Text that starts with `=` is stored as a text cell, as a clerk's cell formatted as text
    holds it (openpyxl would otherwise write it as a formula).
    """
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
    book.save(path)
    return path


def _table(headers: Sequence[str], rows: Iterable[Row]) -> list[list[Any]]:
    return [list(headers), *([row.get(h) for h in headers] for row in rows)]


def write_units_workbook(
    path: Path,
    units: Iterable[Row],
    member_rows: Iterable[Row],
    unit_headers: Sequence[str] = UNIT_HEADERS,
    member_headers: Sequence[str] = MEMBER_HEADERS,
) -> Path:
    """The units workbook: sheets 参保单位 and 参保职工."""
    return write_sheets(
        path,
        {
            UNITS_SHEET: _table(unit_headers, units),
            MEMBERS_SHEET: _table(member_headers, member_rows),
        },
    )


def claim(
    claim_id: str,
    n: int,
    claim_type: str = "重大疾病",
    name: str | None = None,
    unit_code: str = "U1",
    **cells: Any,
) -> dict[str, Any]:
    """A claims-sheet row for the member whose id is `ident(n)`."""
    return {
        "理赔编号": claim_id,
        "身份证号": ident(n),
        "姓名": name or f"职工{n}",
        "单位编码": unit_code,
        "申请类型": claim_type,
        **cells,
    }


def write_claims_workbook(
    path: Path, claims: Iterable[Row], headers: Sequence[str] = CLAIM_HEADERS
) -> Path:
    """The claims workbook: one sheet 理赔申请."""
    return write_sheets(path, {CLAIMS_SHEET: _table(headers, claims)})


# ---------------------------------------------------------------- running the CLI

# Variables that would point the tool at a user's register, workspace or parameter file,
# or change what it prints; unset for every run.
CLEAN_ENV: dict[str, str | None] = {
    "AIDCTL_DB": None,
    "AIDCTL_CONFIG": None,
    "AIDCTL_POLICY": None,
    "AIDCTL_QUIET": None,
    "AIDCTL_DEBUG": None,
}


def run_cli(*args: Any, env: Mapping[str, str | None] | None = None) -> Result:
    """`aidctl ARGS` in-process; stdout and stderr are kept apart on the result."""
    return CliRunner().invoke(
        app, [str(a) for a in args], env={**CLEAN_ENV, **(env or {})}, catch_exceptions=False
    )


def common(db: Path, *extra: Any) -> list[Any]:
    """The options every test passes: a register in tmp and a fixed as-of day."""
    return ["--db", db, "--as-of", AS_OF, *extra]


# ---------------------------------------------------------------- reading the register


def table_rows(db: Path, table: str) -> list[tuple[Any, ...]]:
    """All rows of a register table, in a stable order (on either back end)."""
    return sorted(table_of(db, table), key=repr)


def count(db: Path, table: str) -> int:
    return int(query(db, f"SELECT count(*) FROM {table}")[0][0])


def dump(db: Path) -> list[str]:
    """Every statement that would rebuild the register: schema and all rows."""
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def file_bytes(db: Path) -> dict[str, bytes | None]:
    """The register file and its write-ahead log, byte for byte (None when absent)."""
    out: dict[str, bytes | None] = {}
    for suffix in ("", "-wal"):
        p = Path(str(db) + suffix)
        out[suffix] = p.read_bytes() if p.exists() else None
    return out
