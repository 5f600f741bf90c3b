"""The month in the outbox (issue 11.6): summary, worklist, statements, stage lines.

Why these tests: the outbox is what the office works from after the run on the 1st. The
month summary must tell new decisions from claims sent again (already decided), count
voids and what was paid in the period exactly as the payments export does (L144); each
unit's statement must hold that unit's members only, ids masked (it leaves the office);
the worklist must show every open item with its age and what to fix; and the batch must
print the same stage lines as the single commands, so that cron's log shows where time
went.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from test_batch import (
    AS_OF,
    CLAIMS,
    EXPECTED_TOTAL,
    PERIOD,
    batch,
    claims_book,
    clean_env,
    config,
    workspace,
)

from aidctl.api.month import items_as_worklist
from aidctl.plan.params import load_policy
from aidctl.reports.month import write_worklist

pytestmark = pytest.mark.usefixtures("clerk_env")  # tests/conftest.py


def rows_of(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    return list(openpyxl.load_workbook(path)[sheet].iter_rows(values_only=True))


def test_month_summary_tells_new_decisions_from_claims_sent_again_l144(tmp_path: Path) -> None:
    """L144: new decisions vs ALREADY_DECIDED rows; net paid = the payments export."""
    ws = workspace(tmp_path / "ws")
    assert batch(ws).exit_code == 0
    again = claims_book(ws / "inbox" / "03-claims-again.xlsx")  # the same claims, a new file
    # ... with other bytes: written in the same second as the first, the workbook would be
    # byte for byte the first file, which the batch counts once (10.3), rightly
    book = openpyxl.load_workbook(again)
    book.properties.title = "sent again"
    book.save(again)
    res = batch(ws, "--json")
    assert res.exit_code == 0, res.output
    month = json.loads(res.stdout)["month"]
    assert {k: month[k] for k in ("new_approved", "new_rejected", "already_decided")} == {
        "new_approved": 4,
        "new_rejected": 1,
        "already_decided": 5,
    }
    assert (month["paid"], month["net_paid"], month["voids"]) == (EXPECTED_TOTAL, EXPECTED_TOTAL, 0)
    summary = rows_of(ws / "outbox" / PERIOD / f"month-{PERIOD}.xlsx", "月度汇总")
    figures = {r[0]: r[1] for r in summary if r and r[0]}
    assert figures["已决定过（重复提交）件数"] == 5
    assert figures["本月支付净额（与支付清单一致）"] == EXPECTED_TOTAL
    # the batch itself paid nothing new the second time: counted from the register
    assert json.loads(res.stdout)["amount"] == 0


def test_each_unit_gets_a_statement_of_its_own_members_ids_masked(tmp_path: Path) -> None:
    """L144: a unit with a claim decided gets its decisions and its pending rows."""
    ws = workspace(tmp_path / "ws", claims=False)
    claims_book(ws / "inbox" / CLAIMS, pending=True)
    assert batch(ws).exit_code == 0
    statement = ws / "outbox" / PERIOD / "statements" / "U001.xlsx"
    rows = rows_of(statement, "理赔结果")
    header, body = rows[0], rows[1:]
    claim_ids = sorted(r[header.index("理赔编号")] for r in body)
    assert claim_ids == ["A1", "A2", "I1", "I2", "P1", "R1"]  # the pending one with what to send
    ids = [r[header.index("身份证号")] for r in body]
    assert all("*" in i for i in ids)  # masked: the statement leaves the office
    reasons = {r[header.index("理赔编号")]: r[header.index("原因及需补充的材料")] for r in body}
    assert reasons["P1"]  # says what to send


def test_register_open_items_become_the_worklist_with_age_l130_l144(tmp_path: Path) -> None:
    """L130, L144: the register's open items frame, read as the worklist with its age."""
    items = pl.DataFrame(
        {
            "item_id": [1],
            "claim_id": ["P9"],
            "id_number": ["320706198001010011"],
            "name": ["职工011"],
            "unit_code": ["U001"],
            "claim_type": ["accident_disability"],
            "event_date": [dt.date(2026, 9, 1)],
            "disease_code": [None],
            "disability_grade": [5],
            "reason_code": ["TREATMENT_NOT_ENDED"],
            "clause": ["A5.3"],
            "detail": [None],
            "unit_name": ["甲公司"],
            "opened_on": [dt.date(2026, 10, 1)],
            "opened_run": ["r1"],
            "last_on": [dt.date(2026, 11, 1)],
            "last_run": ["r2"],
            "times_seen": [2],
        },
        schema_overrides={"disease_code": pl.Utf8, "detail": pl.Utf8},
    )
    work = items_as_worklist(items, dt.date(2026, 11, 28))
    assert work.select("claim_id", "age_days", "status").rows() == [("P9", 58, "pending")]
    path = write_worklist(
        tmp_path / "open.xlsx", work, pl.DataFrame(), load_policy().catalogue, [], "en", False
    )
    rows = rows_of(path, "Open items")
    assert rows[1][0] == 58 and "P9" in rows[1]
    assert any(isinstance(c, str) and "treatment" in c.lower() for c in rows[1])


def test_the_batch_prints_the_same_stage_lines_as_single_commands(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    env = {k: v for k, v in clean_env().items() if k != "AIDCTL_QUIET"}
    command = ["batch", "run", "--config", str(config(ws)), "--as-of", AS_OF]
    proc = subprocess.run(
        [sys.executable, "-m", "aidctl", *command],
        env=env,
        cwd=ws,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    stages = [line.split()[1] for line in proc.stderr.splitlines() if line.startswith("aidctl: ")]
    for stage in ("read", "check", "decide", "record", "write"):
        assert stage in stages, proc.stderr
    assert os.environ.get("AIDCTL_QUIET") == "1"  # the test's own setting is untouched


def test_a_statement_prints_one_page_wide_amounts_only_where_paid_l186(tmp_path: Path) -> None:
    """L186: a unit's statement prints one page wide, shows an amount only for a paid claim
    (a pending or rejected claim's 0元 read as "nothing due"), and not the register's path;
    L185: the month workbook's 按单位 sheet and the worklist name the unit beside its code."""
    ws = workspace(tmp_path / "ws", claims=False)
    claims_book(ws / "inbox" / CLAIMS, pending=True)
    assert batch(ws).exit_code == 0
    out = ws / "outbox" / PERIOD
    book = openpyxl.load_workbook(out / "statements" / "U001.xlsx")
    sheet = book["理赔结果"]
    assert sheet.page_setup.fitToWidth == 1
    rows = list(sheet.iter_rows(values_only=True))
    header, body = rows[0], rows[1:]
    amounts = {r[header.index("理赔编号")]: r[header.index("金额")] for r in body}
    status = {r[header.index("理赔编号")]: r[header.index("结果")] for r in body}
    assert amounts["P1"] is None and status["P1"] == "待补充"
    assert amounts["R1"] is None and status["R1"] == "拒付"
    assert all(amounts[c] > 0 for c in amounts if status[c] == "给付")
    labels = [r[0] for r in book["汇总"].iter_rows(values_only=True) if r and r[0]]
    assert "登记库" not in labels and "单位名称" in labels
    by_unit = rows_of(out / f"month-{PERIOD}.xlsx", "按单位")
    assert by_unit[0][:2] == ("单位编码", "单位名称")
    assert {r[0]: r[1] for r in by_unit[1:]}["U001"]  # named
    open_items = rows_of(out / f"open-items-{PERIOD}.xlsx", "待处理")
    head = list(open_items[0])
    assert head[head.index("单位编码") + 1] == "单位名称"
    assert all(r[head.index("单位名称")] for r in open_items[1:] if r[head.index("单位编码")])
