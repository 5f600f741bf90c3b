"""Each mistake a clerk makes gets the sentence that says what to do (issue 13).

The sentences are pinned: a wrong workbook names the command that takes it, a lock file is
named as one, a malformed or unknown id is answered with a sentence and the right exit
code, a usage error is Chinese in zh, and the claims whose fields are missing or unreadable
name the template's column.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from builders import make_id
from cli_workbooks import run_cli

from aidctl import api

SAMPLES = Path(__file__).resolve().parents[1] / "sample_data"
AS_OF = "2026-11-28"


def test_claims_workbook_given_to_enroll_names_adjudicate(tmp_path: Path) -> None:
    """L177: a claims workbook given to enroll is told which command takes it."""
    book = SAMPLES / "claims.xlsx"
    result = run_cli("enroll", book, "--db", tmp_path / "r.sqlite3", "--as-of", AS_OF)
    assert result.exit_code == 2
    assert result.stderr == (
        f"aidctl: {book} 是理赔申请表（理赔申请）：请用 `aidctl adjudicate` 审核。\n"
    )
    assert not (tmp_path / "r.sqlite3").exists()


def test_units_workbook_given_to_adjudicate_names_enroll(tmp_path: Path) -> None:
    """L177: the reverse, in English too."""
    book = SAMPLES / "units.xlsx"
    db = tmp_path / "r.sqlite3"
    result = run_cli("adjudicate", book, "--db", db, "--as-of", AS_OF, "--lang", "en")
    assert result.exit_code == 2
    assert result.stderr == (
        f"aidctl: {book} is a units workbook (参保单位/参保职工): check it with "
        "`aidctl validate-enrollment` or record it with `aidctl enroll`.\n"
    )


def test_a_right_workbook_is_not_called_wrong(tmp_path: Path) -> None:
    """L177, the other side: the right kind, or a file that is neither, gets no advice."""
    assert api.wrong_command(SAMPLES / "units.xlsx", "units") is None
    assert api.wrong_command(SAMPLES / "claims.xlsx", "claims") is None
    assert api.wrong_command(tmp_path / "missing.xlsx", "units") is None


def test_lock_file_given_as_input_is_named_as_one(tmp_path: Path) -> None:
    """L178: `~$单位.xlsx` is the lock file of an open workbook, not a damaged file."""
    lock = tmp_path / "~$单位.xlsx"
    shutil.copy(SAMPLES / "units.xlsx", lock)
    result = run_cli("validate-enrollment", lock, "--db", tmp_path / "r.sqlite3")
    assert result.exit_code == 2
    assert result.stderr == (
        f"aidctl: {lock} 是 单位.xlsx 在 Excel/WPS 中打开时生成的锁定文件，不是工作簿："
        "请先在 Excel/WPS 中关闭 单位.xlsx，再使用 单位.xlsx 本身。\n"
    )


@pytest.mark.parametrize("lock_name", ["~$单位.xlsx", ".~lock.单位.xlsx#"])
def test_batch_leaves_an_open_workbook_for_the_next_run(tmp_path: Path, lock_name: str) -> None:
    """L178: with the lock file of Excel/WPS (or LibreOffice) beside it, the workbook is
    left in the inbox and the batch says so; without it, nothing is said."""
    book = tmp_path / "单位.xlsx"
    shutil.copy(SAMPLES / "units.xlsx", book)
    assert api.open_elsewhere(book) is None
    (tmp_path / lock_name).write_bytes(b"")
    found = api.open_elsewhere(book)
    assert found is not None
    assert found.message("zh") == (
        f"单位.xlsx 正在 Excel/WPS 中打开（有锁定文件 {lock_name}）：本次未处理，留在收件箱待下次"
        "运行；请先在 Excel/WPS 中关闭 单位.xlsx。"
    )


def test_batch_run_skips_the_open_workbook(tmp_path: Path) -> None:
    """L178 in the batch itself: the open workbook stays in the inbox, untouched."""
    ws = tmp_path / "ws"
    assert run_cli("init", ws).exit_code == 0
    book = ws / "inbox" / "01-units.xlsx"
    shutil.copy(SAMPLES / "units.xlsx", book)
    (ws / "inbox" / "~$01-units.xlsx").write_bytes(b"")
    result = run_cli("batch", "run", "--config", ws / "aidctl.toml", "--as-of", AS_OF)
    assert result.exit_code in (0, 1), result.output
    assert book.exists()
    assert "01-units.xlsx 正在 Excel/WPS 中打开" in result.output + result.stderr


def test_history_of_a_malformed_id_says_what_is_wrong(tmp_path: Path) -> None:
    """L174: a 17-digit id is not looked up (no empty tables, exit 2)."""
    result = run_cli("history", "32070319981210017", "--db", tmp_path / "r.sqlite3")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "aidctl: “32070319981210017”不是有效的身份证号（位数不对，应为18位）："
        "请按身份证输入18位身份证号。\n"
    )


@pytest.fixture(scope="module")
def register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("mistakes") / "r.sqlite3"
    for book in ("units_2025.xlsx", "units.xlsx"):
        out = db.parent / f"{book}.out.xlsx"
        result = run_cli("enroll", SAMPLES / book, "--db", db, "--as-of", AS_OF, "--out", out)
        assert result.exit_code in (0, 1), result.output
    return db


def test_history_of_an_unknown_person_says_never_registered(register: Path) -> None:
    """L174: a valid id the register does not know: a sentence and exit 1."""
    stranger = make_id(997, "110101", "19900307")
    result = run_cli("history", stranger, "--db", register)
    assert result.exit_code == 1
    assert result.stdout.startswith(
        f"登记库中没有身份证号 {stranger} 的参保或理赔记录：此人从未登记参保。"
    )


def test_history_of_a_known_person_exits_0(register: Path) -> None:
    """L174, the other side: a member of the register is listed, exit 0."""
    result = run_cli("history", "320703199812100174", "--db", register)
    assert result.exit_code == 0
    assert "保障记录" in result.stdout


def test_explain_of_an_id_number_points_to_history(register: Path) -> None:
    """L174: an id number typed where the claim id belongs."""
    result = run_cli("explain", "320703199812100174", "--db", register)
    assert result.exit_code == 2
    assert result.stderr == (
        "aidctl: 320703199812100174 是身份证号，不是理赔编号：用 `aidctl history "
        "320703199812100174` 可列出此人的理赔及其编号。\n"
    )


def test_explain_of_an_unknown_claim_is_a_sentence(register: Path) -> None:
    """L174: an unknown claim id: a sentence naming the register, exit 2."""
    result = run_cli("explain", "LP-NONE", "--db", register)
    assert result.exit_code == 2
    assert "没有理赔编号 LP-NONE" in result.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["explain", "--foo", "x"],
            "aidctl: 命令 aidctl explain 没有选项 --foo；请用 `aidctl explain --help` 查看可用选项。\n",
        ),
        (
            ["explain"],
            "aidctl: 命令 aidctl explain 缺少理赔编号；请用 `aidctl explain --help` 查看用法和示例。\n",
        ),
        (
            ["runs", "--limit", "abc"],
            "aidctl: 选项 --limit 的值无法识别；请按 `aidctl runs --help` 所示填写。\n",
        ),
        (["frob"], "aidctl: 没有命令 frob；请用 `aidctl --help` 查看可用命令。\n"),
    ],
)
def test_usage_errors_are_chinese(args: list[str], said: str) -> None:
    """L175: no English click error in zh; exit 2."""
    result = run_cli(*args)
    assert result.exit_code == 2
    assert result.stderr == said


def test_usage_errors_in_english_keep_clicks_words() -> None:
    """L175, the other side: --lang en keeps the English text, with where to look."""
    result = run_cli("explain", "--lang", "en", "--foo")
    assert result.exit_code == 2
    assert result.stderr == "aidctl: No such option: --foo See `aidctl explain --help`.\n"


@pytest.mark.parametrize("command", ["explain", "history", "payments", "runs", "report"])
def test_every_command_takes_as_of_and_lang(command: str) -> None:
    """L175: the global options are accepted with the same names (no usage error)."""
    result = run_cli(command, "--help")
    assert result.exit_code == 0
    for option in ("--as-of", "--lang", "--db"):
        assert option in result.stdout, (command, option)


@pytest.fixture(scope="module")
def pending(register: Path) -> dict[str, str]:
    """The sample claims decided as a dry run: claim id -> sentence."""
    result = run_cli(
        "adjudicate",
        SAMPLES / "claims.xlsx",
        "--db",
        register,
        "--as-of",
        AS_OF,
        "--dry-run",
        "--json",
        "--out",
        register.parent / "c.xlsx",
    )
    import json

    return {c["claim_id"]: c["message"] for c in json.loads(result.stdout)["claims"]}


@pytest.mark.parametrize(
    ("claim_id", "sentence"),
    [
        ("LP20260127", "以下必填项为空：姓名；请填写后重新提交"),
        ("LP20260307", "以下必填项为空：伤残等级；请填写后重新提交"),
        ("LP20260311", "以下必填项为空：确诊日期；请填写后重新提交"),
        ("LP20260276", "以下栏目无法识别：事故日期；请按模板的格式更正后重新提交"),
        (
            "LP20260313",
            "以下栏目无法识别：死亡日期（早于事故日期）；请按模板的格式更正后重新提交",
        ),
    ],
)
def test_missing_and_unreadable_fields_are_named(
    pending: dict[str, str], claim_id: str, sentence: str
) -> None:
    """L176 (L1, L16, L73): the column as the template heads it, not a key."""
    assert pending[claim_id] == sentence


def test_ambiguous_disease_says_what_to_write(pending: dict[str, str]) -> None:
    """L176 (D10): the candidates, what is missing, the code to write."""
    assert pending["LP20260129"] == (
        "诊断可能是C1-07 脑中风死亡或所致永久性功能障碍（缺少：病种请写明脑中风是否导致死亡或"
        "永久性功能障碍，或填写 C1-07）；请按病历在“病种”栏写明，或在“诊断编码”栏填写病种代码后"
        "重新提交"
    )
