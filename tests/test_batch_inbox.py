"""The inbox an operator can trust (issue 10.5) and money counted from the register (10.3).

Why these tests: anyone who can drop a file into the inbox chooses its name and its kind.
A symlink must not make the batch read (and pay) a file outside the workspace; a newline
or ESC in a name must not forge lines of the log; a name in GBK bytes must go through
every step (log, why.txt, register, reports). And the money a batch reports is read from
the register, per run and file, so a file sent again after the archive was rotated, or the
same bytes as .xlsm, is never counted twice, and a killed run's files still show (L141).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from test_batch import (
    CLAIMS,
    EXPECTED_DECISIONS,
    EXPECTED_TOTAL,
    LIVE,
    PERIOD,
    UNITS,
    batch,
    batch_process,
    claims_book,
    config,
    files_in,
    killed,
    query,
    units_book,
    workspace,
)
from typer.testing import CliRunner

from aidctl.batch.names import shown_name
from aidctl.cli import app

pytestmark = pytest.mark.usefixtures("clerk_env")  # tests/conftest.py


def test_shown_name_escapes_control_characters_and_non_utf8_bytes_l141() -> None:
    """L141: printable names are kept; control characters and GBK bytes are escaped once."""
    assert shown_name("01-units.xlsx") == "01-units.xlsx"
    assert shown_name("理赔 十一月.xlsx") == "理赔 十一月.xlsx"  # printable text is left alone
    assert shown_name("a\nb\x1b[31m.xlsx") == "a\\nb\\x1b[31m.xlsx"
    gbk = os.fsdecode("理赔".encode("gbk") + b".xlsx")
    assert shown_name(gbk) == "\\xc0\\xed\\xc5\\xe2.xlsx"
    assert shown_name(shown_name(gbk)) == shown_name(gbk)  # taken under it once


def test_a_symlink_is_moved_to_rejected_unread_and_its_target_is_untouched_l141(
    tmp_path: Path,
) -> None:
    """L141: the link itself goes to rejected/; what it points at is never read or paid."""
    outside = tmp_path / "outside"
    outside.mkdir()
    target = claims_book(outside / "claims.xlsx")
    before = target.read_bytes()
    ws = workspace(tmp_path / "ws", claims=False)
    (ws / "inbox" / "02-claims.xlsx").symlink_to(target)
    res = batch(ws, "--lang", "en")
    assert res.exit_code == 1, res.output  # the operator must act
    rejected = ws / "inbox" / "rejected"
    assert files_in(rejected) == ["02-claims.xlsx", "02-claims.xlsx.why.txt"]
    assert (rejected / "02-claims.xlsx").is_symlink()  # the link itself, not a copy
    assert target.read_bytes() == before
    assert "not a regular file" in (rejected / "02-claims.xlsx.why.txt").read_text("utf-8")
    assert query(ws, "SELECT count(*) FROM decisions") == [(0,)]  # nothing paid through it
    assert query(ws, "SELECT name FROM batch_files") == [(UNITS,)]


def test_a_fifo_and_a_folder_are_moved_to_rejected_without_blocking_l141(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    os.mkfifo(ws / "inbox" / "03-pipe.xlsx")  # reading it would block the batch for ever
    (ws / "inbox" / "04-folder").mkdir()
    res = batch(ws, "--lang", "en")
    assert res.exit_code == 1, res.output
    assert files_in(ws / "inbox" / "rejected") == [
        "03-pipe.xlsx",
        "03-pipe.xlsx.why.txt",
        "04-folder",
        "04-folder.why.txt",
    ]
    assert query(ws, LIVE) == EXPECTED_DECISIONS  # the good files were processed


def test_a_newline_or_esc_in_a_name_cannot_forge_log_lines_l141(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws", units=False, claims=False)
    forged = "01-units\x1b[2K\n2026-11-28T06:00:00 02-claims: claims done.xlsx"
    units_book(ws / "inbox" / forged)
    res = batch(ws)
    assert res.exit_code == 0, res.output
    log = (ws / "aidctl.log").read_text(encoding="utf-8")
    assert "\x1b" not in log and "\x1b" not in res.stdout
    assert not any(line.startswith("2026-11-28T06:00:00 02-claims") for line in log.splitlines())
    assert not any(line.startswith("2026-11-28T06:00:00") for line in res.stdout.splitlines())
    shown = shown_name(forged)
    assert f"{shown}: units done" in log
    assert query(ws, "SELECT name FROM batch_files") == [(shown,)]


def test_a_gbk_name_is_handled_end_to_end_including_why_txt_l141(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws", units=False, claims=False)
    inbox = os.fsencode(ws / "inbox")
    good = os.fsdecode("参保".encode("gbk") + b".xlsx")
    bad = os.fsdecode("垃圾".encode("gbk") + b".xlsx")
    units_book(Path(os.fsdecode(inbox)) / good)
    (Path(os.fsdecode(inbox)) / bad).write_bytes(b"not a workbook")
    res = batch(ws)
    assert res.exit_code == 1, res.output  # the garbage file: the operator must act
    assert query(ws, "SELECT name, outcome FROM batch_files") == [(shown_name(good), "done")]
    rejected = ws / "inbox" / "rejected"
    assert files_in(rejected) == [shown_name(bad), f"{shown_name(bad)}.why.txt"]
    why = (rejected / f"{shown_name(bad)}.why.txt").read_text(encoding="utf-8")
    assert len(why.strip().splitlines()) == 1
    names = files_in(ws / "outbox" / PERIOD)
    assert f"{shown_name(good)[:-5]}.enroll.xlsx" in names


# ---------------------------------------------------------------- 10.3: money from the register


def status_amounts(ws: Path) -> list[int]:
    res = CliRunner().invoke(app, ["batch", "status", "--config", str(config(ws)), "--json"])
    assert res.exit_code == 0, res.output
    return [int(r["counts"].get("amount", 0)) for r in json.loads(res.stdout)]


def test_a_file_sent_again_after_the_archive_was_rotated_is_counted_once(
    tmp_path: Path,
) -> None:
    """10.3: three runs see the same claims (re-added, then as .xlsm): paid once."""
    ws = workspace(tmp_path / "ws")
    keep = tmp_path / "claims.xlsx"
    shutil.copy2(ws / "inbox" / CLAIMS, keep)
    assert batch(ws).exit_code == 0
    shutil.rmtree(ws / "archive")  # the operator rotated the archive
    (ws / "archive").mkdir()
    shutil.copy2(keep, ws / "inbox" / CLAIMS)
    second = batch(ws, "--json")
    assert second.exit_code == 0, second.output
    shutil.copy2(keep, ws / "inbox" / "02-claims.xlsm")  # the same bytes, another suffix
    third = batch(ws, "--json")
    assert third.exit_code == 0, third.output
    assert [json.loads(r.stdout)["amount"] for r in (second, third)] == [0, 0]
    assert sorted(status_amounts(ws)) == [0, 0, EXPECTED_TOTAL]
    assert query(ws, "SELECT sum(amount) FROM decisions") == [(EXPECTED_TOTAL,)]


def test_a_killed_runs_files_show_in_batch_status_and_are_not_counted_again(
    tmp_path: Path,
) -> None:
    """10.3: the run killed after committing the claims still shows its money; the rerun
    that archives the file adds nothing."""
    ws = workspace(tmp_path / "ws")
    killed(batch_process(ws, "after_commit"))  # killed after the units file committed
    assert batch(ws).exit_code == 0
    res = CliRunner().invoke(app, ["batch", "status", "--config", str(config(ws)), "--json"])
    runs = json.loads(res.stdout)
    by_finished = {bool(r["finished_at"]): r["counts"] for r in runs}
    assert by_finished[False]["files"] == 1  # the killed run: its units file, from the register
    assert sum(status_amounts(ws)) == EXPECTED_TOTAL


def test_voids_are_counted_in_the_month_and_against_the_run_that_paid(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    assert batch(ws).exit_code == 0
    db = str(ws / "register.sqlite3")
    voided = CliRunner().invoke(
        app, ["void", "I2", "--reason", "重复申请", "--db", db, "--as-of", "2026-11-29"]
    )
    assert voided.exit_code == 0, voided.output
    res = batch(ws, "--json")
    doc = json.loads(res.stdout)
    assert doc["month"]["voids"] == 1
    assert doc["month"]["net_paid"] == EXPECTED_TOTAL - 5000  # = the payments export
    status = CliRunner().invoke(app, ["batch", "status", "--config", str(config(ws)), "--json"])
    assert sum(r["counts"]["voided"] for r in json.loads(status.stdout)) == 5000
