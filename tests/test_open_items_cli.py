"""`aidctl pending`, `withdraw`, `reopen` and `explain` of an open item on the command line:
Chinese by default, `--lang en`, `--json`, the worklist workbook (L130, L133, L134, L136)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from items_helpers import adjudicate, enrol, month_claims
from typer.testing import CliRunner, Result

from aidctl.cli import app

pytestmark = pytest.mark.usefixtures("clerk_env")  # tests/conftest.py


@pytest.fixture
def db(tmp_path: Path) -> str:
    location = str(tmp_path / "reg.sqlite3")
    enrol(tmp_path, location)
    adjudicate(tmp_path, location, month_claims(), "2026-06-01", "june")
    return location


def cli(*args: str) -> Result:
    return CliRunner().invoke(app, [str(a) for a in args])


def test_l130_l136_pending_lists_the_worklist_in_chinese_english_and_json(
    tmp_path: Path, db: str
) -> None:
    """L130: the list, oldest first, what to fix; L136: --older-than; --out the workbook."""
    zh = cli("pending", "--db", db, "--as-of", "2026-07-01")
    assert zh.exit_code == 0, zh.output
    assert zh.stdout.splitlines()[-1] == "待处理 3 件。"
    assert "无法识别诊断“头疼”" in zh.stdout
    en = cli("pending", "--db", db, "--as-of", "2026-06-30", "--older-than", "30d", "--lang", "en")
    assert en.exit_code == 0 and en.stdout.splitlines()[-1] == "0 open items."
    out = tmp_path / "worklist.xlsx"
    doc_run = cli(
        "pending", "--db", db, "--as-of", "2026-07-01", "--unit", "U001", "--json", "--out", out
    )
    assert doc_run.exit_code == 0, doc_run.output
    doc = json.loads(doc_run.stdout)
    assert (doc["open"], doc["unit"], doc["report"]) == (3, "U001", str(out))
    first = doc["items"][0]
    assert (first["claim_id"], first["age_days"], first["opened_on"]) == ("LP2", 30, "2026-06-01")
    assert "*" in first["id_number"]  # masked unless --unmask
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "待处理"]
    sheet = list(wb["待处理"].iter_rows(values_only=True))
    assert sheet[0][:4] == ("已等待天数", "单位编码", "单位名称", "理赔编号")
    assert [r[3] for r in sheet[1:]] == ["LP2", "LP3", "LP4"]
    bad = cli("pending", "--db", db, "--older-than", "soon")
    assert bad.exit_code == 2 and "--older-than" in bad.stderr


def test_l133_l134_withdraw_reopen_and_explain_on_the_command_line(db: str) -> None:
    """L133: withdraw closes an item and says so; L134: reopen a rejection; explain shows
    an open item and a closed one, in Chinese and English."""
    item = cli("explain", "LP2", "--db", db, "--lang", "en")
    assert item.exit_code == 0, item.output
    lines = item.stdout.splitlines()
    assert lines[0].startswith("Claim LP2: open item (since 2026-06-01, run ")
    assert lines[1] == "     diagnosis not recognised [A3.1;D10]"  # in words (L170)
    done = cli("withdraw", "LP2", "--reason", "单位撤回", "--db", db, "--as-of", "2026-06-03")
    assert done.exit_code == 0, done.output
    assert done.stdout.startswith("已撤回待处理理赔 LP2（诊断无法识别，自 2026-06-01 起待处理）")
    closed = cli("explain", "LP2", "--db", db)
    assert "已关闭（已撤回，2026-06-03" in closed.stdout and "单位撤回" in closed.stdout
    again = cli("withdraw", "LP2", "--reason", "x", "--db", db, "--lang", "en")
    assert again.exit_code == 2 and "is not pending" in again.stderr
    reopened = cli("reopen", "LP5", "--reason", "roster came", "--db", db, "--lang", "en", "--json")
    assert reopened.exit_code == 0, reopened.output
    assert json.loads(reopened.stdout)["reason_code"] == "NO_COVERAGE"
    paid = cli("reopen", "LP1", "--reason", "x", "--db", db)
    assert paid.exit_code == 2 and "aidctl void" in paid.stderr
    shown = cli("explain", "LP5", "--db", db)
    assert "已重新打开（运行 " in shown.stdout and "roster came" in shown.stdout


def test_l133_l134_withdraw_and_reopen_say_their_sentence_in_each_language(
    tmp_path: Path, db: str
) -> None:
    """withdraw and reopen share one body in cli/items.py: each still says its own sentence,
    in Chinese and in English, prints its outcome with --json, and a refusal is exit 2."""
    from aidctl import api

    en = cli("withdraw", "LP2", "--reason", "unit withdrew", "--db", db, "--lang", "en")
    assert en.exit_code == 0, en.output
    assert en.stdout.startswith(
        "Withdrew pending claim LP2 (diagnosis not recognised, open since 2026-06-01), run "
    )
    doc_run = cli("withdraw", "LP3", "--reason", "x", "--db", db, "--json")
    assert doc_run.exit_code == 0, doc_run.output
    doc = json.loads(doc_run.stdout)
    assert doc["claim_id"] == "LP3" and doc["withdraw_run"]
    gone = cli("withdraw", "LP3", "--reason", "x", "--db", db)
    assert gone.exit_code == 2 and gone.stdout == ""
    zh = cli("reopen", "LP5", "--reason", "名册已补登", "--db", db)
    assert zh.exit_code == 0, zh.output
    why = api.reason_word("NO_COVERAGE", "zh")
    assert zh.stdout.startswith(f"已重新打开理赔 LP5（原拒付：{why}），运行 ")
    assert zh.stdout.rstrip().endswith("；请重新提交该理赔行。")
    twice = cli("reopen", "LP5", "--reason", "x", "--db", db, "--lang", "en")
    assert twice.exit_code == 2 and twice.stdout == ""
    other = str(tmp_path / "other.sqlite3")
    enrol(tmp_path, other)
    adjudicate(tmp_path, other, month_claims(), "2026-06-01", "other")
    en_reopen = cli("reopen", "LP5", "--reason", "roster came", "--db", other, "--lang", "en")
    assert en_reopen.exit_code == 0, en_reopen.output
    why_en = api.reason_word("NO_COVERAGE", "en")
    assert en_reopen.stdout.startswith(f"Reopened claim LP5 (rejected: {why_en}), run ")
    assert en_reopen.stdout.rstrip().endswith("; send its row again.")
