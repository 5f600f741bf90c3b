"""Scenarios as data: every file tests/scenarios/**/*.toml is one case of the plan, run through
the real pipeline (aidctl.pipeline: enrol the rosters, then adjudicate the claims, on a fresh
SQLite register) and compared with the decisions it expects.

Why data and not Python: a scenario is what a clerk of the association can read and check
against the plan — a register, the claims, the decisions and the clauses they pin — in the
manner of OpenFisca's YAML tests. scripts/clauses.py reads the `clauses` key of each file
into the clause matrix (docs/clauses.md).

A file holds:

- `clauses = [...]` (the ids it pins: A…, D…, E…, L…, steps as `step3`) and `description`;
- `as_of`: the day of every command unless a block gives its own;
- `[[enrol]]` blocks, in order: `units` (unit_code, total_staff, effective_date; the unit's
  name, contact and phone, and `received_date` = effective_date, are filled in unless given)
  and `members` (unit_code and `member = n`, the n-th test person — id and name made for
  you — or an explicit id_number/name; employment_type 正式 unless given);
- `[[run]]` blocks, in order: the `claims` of one adjudication (`member = n` as above;
  `type` = illness / disability / death, or claim_type as written), its own `as_of` if any,
  and `expect`: one table per claim_id with `status`, `amount`, `reason_code` and
  `clause` — every id in the expected clause must be in the decision's clause (the
  decision may cite more); `row` (the Excel row, the header being row 1) picks one of two
  rows with the same claim_id, else the first row of that claim_id is meant.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from builders import make_id
from conftest import fresh_pg_database

from aidctl import pipeline
from aidctl.plan import load_policy

SCENARIOS = Path(__file__).parent / "scenarios"
FILES = sorted(SCENARIOS.rglob("*.toml"))

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
TOP_KEYS = {"clauses", "description", "as_of", "enrol", "run"}


def person(n: int) -> tuple[str, str]:
    """The n-th test person: a valid id (GB 11643) and a name."""
    return make_id(n), f"职工{n:03d}"


def _member(row: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(row)
    if "member" in out:
        number, name = person(int(out.pop("member")))
        out.setdefault("id_number", number)
        out.setdefault("name", name)
    return out


def _unit(row: Mapping[str, Any]) -> dict[str, Any]:
    code = row["unit_code"]
    return {
        "unit_name": f"测试单位{code}",
        "contact": "王会计",
        "phone": "0518-85800000",
        "received_date": row["effective_date"],
        **row,
    }


def _claim(row: Mapping[str, Any]) -> dict[str, Any]:
    out = _member(row)
    if "type" in out:
        out["claim_type"] = CLAIM_TYPES[out.pop("type")]
    return out


def _write(path: Path, sheets: Mapping[str, tuple[Mapping[str, str], Sequence[Mapping]]]) -> Path:
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


def load(path: Path) -> dict[str, Any]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    unknown = set(data) - TOP_KEYS
    assert not unknown, f"{path.name}: unknown keys {sorted(unknown)}"
    assert data.get("clauses"), f"{path.name}: `clauses` names what the scenario pins"
    assert str(data.get("description", "")).strip(), f"{path.name}: a description is required"
    assert data.get("run"), f"{path.name}: at least one [[run]] of claims"
    assert any(r.get("expect") for r in data["run"]), f"{path.name}: nothing is expected"
    return data


def run_scenario(
    data: Mapping[str, Any], tmp: Path, register: Any = None
) -> list[tuple[str, str, Any, Any]]:
    """Enrol, adjudicate, compare; returns the differences (claim_id, field, expected, got).
    The register is tmp/register.sqlite3, or the PostgreSQL database `register` names."""
    policy = load_policy()
    db = tmp / "register.sqlite3" if register is None else register

    def settings(block: Mapping[str, Any]) -> pipeline.Settings:
        return pipeline.Settings(
            db_path=db, as_of=block.get("as_of", data["as_of"]), lang="zh", policy=policy
        )

    for i, block in enumerate(data.get("enrol", [])):
        book = _write(
            tmp / f"units-{i}.xlsx",
            {
                "参保单位": (UNIT_HEADERS, [_unit(u) for u in block["units"]]),
                "参保职工": (
                    MEMBER_HEADERS,
                    [{"employment_type": "正式", **_member(m)} for m in block.get("members", [])],
                ),
            },
        )
        pipeline.enroll(settings(block), book)
    wrong: list[tuple[str, str, Any, Any]] = []
    for i, block in enumerate(data["run"]):
        book = _write(
            tmp / f"claims-{i}.xlsx",
            {"理赔申请": (CLAIM_HEADERS, [_claim(c) for c in block["claims"]])},
        )
        decisions = pipeline.adjudicate(settings(block), book)[0].decisions
        rows = sorted(decisions.iter_rows(named=True), key=lambda r: r["_row"])
        for expected in block.get("expect", []):
            claim_id = expected["claim_id"]
            row = next(
                (
                    r
                    for r in rows
                    if r["claim_id"] == claim_id and expected.get("row", r["_row"]) == r["_row"]
                ),
                None,
            )
            if row is None:
                wrong.append((claim_id, "claim", "decided", None))
                continue
            for key in ("status", "amount", "reason_code"):
                if key in expected and expected[key] != row[key]:
                    wrong.append((claim_id, key, expected[key], row[key]))
            cited = set((row["clause"] or "").split(";"))
            missing = set(expected.get("clause", "").split(";")) - cited - {""}
            if missing:
                wrong.append((claim_id, "clause", expected["clause"], row["clause"]))
    return wrong


def test_there_are_enough_scenarios() -> None:
    """At least 40 scenario files, each well formed (clauses, description, expectations)."""
    assert len(FILES) >= 40
    for path in FILES:
        load(path)


def test_scenarios_cover_every_reason_code() -> None:
    """Every reason code of docs/rules.md is expected by some scenario."""
    from aidctl.core.reasons import REASONS

    seen = {
        e["reason_code"]
        for path in FILES
        for block in load(path)["run"]
        for e in block.get("expect", [])
    }
    assert set(REASONS) - seen == set()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(SCENARIOS).as_posix())
def test_scenario(path: Path, tmp_path: Path) -> None:
    """The scenario's claims, decided by the real pipeline, get the decisions it expects."""
    data = load(path)
    wrong = run_scenario(data, tmp_path)
    assert not wrong, f"{data['description']}\n" + "\n".join(
        f"  {cid}: {key} expected {exp!r}, got {got!r}" for cid, key, exp, got in wrong
    )


# The scenarios that read what earlier runs recorded (history, caps across runs and terms,
# conflicts, renewals) also run on PostgreSQL (issue 14); the others decide within one file
# and would only repeat the calculator on a second back end.
POSTGRES_SCENARIOS = [
    "accident/a5_5_accident_cap_partial.toml",
    "illness/a5_1_class1_full_then_cap.toml",
    "illness/a5_2b_second_consolation.toml",
    "input/a5_3_regrade_after_rejection.toml",
    "input/l3_already_decided.toml",
    "input/l3_claim_conflict.toml",
    "input/l4_possible_duplicate_in_register.toml",
    "renewal/a5_2c_paid_in_earlier_term.toml",
    "renewal/d5_grace_20_21_days.toml",
    "renewal/d8_accident_cap_per_term.toml",
]


@pytest.mark.parametrize("name", POSTGRES_SCENARIOS)
def test_scenario_on_postgresql(name: str, tmp_path: Path) -> None:
    """The same decisions with the register on PostgreSQL as on SQLite (issue 14)."""
    data = load(SCENARIOS / name)
    with fresh_pg_database() as url:
        wrong = run_scenario(data, tmp_path, url)
    assert not wrong, f"{data['description']}\n" + "\n".join(
        f"  {cid}: {key} expected {exp!r}, got {got!r}" for cid, key, exp, got in wrong
    )
