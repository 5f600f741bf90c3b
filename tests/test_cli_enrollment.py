"""`validate-enrollment` and `enroll` from the command line (formats.md, rules.md E1–E5).

Why these tests: the CLI is what the clerks run. They hold it to the JSON shape and exit
codes of docs/formats.md, to E5 (only compliant units are recorded, and enrolling the
same file twice changes nothing), to the register being private (mode 0600) and never created
by a mere check, and to the two workbooks every run hands back (the report, and the annotated
copy the clerk returns to the unit).
"""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from backends import both_backends
from cli_workbooks import (
    AS_OF,
    MEMBER_HEADERS,
    UNIT_HEADERS,
    common,
    count,
    ident,
    member,
    members,
    run_cli,
    table_rows,
    unit,
    write_units_workbook,
)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Default report paths land in the working folder; keep them (and any aidctl.toml
    lookup) inside the test's own folder."""
    monkeypatch.chdir(tmp_path)


def bad_checksum(n: int) -> str:
    """ident(n) with a wrong check character."""
    good = ident(n)
    return good[:17] + ("1" if good[17] != "1" else "2")


def masked(id_number: str) -> str:
    return id_number[:6] + "*" * 8 + id_number[-4:]


def mixed_workbook(path: Path) -> Path:
    """U1 compliant (3 staff, 3 eligible, plus one row with a bad id); U2 non-compliant
    (40 staff, 31 eligible, plus a temporary worker engaged for exactly 12 months)."""
    rows = [
        *members("U1", 0, 3),  # rows 2–4
        member("U1", 3, 身份证号=bad_checksum(3)),  # row 5: INVALID_ID
        *members("U2", 10, 31),  # rows 6–36
        member("U2", 41, 用工性质="临时", **{"聘用期限（月）": 12}),  # row 37: not eligible
    ]
    return write_units_workbook(
        path,
        [unit("U1", 3, 联系人="王芳", 联系电话="13800000000"), unit("U2", 40)],
        rows,
    )


def compliant_workbook(path: Path) -> Path:
    """Two compliant units: U1 with 3 of 3 staff, U3 with 24 of 30 (exactly 80%)."""
    return write_units_workbook(
        path, [unit("U1", 3), unit("U3", 30)], members("U1", 0, 3) + members("U3", 100, 24)
    )


U1 = {
    "unit_code": "U1",
    "unit_name": "单位U1",
    "status": "compliant",
    "total_staff": 3,
    "eligible": 3,
    "ratio": 1.0,
    "required_ratio": 1.0,
    "shortfall": 0,
    "contribution_total": 300,
    "unit_share": 240,
    "individual_share": 60,
    "reasons": [],
    # D5: received on the effective date (the workbook's 受理日期), a first enrolment
    "term_start": "2026-01-01",
    "term_end": "2026-12-31",
    "received_date": "2026-01-01",
    "first_time": True,
    "imported": False,
}
U2 = {
    "unit_code": "U2",
    "unit_name": "单位U2",
    "status": "non_compliant",
    "total_staff": 40,
    "eligible": 31,
    "ratio": 0.775,
    "required_ratio": 0.8,
    "shortfall": 1,
    "contribution_total": 3100,
    "unit_share": 2480,
    "individual_share": 620,
    "reasons": ["RATIO_BELOW_MIN"],
    "term_start": "2026-01-01",
    "term_end": "2026-12-31",
    "received_date": "2026-01-01",
    "first_time": True,
    "imported": False,
}


def by_row(issues: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(issues, key=lambda i: (i["row"], i["code"], i["message"]))


def rows_of(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    """The sheet's rows, each as wide as the sheet."""
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))


# ---------------------------------------------------------------- validate-enrollment


def test_validate_json_has_the_documented_shape_and_exit_1(tmp_path: Path) -> None:
    book = mixed_workbook(tmp_path / "units.xlsx")
    db = tmp_path / "reg.sqlite3"
    result = run_cli(
        "validate-enrollment", book, *common(db), "--json", "--out", tmp_path / "check.xlsx"
    )
    assert result.exit_code == 1
    assert result.stderr == ""
    doc = json.loads(result.stdout)
    assert doc["units"] == [U1, U2]
    assert list(doc["units"][0]) == list(U1)  # exactly the documented keys, in order
    assert by_row(doc["member_issues"]) == [
        {
            "sheet": "参保职工",
            "row": 5,
            "unit_code": "U1",
            "id_number": masked(bad_checksum(3)),
            "code": "INVALID_ID",
            "message": "身份证号无效（校验码不符）：请核对位数、校验码和出生日期",
        },
        {
            "sheet": "参保职工",
            "row": 37,
            "unit_code": "U2",
            "id_number": masked(ident(41)),
            "code": "INELIGIBLE_TEMPORARY",
            "message": "临时职工聘用期12个月，未超过一年，不属保障对象（A1.1）",
        },
    ]
    assert re.fullmatch(r"320705\*{8}\d{3}[\dX]", doc["member_issues"][0]["id_number"])
    assert doc["run_id"] is None
    assert doc["report"] == str(tmp_path / "check.xlsx")
    assert doc["annotated"] == str(tmp_path / "check.批注.xlsx")
    assert doc["register"] == str(db)


def test_validate_all_compliant_exits_0(tmp_path: Path) -> None:
    book = compliant_workbook(tmp_path / "units.xlsx")
    result = run_cli("validate-enrollment", book, *common(tmp_path / "reg.sqlite3"), "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert [(u["unit_code"], u["status"], u["eligible"], u["ratio"]) for u in doc["units"]] == [
        ("U1", "compliant", 3, 1.0),
        ("U3", "compliant", 24, 0.8),
    ]
    assert doc["member_issues"] == []


def test_validate_summary_without_json(tmp_path: Path) -> None:
    book = mixed_workbook(tmp_path / "units.xlsx")
    result = run_cli(
        "validate-enrollment", book, *common(tmp_path / "reg.sqlite3"), "--out", "check.xlsx"
    )
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "需要处理的单位"
    assert lines[1].split() == [
        "U2",
        "单位U2",
        "不合格",
        "31",
        "40",
        "77.5%",
        "1人",
        "3100",
        "参保人数不足",  # L170: the reason in words
    ]
    assert lines[2] == "单位 2 个：合格 1，不合格 1，无效 0；问题 3 条，提示 0 条。"
    assert lines[3] == "报告：check.xlsx"
    # progress goes to stderr, one line a stage, when stderr is not a terminal (README)
    assert [line.split()[1] for line in result.stderr.splitlines()] == ["read", "check", "write"]


def test_validate_does_not_create_the_register(tmp_path: Path) -> None:
    book = mixed_workbook(tmp_path / "units.xlsx")
    db = tmp_path / "sub" / "reg.sqlite3"
    result = run_cli("validate-enrollment", book, *common(db), "--json")
    assert result.exit_code == 1
    assert not db.exists()
    assert not db.parent.exists()
    assert not Path(str(db) + "-wal").exists()


# On PostgreSQL too (@both_backends): the tests that read back what enroll recorded or
# left alone; the others look at reports and messages, the same on either back end.
@both_backends
def test_validate_does_not_write_to_an_existing_register(tmp_path: Path, register_db: Path) -> None:
    db = register_db
    assert run_cli("enroll", compliant_workbook(tmp_path / "a.xlsx"), *common(db)).exit_code == 0
    before = {t: table_rows(db, t) for t in ("runs", "units", "contracts", "spells")}
    result = run_cli("validate-enrollment", mixed_workbook(tmp_path / "b.xlsx"), *common(db))
    assert result.exit_code == 1
    assert {t: table_rows(db, t) for t in before} == before


# ---------------------------------------------------------------- enroll


@both_backends
def test_enroll_records_compliant_units_only(tmp_path: Path, register_db: Path) -> None:
    book = mixed_workbook(tmp_path / "units.xlsx")
    db = register_db
    result = run_cli("enroll", book, *common(db), "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    run_id = doc["run_id"]
    assert re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{6}", run_id)
    assert table_rows(db, "units") == [("U1", "单位U1", "王芳", "13800000000", run_id)]
    assert table_rows(db, "contracts") == [
        # contract_no generated as unit-YYYYMMDD; term 2026-01-01..2026-12-31 (D3)
        # then (migration 3) imported = 0 and the received day (D5)
        (
            "U1-20260101",
            "U1",
            "2026-01-01",
            "2026-12-31",
            1,
            "2018-95",
            3,
            3,
            300,
            240,
            60,
            run_id,
            0,
            "2026-01-01",
        )
    ]
    assert table_rows(db, "spells") == [
        (
            ident(n),
            "U1-20260101",
            f"职工{n}",
            "U1",
            "2026-01-01",  # spell_start
            "2026-01-01",  # term_start
            "2026-12-31",  # term_end
            1,  # first_time
            "2018-95",
            run_id,
        )
        for n in range(3)
    ]
    runs = table_rows(db, "runs")
    assert len(runs) == 1
    assert runs[0][:2] == (run_id, "enroll")
    assert runs[0][4] == AS_OF
    assert json.loads(runs[0][8]) == {
        "units": 2,
        "compliant": 1,
        "contracts_added": 1,
        "spells_added": 3,
        "imported": False,
        "received_default": AS_OF,  # D5: no batch, so the as-of day
    }


def test_enroll_summary_says_what_was_recorded(tmp_path: Path) -> None:
    book = mixed_workbook(tmp_path / "units.xlsx")
    result = run_cli("enroll", book, *common(tmp_path / "reg.sqlite3"), "--lang", "en")
    assert result.exit_code == 1
    recorded = [line for line in result.stdout.splitlines() if line.startswith("Recorded:")]
    assert len(recorded) == 1
    assert recorded[0].startswith("Recorded: 1 contracts, 3 members (run ")


@both_backends
def test_enrolling_the_same_file_twice_changes_nothing(tmp_path: Path, register_db: Path) -> None:
    book = mixed_workbook(tmp_path / "units.xlsx")
    db = register_db
    assert run_cli("enroll", book, *common(db)).exit_code == 1
    tables = ("units", "contracts", "spells", "decisions", "voids")
    before = {t: table_rows(db, t) for t in tables}
    runs_before = count(db, "runs")

    again = run_cli("enroll", book, *common(db), "--json")
    assert again.exit_code == 1
    doc = json.loads(again.stdout)
    # U1 is still compliant: the same contract, not an overlap; it adds nobody, so it bills
    # nothing again (L110: a roster for a running contract bills only what it adds)
    billed_nothing = {**U1, "contribution_total": 0, "unit_share": 0, "individual_share": 0}
    assert doc["units"] == [billed_nothing, U2]
    assert {t: table_rows(db, t) for t in tables} == before
    assert count(db, "runs") == runs_before + 1  # every run is recorded, nothing else
    third = run_cli("enroll", book, *common(db), "--lang", "en")
    assert "Recorded: 0 contracts, 0 members" in third.stdout


def test_register_is_created_owner_only(tmp_path: Path) -> None:
    db = tmp_path / "reg.sqlite3"
    assert run_cli("enroll", compliant_workbook(tmp_path / "u.xlsx"), *common(db)).exit_code == 0
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    with db.open("rb") as fh:
        assert fh.read(16) == b"SQLite format 3\x00"


# ---------------------------------------------------------------- workbooks handed back


def test_report_and_annotated_copy_are_written(tmp_path: Path) -> None:
    book = mixed_workbook(tmp_path / "units.xlsx")
    result = run_cli("enroll", book, *common(tmp_path / "reg.sqlite3"), "--json")
    doc = json.loads(result.stdout)
    # default paths: next to the working folder, named after the input
    report, annotated = Path(doc["report"]), Path(doc["annotated"])
    assert report == tmp_path / "units.enroll.xlsx"
    assert annotated == tmp_path / "units.enroll.批注.xlsx"

    assert openpyxl.load_workbook(report, read_only=True).sheetnames == ["汇总", "单位", "问题明细"]
    units_sheet = rows_of(report, "单位")
    assert units_sheet[0][:8] == (
        "单位编码",
        "单位名称",
        "结果",
        "从业人员总数",
        "符合条件参保人数",
        "参保比例",
        "要求比例",
        "还需增加人数",
    )
    assert [(r[0], r[2], r[7]) for r in units_sheet[1:]] == [("U1", "合格", 0), ("U2", "不合格", 1)]
    issues = rows_of(report, "问题明细")
    assert issues[0] == ("工作表", "行号", "列", "单位编码", "身份证号", "代码", "级别", "说明")
    # every finding, units sheet included (the ratio), ids masked
    assert sorted((r[1], r[5], r[4]) for r in issues[1:]) == [
        (3, "RATIO_BELOW_MIN", None),
        (5, "INVALID_ID", masked(bad_checksum(3))),
        (37, "INELIGIBLE_TEMPORARY", masked(ident(41))),
    ]

    assert openpyxl.load_workbook(annotated, read_only=True).sheetnames == ["参保单位", "参保职工"]
    units_copy = rows_of(annotated, "参保单位")
    assert units_copy[0] == (*UNIT_HEADERS, "审核结果", "问题说明")
    assert [r[0] for r in units_copy[1:]] == ["U1", "U2"]
    assert [r[-2] for r in units_copy[1:]] == ["合格", "不合格"]
    # E2: the shortfall, the figures from the parameters in force, and who can fill it
    assert units_copy[2][-1] == (
        "参保31人，从业人员40人：须达到全体从业人员的80%即32人（A1.3），还需增加1人；"
        "可由尚未参保的正式、合同职工或聘用期超过一年的临时职工补足"
    )
    members_copy = rows_of(annotated, "参保职工")
    assert members_copy[0] == (*MEMBER_HEADERS, "审核结果", "问题说明")
    data = members_copy[1:]
    assert len(data) == 36
    assert all(r[-2] for r in data)  # a result on every data row
    assert [r[1] for r in data[:4]] == [ident(0), ident(1), ident(2), bad_checksum(3)]
    assert [r[-2] for r in data[:3]] == ["通过"] * 3
    assert data[3][-1] == "身份证号无效（校验码不符）：请核对位数、校验码和出生日期"
    assert data[-1][-2] == "不符合参保条件"
    assert data[-1][-1] == "临时职工聘用期12个月，未超过一年，不属保障对象（A1.1）"
    assert [r[-1] for r in data[:3]] == [None] * 3


def test_annotated_copy_does_not_call_a_rejected_member_a_refused_payment(
    tmp_path: Path,
) -> None:
    book = mixed_workbook(tmp_path / "units.xlsx")
    run_cli("validate-enrollment", book, *common(tmp_path / "reg.sqlite3"), "--out", "c.xlsx")
    bad_row = rows_of(tmp_path / "c.批注.xlsx", "参保职工")[4]
    assert bad_row[1] == bad_checksum(3)
    assert bad_row[-2] not in ("拒付", "给付")


def test_issue_names_the_column_as_written(tmp_path: Path) -> None:
    book = mixed_workbook(tmp_path / "units.xlsx")
    run_cli("validate-enrollment", book, *common(tmp_path / "reg.sqlite3"), "--out", "c.xlsx")
    issues = rows_of(tmp_path / "c.xlsx", "问题明细")
    invalid = [r for r in issues[1:] if r[5] == "INVALID_ID"]
    assert [r[2] for r in invalid] == ["身份证号"]


def test_chinese_messages_have_no_english_words(tmp_path: Path) -> None:
    book = mixed_workbook(tmp_path / "units.xlsx")
    result = run_cli("validate-enrollment", book, *common(tmp_path / "reg.sqlite3"), "--json")
    messages = [i["message"] for i in json.loads(result.stdout)["member_issues"]]
    assert messages
    # clause ids (A1.1, E3 …) are the plan's own references, not English words
    words = [re.sub(r"\b[ADEL]\d+(\.\d+)?[a-z]?\b", "", m) for m in messages]
    assert [m for m in words if re.search("[A-Za-z]", m)] == []


def test_lang_en_gives_english_messages_and_sheet_names(tmp_path: Path) -> None:
    book = mixed_workbook(tmp_path / "units.xlsx")
    result = run_cli(
        "validate-enrollment",
        book,
        *common(tmp_path / "reg.sqlite3"),
        "--lang",
        "en",
        "--json",
        "--out",
        tmp_path / "check.xlsx",
    )
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["units"] == [U1, U2]  # codes and keys stay English in both languages
    assert [(i["code"], i["message"]) for i in by_row(doc["member_issues"])] == [
        (
            "INVALID_ID",
            "invalid id number (check digit does not match): check its length, check digit and birth date",
        ),
        (
            "INELIGIBLE_TEMPORARY",
            "temporary staff engaged for 12 months, not more than one year: not eligible (A1.1)",
        ),
    ]
    assert doc["annotated"] == str(tmp_path / "check.annotated.xlsx")
    report = tmp_path / "check.xlsx"
    assert openpyxl.load_workbook(report, read_only=True).sheetnames == [
        "Summary",
        "Units",
        "Issues",
    ]
    assert [(r[0], r[2]) for r in rows_of(report, "Units")[1:]] == [
        ("U1", "compliant"),
        ("U2", "non-compliant"),
    ]
    copy = rows_of(tmp_path / "check.annotated.xlsx", "参保职工")
    assert copy[0][-2:] == ("Check result", "What to fix")
    assert copy[1][-2] == "ok"


def test_lang_en_summary(tmp_path: Path) -> None:
    book = mixed_workbook(tmp_path / "units.xlsx")
    result = run_cli("validate-enrollment", book, *common(tmp_path / "reg.sqlite3"), "--lang", "en")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "Units that need action"
    assert lines[2] == "2 units: 1 compliant, 1 non-compliant, 0 invalid; 3 errors, 0 warnings."


def test_unmask_shows_full_ids(tmp_path: Path) -> None:
    book = mixed_workbook(tmp_path / "units.xlsx")
    result = run_cli(
        "validate-enrollment",
        book,
        *common(tmp_path / "reg.sqlite3"),
        "--json",
        "--unmask",
        "--out",
        "check.xlsx",
    )
    doc = json.loads(result.stdout)
    assert [i["id_number"] for i in by_row(doc["member_issues"])] == [
        bad_checksum(3),
        ident(41),
    ]
    ids = sorted(r[4] for r in rows_of(tmp_path / "check.xlsx", "问题明细")[1:] if r[4])
    assert ids == sorted([bad_checksum(3), ident(41)])


def test_masked_by_default_in_the_report(tmp_path: Path) -> None:
    book = mixed_workbook(tmp_path / "units.xlsx")
    run_cli("validate-enrollment", book, *common(tmp_path / "reg.sqlite3"), "--out", "c.xlsx")
    cells = [c for row in rows_of(tmp_path / "c.xlsx", "问题明细") for c in row]
    assert bad_checksum(3) not in cells
    assert ident(41) not in cells
    assert masked(ident(41)) in cells
