"""`adjudicate`, `explain`, `history` and `template` from the command line.

Why these tests: a claims file is sent every month, sometimes twice, sometimes corrected.
They hold the CLI to the JSON shape and exit codes of docs/formats.md, to rules.md
step 2 (a rerun pays nothing; a changed row of a decided claim goes to review), to
`--dry-run` recording nothing, to the four-sheet report with masked ids and notes that can
never run as formulas, and to the blank templates being read back by the intake as they are.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from backends import both_backends
from cli_workbooks import (
    CLAIM_HEADERS,
    claim,
    common,
    count,
    ident,
    members,
    run_cli,
    table_rows,
    unit,
    write_claims_workbook,
    write_units_workbook,
)

from aidctl.intake import read_claims, read_units_workbook


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Default report paths land in the working folder: keep them in the test's folder."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def db(tmp_path: Path, register_db: Path) -> Path:
    """A register holding unit U1 (effective 2026-01-01) with members ident(0..2); on
    PostgreSQL too for the tests marked @both_backends (adjudicate, rerun, conflict, dry run,
    explain, history: what the register answers; the report and template tests only read
    it back and stay on SQLite)."""
    path = register_db
    book = write_units_workbook(tmp_path / "units.xlsx", [unit("U1", 3)], members("U1", 0, 3))
    assert run_cli("enroll", book, *common(path)).exit_code == 0
    return path


def claim_rows(with_pending: bool = True) -> list[dict[str, Any]]:
    rows = [
        # day 213 of a first-time spell: fully covered (D4), class 1 → 15,000
        claim("LP1", 0, 病种="C1-01", 确诊日期=dt.date(2026, 8, 1), 备注="=HYPERLINK(1)"),
        claim(
            "LP2",
            1,
            "意外伤残",
            事故日期=dt.date(2026, 3, 1),
            伤残等级="5级",
            治疗终结日期=dt.date(2026, 6, 1),
        ),
        # nobody enrolled this id: no cover
        claim("LP3", 500, 病种="C1-01", 确诊日期=dt.date(2026, 8, 1)),
    ]
    if with_pending:
        # treatment not ended: pending, not recorded
        rows.append(claim("LP4", 2, "意外伤残", 事故日期=dt.date(2026, 3, 1), 伤残等级="5级"))
    return rows


LP1 = {
    "claim_id": "LP1",
    "status": "approved",
    "amount": 15000,
    "reason_code": "FULL_BENEFIT",
    "clause": "A5.1",
    "message": "原发性恶性肿瘤（不包括原位癌）：第一类病种 15000元（保障第213日）= 15000元",
}
LP2 = {
    "claim_id": "LP2",
    "status": "approved",
    "amount": 5000,
    "reason_code": "DISABILITY_GRADE",
    "clause": "A5.3",
    "message": "伤残5级 = 5000元",
}
LP3 = {
    "claim_id": "LP3",
    "status": "rejected",
    "amount": 0,
    "reason_code": "NO_COVERAGE",
    "clause": "A2.1;D3;D6",
    # L135: a rejection a correction can cure says how
    "message": (
        "登记库中没有此人在出险日有效的参保记录（从未登记参保，或出险日不在其保障期内）；"
        "请核对身份证号和出险日期；如此人确已随单位参保而名册尚未登记（可能仍在途中），"
        "请单位先报送名册登记，再用 aidctl reopen 理赔编号 --reason 原因 重新打开本理赔，并重新提交该行"
    ),
}
NO_COVER_EN = (  # L135: says how a correction cures it
    "the register holds no cover for this person on the event date (never enrolled, or "
    "the day is outside their cover); check the id number and the date; if the member "
    "was enrolled with a unit whose roster is not enrolled yet (it may be on its way), "
    "enrol the roster, reopen the claim (aidctl reopen CLAIM_ID --reason …) and send the "
    "row again"
)
LP4 = {
    "claim_id": "LP4",
    "status": "pending",
    "amount": 0,
    "reason_code": "TREATMENT_NOT_ENDED",
    "clause": "A5.3",
    "message": "治疗尚未终结，终结后评定给付（A5.3）",
}
ALREADY = {
    "amount": 0,
    "reason_code": "ALREADY_DECIDED",
    "clause": "L3",
    "message": "此前已处理，本次不再支付",
}


def masked(id_number: str) -> str:
    return id_number[:6] + "*" * 8 + id_number[-4:]


RUN_ID = re.compile(r"\d{8}-\d{6}-[0-9a-f]{6}")


def adjudicate(path: Path, db: Path, *extra: Any) -> tuple[int, dict[str, Any]]:
    result = run_cli("adjudicate", path, *common(db), "--json", *extra)
    # nothing on stderr but, with --unmask, its trace (L156)
    assert [x for x in result.stderr.splitlines() if "--unmask" not in x] == []
    return result.exit_code, json.loads(result.stdout)


# ---------------------------------------------------------------- adjudicate


@both_backends
def test_json_shape_and_exit_1_when_a_claim_is_pending(tmp_path: Path, db: Path) -> None:
    book = write_claims_workbook(tmp_path / "claims.xlsx", claim_rows())
    code, doc = adjudicate(book, db, "--out", tmp_path / "d.xlsx")
    assert code == 1
    assert RUN_ID.fullmatch(doc["run_id"])
    assert doc["policy_version"] == "2018-95"
    assert doc["claims"] == [LP1, LP2, LP3, LP4]
    assert list(doc["claims"][0]) == list(LP1)
    assert doc["totals"] == {"approved": 2, "rejected": 1, "pending": 1, "amount": 20000}
    assert doc["report"] == str(tmp_path / "d.xlsx")
    assert doc["register"] == str(db)
    # approved and rejected are recorded, pending is not
    recorded = {(r[1], r[3], r[4], r[5]) for r in table_rows(db, "decisions")}
    assert recorded == {
        ("LP1", "approved", 15000, "FULL_BENEFIT"),
        ("LP2", "approved", 5000, "DISABILITY_GRADE"),
        ("LP3", "rejected", 0, "NO_COVERAGE"),
    }
    assert {r[2] for r in table_rows(db, "decisions")} == {doc["run_id"]}


def test_exit_0_when_nothing_is_pending(tmp_path: Path, db: Path) -> None:
    book = write_claims_workbook(tmp_path / "claims.xlsx", claim_rows(with_pending=False))
    code, doc = adjudicate(book, db)
    assert code == 0
    assert doc["claims"] == [LP1, LP2, LP3]
    assert doc["totals"] == {"approved": 2, "rejected": 1, "pending": 0, "amount": 20000}


def test_summary_without_json(tmp_path: Path, db: Path) -> None:
    """L170, L173: reasons in words; the totals are the run's new decisions."""
    book = write_claims_workbook(tmp_path / "claims.xlsx", claim_rows())
    result = run_cli("adjudicate", book, *common(db), "--out", tmp_path / "d.xlsx")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "理赔审核结果"
    assert [line.split() for line in lines[1:5]] == [
        ["给付", "按伤残等级给付", "1", "5000"],
        ["给付", "足额给付", "1", "15000"],
        ["待处理", "治疗尚未终结", "1", "0"],
        ["拒付", "出险时未在保障期", "1", "0"],
    ]
    assert lines[5] == "本次新决定：给付 2 件，拒付 1 件，待处理 1 件；给付金额合计 20000 元。"
    assert re.fullmatch(r"已登记 3 项决定（运行 \d{8}-\d{6}-[0-9a-f]{6}）。", lines[6])
    assert lines[7] == f"报告：{tmp_path / 'd.xlsx'}"


@both_backends
def test_rerun_of_the_same_file_pays_nothing(tmp_path: Path, db: Path) -> None:
    book = write_claims_workbook(tmp_path / "claims.xlsx", claim_rows())
    adjudicate(book, db)
    decisions_before = table_rows(db, "decisions")

    code, doc = adjudicate(book, db)
    assert code == 1  # LP4 is still pending
    assert doc["claims"] == [
        {"claim_id": "LP1", "status": "approved", **ALREADY},
        {"claim_id": "LP2", "status": "approved", **ALREADY},
        {"claim_id": "LP3", "status": "rejected", **ALREADY},
        LP4,
    ]
    assert doc["totals"] == {"approved": 2, "rejected": 1, "pending": 1, "amount": 0}
    assert table_rows(db, "decisions") == decisions_before


def test_a_changed_note_is_not_a_changed_claim(tmp_path: Path, db: Path) -> None:
    rows = claim_rows(with_pending=False)
    adjudicate(write_claims_workbook(tmp_path / "a.xlsx", rows), db)
    rows[0]["备注"] = "补充材料"
    code, doc = adjudicate(write_claims_workbook(tmp_path / "b.xlsx", rows), db)
    assert code == 0
    assert doc["claims"][0] == {"claim_id": "LP1", "status": "approved", **ALREADY}


@both_backends
def test_a_changed_row_of_a_decided_claim_is_pending_conflict(tmp_path: Path, db: Path) -> None:
    rows = claim_rows(with_pending=False)
    adjudicate(write_claims_workbook(tmp_path / "a.xlsx", rows), db)
    decisions_before = table_rows(db, "decisions")
    rows[1]["伤残等级"] = "4级"  # LP2 was paid as grade 5
    code, doc = adjudicate(write_claims_workbook(tmp_path / "b.xlsx", rows), db)
    assert code == 1
    assert doc["claims"][1] == {
        "claim_id": "LP2",
        "status": "pending",
        "amount": 0,
        "reason_code": "CLAIM_CONFLICT",
        "clause": "L3",
        "message": (  # L135: says the way out
            "此前已处理，但本行内容已改变，请人工核查；若确需按本行重新审核：原为拒付的，用 aidctl"
            " reopen 理赔编号 --reason 原因 重新打开后重新提交；原为给付的，先用 aidctl void 撤销"
        ),
    }
    assert doc["totals"] == {"approved": 1, "rejected": 1, "pending": 1, "amount": 0}
    assert table_rows(db, "decisions") == decisions_before


@both_backends
def test_dry_run_records_nothing(tmp_path: Path, db: Path) -> None:
    book = write_claims_workbook(tmp_path / "claims.xlsx", claim_rows())
    runs_before = table_rows(db, "runs")
    code, doc = adjudicate(book, db, "--dry-run")
    assert code == 1
    assert doc["run_id"] is None
    assert doc["claims"] == [LP1, LP2, LP3, LP4]
    assert doc["totals"]["amount"] == 20000
    assert count(db, "decisions") == 0
    assert table_rows(db, "runs") == runs_before
    # and the real run after it decides the same, as if the dry run had not happened
    code, doc = adjudicate(book, db)
    assert doc["claims"] == [LP1, LP2, LP3, LP4]
    assert count(db, "decisions") == 3


def test_dry_run_without_a_register_creates_none(tmp_path: Path) -> None:
    book = write_claims_workbook(tmp_path / "claims.xlsx", claim_rows(with_pending=False))
    missing = tmp_path / "none.sqlite3"
    code, doc = adjudicate(book, missing, "--dry-run")
    assert code == 0
    assert [(c["claim_id"], c["reason_code"]) for c in doc["claims"]] == [
        ("LP1", "NO_COVERAGE"),
        ("LP2", "NO_COVERAGE"),
        ("LP3", "NO_COVERAGE"),
    ]
    assert not missing.exists()


# ---------------------------------------------------------------- the report workbook


def sheet_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))


def test_report_workbook(tmp_path: Path, db: Path) -> None:
    book = write_claims_workbook(tmp_path / "claims.xlsx", claim_rows())
    report = tmp_path / "d.xlsx"
    adjudicate(book, db, "--out", report)
    wb = openpyxl.load_workbook(report)
    assert wb.sheetnames == ["汇总", "支付明细", "拒付明细", "待处理"]
    header = (
        "理赔编号",
        "姓名",
        "身份证号",
        "单位编码",
        "单位名称",  # L181
        "保障类型",
        "病种",
        "出险日期",
        "保障第几日",
        "金额",
        "原因代码",
        "原因说明",
        "条款",
        "履约单号",
        "参数版本",
        "备注",
    )
    placed = {}
    for name in ("支付明细", "拒付明细", "待处理"):
        ws = wb[name]
        assert ws.freeze_panes == "A2"
        rows = list(ws.iter_rows(values_only=True))
        assert rows[0] == header
        placed[name] = [(r[0], r[2], r[9], r[10], r[12]) for r in rows[1:]]
    assert placed == {
        "支付明细": [
            ("LP1", "320705********0004", 15000, "FULL_BENEFIT", "A5.1"),
            ("LP2", "320705********0012", 5000, "DISABILITY_GRADE", "A5.3"),
        ],
        "拒付明细": [("LP3", masked(ident(500)), 0, "NO_COVERAGE", "A2.1;D3;D6")],
        "待处理": [("LP4", "320705********0020", 0, "TREATMENT_NOT_ENDED", "A5.3")],
    }
    lp1 = next(wb["支付明细"].iter_rows(min_row=2, max_row=2))
    assert lp1[6].value == "原发性恶性肿瘤（不包括原位癌）"
    assert lp1[7].value == dt.datetime(2026, 8, 1)
    assert lp1[8].value == 213
    # a note starting with "=" is a text cell, never a formula
    note = lp1[15]
    assert note.value == "=HYPERLINK(1)"
    assert note.data_type == "s"
    with zipfile.ZipFile(report) as z:
        sheets_xml = [z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
    assert not any(b"<f>" in x or b"<f " in x for x in sheets_xml)
    # no full id anywhere
    cells = [c for name in wb.sheetnames for row in sheet_rows(report, name) for c in row]
    assert not any(ident(n) in cells for n in (0, 1, 2, 500))


def test_report_in_english_and_unmasked(tmp_path: Path, db: Path) -> None:
    book = write_claims_workbook(tmp_path / "claims.xlsx", claim_rows())
    report = tmp_path / "d.xlsx"
    code, doc = adjudicate(book, db, "--out", report, "--lang", "en", "--unmask")
    assert code == 1
    assert doc["claims"][0]["message"] == (
        "primary malignant tumour (not carcinoma in situ): class 1 disease 15000 yuan "
        "(day 213 of cover) = 15000 yuan"
    )
    assert doc["claims"][2]["message"] == NO_COVER_EN
    wb = openpyxl.load_workbook(report)
    assert wb.sheetnames == ["Summary", "Payments", "Rejections", "Pending"]
    for name in ("Payments", "Rejections", "Pending"):
        assert wb[name].freeze_panes == "A2"
    assert [r[:3] for r in sheet_rows(report, "Payments")] == [
        ("Claim id", "Name", "Id number"),
        ("LP1", "职工0", ident(0)),
        ("LP2", "职工1", ident(1)),
    ]


# ---------------------------------------------------------------- explain and history


@both_backends
def test_explain_prints_the_steps_and_the_clause(tmp_path: Path, db: Path) -> None:
    book = write_claims_workbook(tmp_path / "claims.xlsx", claim_rows())
    _, doc = adjudicate(book, db)
    run = doc["run_id"]
    result = run_cli("explain", "LP1", "--db", db)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        f"理赔 LP1（运行 {run}）  职工0 320705********0004",
        "  1. 输入检查: 通过",
        "  2. 是否已处理: 通过",
        "  3. 疑似重复: 通过",
        "  4. 保障期与身份: 通过",
        "  5. 除外责任（A6）: 通过",
        "  6. 重大疾病（A5.1、A5.2）: 足额给付（A5.1）",
        "     履约单 U1-20260101，起始 2026-01-01，保障第 213 日",
        "     原发性恶性肿瘤（不包括原位癌）：第一类病种 15000元（保障第213日）= 15000元",
        "     结果：给付 15000 元；参数版本 2018-95",
    ]
    rejected = run_cli("explain", "LP3", "--db", db, "--lang", "en")
    assert rejected.exit_code == 0
    lines = rejected.stdout.splitlines()
    assert lines[-2:] == [
        "     " + NO_COVER_EN,
        "     result: rejected 0 yuan; parameters 2018-95",
    ]
    assert any(line.endswith(": not covered on the day (A2.1;D3;D6)") for line in lines)


@both_backends
def test_explain_of_a_claim_not_recorded_exits_2(tmp_path: Path, db: Path) -> None:
    """A claim id never sent is not in the register; a pending one is an open item (L130)."""
    book = write_claims_workbook(tmp_path / "claims.xlsx", claim_rows())
    adjudicate(book, db)
    result = run_cli("explain", "LP404", "--db", db)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == f"aidctl: 登记库 {db} 中没有理赔编号 LP404。\n"
    pending = run_cli("explain", "LP4", "--db", db)  # pending: an open item
    assert pending.exit_code == 0
    assert pending.stdout.startswith("理赔 LP4：待处理事项（自 ")


@both_backends
def test_history_lists_the_members_claims(tmp_path: Path, db: Path) -> None:
    book = write_claims_workbook(
        tmp_path / "claims.xlsx",
        [
            *claim_rows(with_pending=False),
            claim(
                "LP5",
                0,
                "意外伤残",
                事故日期=dt.date(2026, 9, 1),
                伤残等级="10级",
                治疗终结日期=dt.date(2026, 10, 1),
            ),
        ],
    )
    adjudicate(book, db)
    result = run_cli("history", ident(0), "--db", db)
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "保障记录"
    # tab-separated when not a terminal (rich expands the tabs)
    assert lines[1].split() == ["U1-20260101", "U1", "单位U1", "2026-01-01", "2026-12-31", "是"]
    assert lines[2] == "理赔与给付"
    assert [line.split() for line in lines[3:5]] == [
        ["LP1", "2026-08-01", "重大疾病", "给付", "15000", "足额给付"],
        ["LP5", "2026-09-01", "意外伤残", "给付", "500", "按伤残等级给付"],
    ]
    assert lines[5] == "累计给付 15500 元。"
    as_json = run_cli("history", ident(0), "--db", db, "--json")
    claims = [d["claim_id"] for d in json.loads(as_json.stdout)["decisions"]]
    assert claims == ["LP1", "LP5"]


# ---------------------------------------------------------------- templates


def fill_row(path: Path, sheet: str, values: dict[str, Any]) -> None:
    """Type one row under the template's headers (row 2), as a clerk would."""
    wb = openpyxl.load_workbook(path)
    ws = wb[sheet]
    headers = [c.value for c in ws[1]]
    for header, value in values.items():
        ws.cell(row=2, column=headers.index(header) + 1, value=value)
    wb.save(path)


def test_claims_template_is_read_back_without_findings(tmp_path: Path, db: Path) -> None:
    path = tmp_path / "claims-template.xlsx"
    result = run_cli("template", "claims", "--out", path)
    assert result.exit_code == 0
    assert result.stdout.strip() == str(path)
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames[0] == "理赔申请"
    # D10: the template has the diagnosis-code column beside the disease
    at = CLAIM_HEADERS.index("病种") + 1
    expected = [*CLAIM_HEADERS[:at], "诊断编码", *CLAIM_HEADERS[at:]]
    assert [c.value for c in wb["理赔申请"][1]] == expected
    fill_row(
        path,
        "理赔申请",
        {
            "理赔编号": "LP9",
            "身份证号": ident(2),
            "姓名": "职工2",
            "单位编码": "U1",
            "申请类型": "重大疾病",
            "病种": "原发性恶性肿瘤（不包括原位癌）",
            "确诊日期": dt.date(2026, 8, 1),
            "见义勇为": "否",
        },
    )
    intake = read_claims(path)
    assert intake.findings.height == 0
    assert intake.claims.height == 1
    row = intake.claims.row(0, named=True)
    assert (row["claim_id"], row["id_number"], row["claim_type"], row["_row"]) == (
        "LP9",
        ident(2),
        "critical_illness",
        2,
    )
    assert row["diagnosis_date"] == dt.date(2026, 8, 1)
    # and the filled template goes through adjudicate as it is
    code, doc = adjudicate(path, db, "--dry-run")
    assert code == 0
    assert [(c["claim_id"], c["reason_code"], c["amount"]) for c in doc["claims"]] == [
        ("LP9", "FULL_BENEFIT", 15000)
    ]


def test_units_template_is_read_back_without_findings(tmp_path: Path) -> None:
    path = tmp_path / "units-template.xlsx"
    result = run_cli("template", "units", "--out", path)
    assert result.exit_code == 0
    assert openpyxl.load_workbook(path).sheetnames[:2] == ["参保单位", "参保职工"]
    fill_row(
        path,
        "参保单位",
        {
            "单位编码": "U7",
            "单位名称": "七号单位",
            "从业人员总数": 1,
            "生效日期": dt.date(2026, 1, 1),
            "受理日期": dt.date(2026, 1, 1),  # D5: received on the day it takes effect
        },
    )
    fill_row(
        path,
        "参保职工",
        {"单位编码": "U7", "身份证号": ident(7), "姓名": "张三", "用工性质": "正式"},
    )
    intake = read_units_workbook(path)
    assert intake.findings.height == 0
    assert intake.units.select("unit_code", "total_staff", "_row").rows() == [("U7", 1, 2)]
    assert intake.members.select("id_number", "employment_type", "_row").rows() == [
        (ident(7), "formal", 2)
    ]
    check = run_cli("validate-enrollment", path, *common(tmp_path / "r.sqlite3"), "--json")
    assert check.exit_code == 0
    assert json.loads(check.stdout)["units"][0]["status"] == "compliant"
