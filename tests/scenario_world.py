"""A scenario's world: workbooks of the repository run by the real pipeline, in order, on
one fresh SQLite register — built once per test session and shared.

Why: the sample year (sample_data/, see sample_data/EXPECTED.md) is the register of the 34
generated scenario files in tests/scenarios/sample/ and of tests/test_sample_flow.py;
building it once (about a second) instead of once per file keeps the suite small.
A world is a tuple of commands, `"enroll PATH"` or `"adjudicate PATH"`, PATH relative to
the repository's root; its result maps each PATH to the frame the command produced (the
units of an enrolment, the decisions of an adjudication).

Below, the workbooks of a scenario's own rows: units, members and claims written under the
Chinese headers of docs/formats.md (tests/test_scenarios.py, tests/test_messages_policy.py).
"""

from __future__ import annotations

import atexit
import datetime as dt
import shutil
import tempfile
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
from builders import make_id

from aidctl import pipeline
from aidctl.plan import load_policy

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ("enroll", "adjudicate")


def parse(world: Sequence[str]) -> list[tuple[str, str]]:
    """(command, path) of each step; a step that is neither command, or a file that does not
    exist, is an error of the scenario file."""
    steps = []
    for step in world:
        command, _, path = str(step).partition(" ")
        if command not in COMMANDS or not path.strip():
            raise ValueError(f"world step {step!r}: expected 'enroll PATH' or 'adjudicate PATH'")
        if not (ROOT / path.strip()).is_file():
            raise FileNotFoundError(f"world step {step!r}: no file {path.strip()}")
        steps.append((command, path.strip()))
    return steps


@cache
def build(world: tuple[str, ...], as_of: dt.date, register: Any = None) -> dict[str, pl.DataFrame]:
    """Run the world's commands as of `as_of` on a fresh register (a SQLite file of its
    own, or the empty PostgreSQL database `register` names); PATH -> its frame."""
    where = Path(tempfile.mkdtemp(prefix="aidctl-world-"))
    atexit.register(shutil.rmtree, where, True)
    settings = pipeline.Settings(
        db_path=where / "register.sqlite3" if register is None else register,
        as_of=as_of,
        lang="zh",
        policy=load_policy(),
    )
    out: dict[str, pl.DataFrame] = {}
    for command, path in parse(world):
        if command == "enroll":
            outcome, _ = pipeline.enroll(settings, ROOT / path)
            out[path] = outcome.result.units
        else:
            out[path] = pipeline.adjudicate(settings, ROOT / path)[0].decisions
    return out


# ---- workbooks of a scenario's own rows (formats.md headers) ---------------------------

# docs/formats.md: the first Chinese header of each key
UNIT_HEADERS = {
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
MEMBER_HEADERS = {
    "unit_code": "单位编码",
    "id_number": "身份证号",
    "name": "姓名",
    "employment_type": "用工性质",
    "engagement_months": "聘用期限（月）",
    "join_date": "增员日期",
}
CLAIM_HEADERS = {
    "claim_id": "理赔编号",
    "id_number": "身份证号",
    "name": "姓名",
    "unit_code": "单位编码",
    "claim_type": "申请类型",
    "disease": "病种",
    "diagnosis_code": "诊断编码",
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
CLAIM_TYPES = {"illness": "重大疾病", "disability": "意外伤残", "death": "意外身故"}


def person(n: int) -> tuple[str, str]:
    """The n-th test person: a valid id (GB 11643) and a name."""
    return make_id(n), f"职工{n:03d}"


def member_row(row: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(row)
    if "member" in out:
        number, name = person(int(out.pop("member")))
        out.setdefault("id_number", number)
        out.setdefault("name", name)
    return out


def unit_row(row: Mapping[str, Any]) -> dict[str, Any]:
    code = row["unit_code"]
    return {
        "unit_name": f"测试单位{code}",
        "contact": "王会计",
        "phone": "0518-85800000",
        "received_date": row["effective_date"],
        **row,
    }


def claim_row(row: Mapping[str, Any]) -> dict[str, Any]:
    out = member_row(row)
    if "type" in out:
        out["claim_type"] = CLAIM_TYPES[out.pop("type")]
    return out


def write_book(
    path: Path, sheets: Mapping[str, tuple[Mapping[str, str], Sequence[Mapping]]]
) -> Path:
    """Each sheet with the columns its rows use, under their Chinese headers (formats.md)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, (headers, rows) in sheets.items():
        unknown = set().union(*(set(r) for r in rows)) - set(headers) if rows else set()
        if unknown:
            raise KeyError(f"{path.name}: no column for {sorted(unknown)}")
        keys = [k for k in headers if any(k in r for r in rows)]
        sheet = book.create_sheet(title)
        sheet.append([headers[k] for k in keys])
        for row in rows:
            sheet.append([row.get(k) for k in keys])
        for cells in sheet.iter_rows(min_row=2):
            for cell in cells:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    book.save(path)
    return path
