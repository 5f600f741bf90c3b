"""Input the command cannot use: exit 2, one sentence on stderr, the register untouched.

Why these tests: formats.md promises that a command that cannot run (missing file, unreadable
sheet, missing required column, bad option) exits 2 "with one clear message and nothing
written to the register". Clerks send renamed text files, half-filled sheets and ids typed as
numbers; an operator may point `--db` at the wrong file. Each case is checked for the exit
code, the single line on stderr (no traceback) and a register identical before and after —
both its SQL dump and its bytes. Problems in single rows are the other half: they are
findings, and the rest of the workbook still goes through.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cli_workbooks import (
    CLAIM_HEADERS,
    MEMBER_HEADERS,
    UNIT_HEADERS,
    claim,
    common,
    dump,
    file_bytes,
    ident,
    member,
    members,
    run_cli,
    table_rows,
    unit,
    write_claims_workbook,
    write_sheets,
    write_units_workbook,
)
from typer.testing import Result


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Default report paths land in the working folder: keep them in the test's folder."""
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A register with one enrolled unit (U1, members ident(0..2))."""
    path = tmp_path / "reg.sqlite3"
    book = write_units_workbook(tmp_path / "good.xlsx", [unit("U1", 3)], members("U1", 0, 3))
    assert run_cli("enroll", book, *common(path)).exit_code == 0
    return path


# Progress lines (README: "when stderr is not a terminal, each stage prints one line").
PROGRESS = re.compile(r"aidctl: (read|check|decide|record|write) \d+(\.\d+)?s\b.*")


def error_line(result: Result) -> str:
    """The one sentence a refused command prints, after checking it is the only one."""
    assert result.exit_code == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    assert result.stdout == ""
    lines = [line for line in result.stderr.splitlines() if not PROGRESS.fullmatch(line)]
    assert len(lines) == 1, result.stderr
    assert result.stderr.endswith(lines[0] + "\n")  # and it is the last thing said
    return lines[0]


def snapshot(db: Path) -> tuple[list[str], dict[str, bytes | None]]:
    return dump(db), file_bytes(db)


# ---------------------------------------------------------------- files and options

Case = Callable[[Path], tuple[list[Any], str]]


def _missing_file(command: str) -> Case:
    def build(tmp: Path) -> tuple[list[Any], str]:
        path = tmp / "nope.xlsx"
        return (
            [command, path, "--lang", "en"],
            f"aidctl: The file {path} does not exist.",
        )

    return build


def _text_renamed(command: str) -> Case:
    def build(tmp: Path) -> tuple[list[Any], str]:
        path = tmp / "notes.xlsx"
        path.write_text("单位编码,单位名称\nU1,甲\n", encoding="utf-8")
        return (
            [command, path],
            f"aidctl: 无法读取表格文件 {path}：文件可能已损坏、加密，或实际格式与扩展名不符。",
        )

    return build


def _members_without_id(tmp: Path) -> tuple[list[Any], str]:
    headers = [h for h in MEMBER_HEADERS if h != "身份证号"]
    path = write_units_workbook(
        tmp / "u.xlsx", [unit("U1", 3)], members("U1", 0, 3), member_headers=headers
    )
    return (
        ["enroll", path],
        f"aidctl: {path} 的工作表“参保职工”缺少必填列：身份证号（id_number）。",
    )


def _units_without_staff(tmp: Path) -> tuple[list[Any], str]:
    headers = [h for h in UNIT_HEADERS if h != "从业人员总数"]
    path = write_units_workbook(
        tmp / "u.xlsx", [unit("U1", 3)], members("U1", 0, 3), unit_headers=headers
    )
    return (
        ["validate-enrollment", path, "--lang", "en"],
        f"aidctl: The sheet '参保单位' of {path} lacks the required column "
        "从业人员总数 (total_staff).",
    )


def _claims_without_type(tmp: Path) -> tuple[list[Any], str]:
    headers = [h for h in CLAIM_HEADERS if h != "申请类型"]
    path = write_claims_workbook(tmp / "c.xlsx", [claim("LP1", 0)], headers=headers)
    return (
        ["adjudicate", path],
        f"aidctl: {path} 的工作表“理赔申请”缺少必填列：申请类型（claim_type）。",
    )


def _empty_units_sheet(tmp: Path) -> tuple[list[Any], str]:
    path = write_sheets(tmp / "u.xlsx", {"参保单位": [], "参保职工": [MEMBER_HEADERS]})
    return (["enroll", path], f"aidctl: {path} 的工作表“参保单位”是空的。")


def _empty_claims_sheet(tmp: Path) -> tuple[list[Any], str]:
    path = write_sheets(tmp / "c.xlsx", {"理赔申请": []})
    return (["adjudicate", path], f"aidctl: {path} 的工作表“理赔申请”是空的。")


def _no_units_sheet(tmp: Path) -> tuple[list[Any], str]:
    path = write_sheets(tmp / "u.xlsx", {"Sheet1": [UNIT_HEADERS], "Sheet2": [MEMBER_HEADERS]})
    return (
        ["enroll", path],
        f"aidctl: {path} 中没有参保单位工作表，请将工作表命名为 units、参保单位、单位 之一。",
    )


def _bad_as_of(command: str) -> Case:
    def build(tmp: Path) -> tuple[list[Any], str]:
        if command == "adjudicate":
            path = write_claims_workbook(tmp / "c.xlsx", [claim("LP1", 0)])
        else:
            path = write_units_workbook(tmp / "u.xlsx", [unit("U1", 3)], members("U1", 0, 3))
        # a later --as-of wins over the one common() passes
        return (
            [command, path, "--as-of", "2026-13-01"],
            "aidctl: --as-of 需要形如 2026-11-28 的日期，而不是 '2026-13-01'。",
        )

    return build


def _bad_lang(tmp: Path) -> tuple[list[Any], str]:
    path = write_units_workbook(tmp / "u.xlsx", [unit("U1", 3)], members("U1", 0, 3))
    return (["enroll", path, "--lang", "fr"], "aidctl: --lang must be zh or en, not 'fr'.")


def _bad_policy_for_enroll(tmp: Path) -> tuple[list[Any], str]:
    path = write_units_workbook(tmp / "u.xlsx", [unit("U1", 3)], members("U1", 0, 3))
    policy = tmp / "policy.toml"
    policy.write_text("[[version]\nid = ", encoding="utf-8")
    return (["enroll", path, "--policy", policy], f"aidctl: 参数文件 {policy} 不是有效的 TOML：")


CASES: dict[str, Case] = {
    "missing file (enroll)": _missing_file("enroll"),
    "missing file (validate)": _missing_file("validate-enrollment"),
    "missing file (adjudicate)": _missing_file("adjudicate"),
    "text renamed .xlsx (enroll)": _text_renamed("enroll"),
    "text renamed .xlsx (adjudicate)": _text_renamed("adjudicate"),
    "members sheet lacks 身份证号": _members_without_id,
    "units sheet lacks 从业人员总数": _units_without_staff,
    "claims sheet lacks 申请类型": _claims_without_type,
    "empty units sheet": _empty_units_sheet,
    "empty claims sheet": _empty_claims_sheet,
    "no units sheet": _no_units_sheet,
    "bad --as-of (enroll)": _bad_as_of("enroll"),
    "bad --as-of (adjudicate)": _bad_as_of("adjudicate"),
    "--lang fr": _bad_lang,
    "bad policy TOML (enroll)": _bad_policy_for_enroll,
}


@pytest.mark.parametrize("case", list(CASES))
def test_refused_with_one_line_and_the_register_untouched(
    case: str, tmp_path: Path, db: Path
) -> None:
    args, expected = CASES[case](tmp_path)
    before = snapshot(db)
    command, *rest = args
    result = run_cli(command, *rest[:1], *common(db), *rest[1:])
    line = error_line(result)
    if expected.endswith("："):  # the parser's own words follow
        assert line.startswith(expected)
    else:
        assert line == expected
    assert snapshot(db) == before


def test_refusal_is_exactly_one_line_when_progress_is_quiet(tmp_path: Path, db: Path) -> None:
    """adjudicate reads the claims before it opens the register, so a progress line can
    precede the refusal; with AIDCTL_QUIET=1 the refusal is all there is."""
    book = write_claims_workbook(tmp_path / "c.xlsx", [claim("LP1", 0)])
    not_a_register = tmp_path / "notes.sqlite3"
    not_a_register.write_text("my notes\n", encoding="utf-8")
    result = run_cli("adjudicate", book, *common(not_a_register), env={"AIDCTL_QUIET": "1"})
    assert result.exit_code == 2
    assert result.stderr == (
        f"aidctl: 登记库 {not_a_register}：不是 aidctl 登记库（不是 SQLite 文件），未做任何改动。\n"
    )


def test_missing_file_is_said_in_chinese(tmp_path: Path, db: Path) -> None:
    path = tmp_path / "nope.xlsx"
    line = error_line(run_cli("enroll", path, *common(db)))
    assert line == f"aidctl: 文件 {path} 不存在。"


@pytest.mark.parametrize("command", ["enroll", "validate-enrollment", "adjudicate"])
def test_a_register_that_is_a_text_file_is_not_overwritten(command: str, tmp_path: Path) -> None:
    not_a_register = tmp_path / "notes.sqlite3"
    content = "客户名单\n张三 13800000000\n".encode()
    not_a_register.write_bytes(content)
    if command == "adjudicate":
        book = write_claims_workbook(tmp_path / "c.xlsx", [claim("LP1", 0)])
    else:
        book = write_units_workbook(tmp_path / "u.xlsx", [unit("U1", 3)], members("U1", 0, 3))
    line = error_line(run_cli(command, book, *common(not_a_register)))
    assert line == (
        f"aidctl: 登记库 {not_a_register}：不是 aidctl 登记库（不是 SQLite 文件），未做任何改动。"
    )
    assert not_a_register.read_bytes() == content
    assert not Path(str(not_a_register) + "-wal").exists()
    assert not Path(str(not_a_register) + "-journal").exists()


def test_policy_show_with_a_bad_toml(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("[[version]\nid = ", encoding="utf-8")
    line = error_line(run_cli("policy", "show", "--policy", policy))
    assert line.startswith(f"aidctl: 参数文件 {policy} 不是有效的 TOML：")
    en = error_line(run_cli("policy", "show", "--policy", policy, "--lang", "en"))
    assert en.startswith("aidctl: ")
    assert str(policy) in en


def test_policy_show_with_an_unknown_key(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text("colour = 1\n", encoding="utf-8")
    line = error_line(run_cli("policy", "show", "--policy", policy))
    assert line.startswith(f"aidctl: 参数文件 {policy} ")


# ---------------------------------------------------------------- sheets with no rows


def test_units_sheet_with_headers_and_no_rows_runs_with_nothing_to_do(
    tmp_path: Path, db: Path
) -> None:
    """Decided from the code: a sheet with a header row is readable, so the command runs
    (not exit 2); with no unit there is nothing to act on, so it exits 0."""
    book = write_sheets(
        tmp_path / "u.xlsx", {"参保单位": [UNIT_HEADERS], "参保职工": [MEMBER_HEADERS]}
    )
    before = snapshot(db)
    result = run_cli("validate-enrollment", book, *common(db), "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert (doc["units"], doc["member_issues"]) == ([], [])
    assert snapshot(db) == before

    contracts, spells = table_rows(db, "contracts"), table_rows(db, "spells")
    enrolled = run_cli("enroll", book, *common(db), "--json")
    assert enrolled.exit_code == 0
    assert json.loads(enrolled.stdout)["units"] == []
    assert (table_rows(db, "contracts"), table_rows(db, "spells")) == (contracts, spells)


def test_members_sheet_with_headers_only_leaves_units_short(tmp_path: Path) -> None:
    book = write_sheets(
        tmp_path / "u.xlsx",
        {
            "参保单位": [UNIT_HEADERS, ["U1", "甲公司", 3, "2026-01-01", "2026-01-01"]],
            "参保职工": [MEMBER_HEADERS],
        },
    )
    result = run_cli("validate-enrollment", book, *common(tmp_path / "r.sqlite3"), "--json")
    assert result.exit_code == 1
    [u] = json.loads(result.stdout)["units"]
    assert (u["status"], u["eligible"], u["shortfall"], u["reasons"]) == (
        "non_compliant",
        0,
        3,
        ["NOT_ALL_ENROLLED"],
    )


def test_claims_sheet_with_headers_and_no_rows(tmp_path: Path, db: Path) -> None:
    book = write_sheets(tmp_path / "c.xlsx", {"理赔申请": [CLAIM_HEADERS]})
    before = table_rows(db, "decisions")
    result = run_cli("adjudicate", book, *common(db), "--json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc["claims"] == []
    assert doc["totals"] == {"approved": 0, "rejected": 0, "pending": 0, "amount": 0}
    assert table_rows(db, "decisions") == before


# ---------------------------------------------------------------- row-level problems


def test_bad_rows_are_findings_and_the_other_rows_go_through(tmp_path: Path) -> None:
    db = tmp_path / "reg.sqlite3"
    number_id = int(ident(50))  # an id typed into a number cell: its last digits are lost
    rows = [
        member("U1", 0),  # row 2
        # row 3: garbage in every cell
        {
            "单位编码": "%%%",
            "身份证号": "garbage!!",
            "姓名": 12345,
            "用工性质": "外星人",
            "聘用期限（月）": "很多",
            "增员日期": "not a date",
        },
        member("U1", 1),  # row 4
        member("U1", 20, 身份证号="320705900101001"),  # row 5: an old 15-digit id
        member("U1", 2),  # row 6
        member("U1", 50, 身份证号=number_id),  # row 7: stored as a number
    ]
    book = write_units_workbook(tmp_path / "u.xlsx", [unit("U1", 3)], rows)
    result = run_cli("enroll", book, *common(db), "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    [u] = doc["units"]
    # the three good members are counted; the unit is compliant and recorded
    assert (u["status"], u["eligible"], u["total_staff"], u["contribution_total"]) == (
        "compliant",
        3,
        3,
        300,
    )
    issues = sorted((i["row"], i["code"]) for i in doc["member_issues"])
    assert issues == [
        (3, "INVALID_ID"),
        (3, "INVALID_VALUE"),
        (3, "INVALID_VALUE"),
        (3, "INVALID_VALUE"),
        (3, "UNKNOWN_UNIT"),
        (5, "INVALID_ID"),
        (7, "ID_STORED_AS_NUMBER"),
        (7, "INVALID_ID"),
    ]
    by_code = {(i["row"], i["code"]): i for i in doc["member_issues"]}
    assert by_code[(5, "INVALID_ID")]["id_number"] == "320**********01"
    stored = by_code[(7, "ID_STORED_AS_NUMBER")]
    assert stored["unit_code"] == "U1"
    assert stored["message"].startswith("“身份证号”列的身份证号“")
    assert stored["message"].endswith(
        "以数字格式保存，末尾几位可能已丢失；请把该列设为文本格式后重新录入。"
    )
    # the id read back is not the id typed (float64 lost digits): never guessed, never enrolled
    assert ident(50) not in {row[0] for row in table_rows(db, "spells")}
    assert sorted(row[0] for row in table_rows(db, "spells")) == [ident(0), ident(1), ident(2)]
