"""The unattended monthly batch: workspace, inbox to outbox, reruns, crashes and the lock.

Why these tests: `aidctl batch run` runs from cron with nobody watching. It must process
each new file once, in name order (units before the claims that need their cover), put the
same reports the single commands write into outbox/PERIOD/, keep every input under its
SHA-256 in archive/, and tell by its exit code whether a person must act (formats.md:
0 clean, 1 something to do, 2 could not run). A power cut (SIGKILL) at any point, or two
runs started at once, must never pay a claim twice nor lose one: the final state after a
rerun is the state of a run that was never interrupted.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from backends import both_backends, is_url
from backends import query as backend_query
from conftest import AIDCTL_VARS
from typer.testing import CliRunner, Result
from workbooks import (
    death_claim,
    disability_claim,
    illness_claim,
    member_rows,
    unit_row,
    write_claims_workbook,
    write_units_workbook,
)

from aidctl.batch.faults import ENV_VAR as CRASH_VAR
from aidctl.batch.lock import workspace_lock
from aidctl.batch.workspace import init_workspace, load_workspace
from aidctl.cli import app
from aidctl.register import register as register_module

AS_OF = "2026-11-28"
PERIOD = "2026-11"
TERM_START = dt.date(2026, 1, 1)  # U001's first contract: 2026-01-01 .. 2026-12-31 (D3)
ACCIDENT = dt.date(2026, 3, 1)
UNITS = "01-units.xlsx"
CLAIMS = "02-claims.xlsx"

# What the clean claims file decides (rules.md steps 6-9); 50,000 yuan in all.
EXPECTED_DECISIONS = [
    ("A1", "approved", 20000, "DISABILITY_GRADE"),  # A5.3 grade 1
    ("A2", "approved", 10000, "PARTIAL_CAP"),  # A5.5: 30,000 − 20,000 already paid
    ("I1", "approved", 15000, "FULL_BENEFIT"),  # A5.1 class 1, day 213 (D4)
    ("I2", "approved", 5000, "FULL_BENEFIT"),  # A5.1 class 2
    ("R1", "rejected", 0, "GRADE_NOT_COVERED"),  # grade 11
]
EXPECTED_TOTAL = 50000
EXPECTED_REPORTS = [
    "01-units.enroll.xlsx",
    "01-units.enroll.批注.xlsx",
    "02-claims.decisions.xlsx",
    "02-claims.decisions.批注.xlsx",  # L137: the clerk's rows, to correct and send back
    # 11.6: the month, written by every run from the register
    "month-2026-11.xlsx",
    "open-items-2026-11.xlsx",
    "payments-2026-11.xlsx",
    "renewals-20261128.xlsx",
    "statements",
]


# --- workbooks and workspaces ----------------------------------------------------------


def units_book(path: Path, non_compliant: bool = False, refused_member: bool = False) -> Path:
    units = [unit_row("U001", 5, TERM_START, "甲公司")]
    members = member_rows("U001", 5)
    if non_compliant:  # 10 staff, 9 enrolled: A1.4 needs all 10
        units.append(unit_row("U002", 10, TERM_START, "乙公司"))
        members += member_rows("U002", 9, 100)
    if refused_member:  # 40 staff, 39 good rows (A1.3: 80% is enough), one id unreadable
        units.append(unit_row("U003", 40, TERM_START, "丙公司"))
        members += member_rows("U003", 39, 200)
        members.append({**member_rows("U003", 1, 300)[0], "id_number": "32070219800101"})
    return write_units_workbook(path, units, members)


def claims_book(path: Path, pending: bool = False) -> Path:
    claims = [
        disability_claim("A1", 0, 1, ACCIDENT, dt.date(2026, 5, 1)),
        death_claim("A2", 0, dt.date(2026, 6, 1), dt.date(2026, 6, 5)),
        illness_claim("I1", 1, "原发性恶性肿瘤", dt.date(2026, 8, 1)),
        illness_claim("I2", 2, "C2-04", dt.date(2026, 8, 1)),
        disability_claim("R1", 3, 11, ACCIDENT, dt.date(2026, 5, 1)),
    ]
    if pending:  # treatment not ended: pending TREATMENT_NOT_ENDED (step 7)
        claims.append(
            disability_claim("P1", 4, 5, ACCIDENT, dt.date(2026, 5, 1), treatment_end_date=None)
        )
    return write_claims_workbook(path, claims)


# On PostgreSQL too (@both_backends, the register named in aidctl.toml): a full run, a run
# that needs a person, a second run, two runs at once. The crash tests (SIGKILL at each
# checkpoint, a process each) and the D5 tests stay on SQLite: they test the batch's files
# and staging, which do not depend on the back end, and would double the slowest tests.
def workspace(root: Path, *, units: bool = True, claims: bool = True, register: Any = None) -> Path:
    """An initialised workspace whose inbox holds the units and/or the claims file; its
    register is the default file, or the PostgreSQL database `register` names (a URL)."""
    init_workspace(root)
    if is_url(register):
        text = config(root).read_text(encoding="utf-8")
        default = 'register = "register.sqlite3"'
        assert default in text
        config(root).write_text(text.replace(default, f'register = "{register}"'), "utf-8")
    if units:
        units_book(root / "inbox" / UNITS)
    if claims:
        claims_book(root / "inbox" / CLAIMS)
    return root


def config(ws: Path) -> Path:
    return ws / "aidctl.toml"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


ROOT = Path(__file__).resolve().parents[1]


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in AIDCTL_VARS}
    env["AIDCTL_QUIET"] = "1"
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


pytestmark = pytest.mark.usefixtures("clerk_env")  # tests/conftest.py


def batch(ws: Path, *extra: str) -> Result:
    """`aidctl batch run` in-process."""
    return CliRunner().invoke(
        app, ["batch", "run", "--config", str(config(ws)), "--as-of", AS_OF, *extra]
    )


def batch_process(ws: Path, crash_at: str | None = None, *extra: str) -> subprocess.Popen[str]:
    """`aidctl batch run` as a real process (optionally killing itself at a checkpoint)."""
    env = clean_env()
    if crash_at is not None:
        env[CRASH_VAR] = crash_at
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "aidctl",
            "batch",
            "run",
            "--config",
            str(config(ws)),
            "--as-of",
            AS_OF,
            *extra,
        ],
        env=env,
        cwd=ws,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def query(ws: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    """Rows from the workspace's register, on either back end."""
    return backend_query(load_workspace(config(ws)).register, sql, *params)


LIVE = (
    "SELECT d.claim_id, d.status, d.amount, d.reason_code FROM decisions d "
    "LEFT JOIN voids v ON v.decision_id = d.decision_id WHERE v.decision_id IS NULL "
    "ORDER BY d.claim_id, d.decision_id"
)


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def state(ws: Path) -> dict[str, Any]:
    """Everything a rerun must get right, without run ids and clock times."""
    outbox = ws / "outbox" / PERIOD
    return {
        "decisions": query(ws, LIVE),
        "decision_rows": query(ws, "SELECT count(*) FROM decisions")[0][0],
        "twice": query(
            ws,
            "SELECT d.claim_id FROM decisions d LEFT JOIN voids v USING (decision_id) "
            "WHERE v.decision_id IS NULL GROUP BY d.claim_id HAVING count(*) > 1",
        ),
        "total": query(ws, "SELECT coalesce(sum(amount), 0) FROM decisions")[0][0],
        "contracts": query(ws, "SELECT unit_code, term_start, term_end FROM contracts"),
        "spells": query(ws, "SELECT count(*) FROM spells")[0][0],
        # every batch run records itself and its renewals list (L66): not state of the files
        "runs": query(
            ws,
            "SELECT command, count(*) FROM runs WHERE command NOT IN ('batch', 'renewals') "
            "GROUP BY command ORDER BY command",
        ),
        # the batch run that committed a file is in its counts: a run id, not state
        "batch_files": [
            (*row[:4], {k: v for k, v in json.loads(row[4]).items() if k != "batch_run"})
            for row in query(
                ws, "SELECT name, kind, period, outcome, counts FROM batch_files ORDER BY name"
            )
        ],
        "reports": [n for n in files_in(outbox) if not n.startswith("batch-")],
        "summaries": len([n for n in files_in(outbox) if n.startswith("batch-")]) >= 1,
        "staging": sorted(str(p) for p in (ws / "outbox").rglob(".staging-*")),
        # workbooks carry their creation time, so each workspace's inputs differ by SHA-256
        "archive": len(files_in(ws / "archive")),
        "inbox": files_in(ws / "inbox"),
    }


def inputs_sha(ws: Path) -> list[str]:
    return sorted(f"{sha256(ws / 'inbox' / n)}.xlsx" for n in files_in(ws / "inbox"))


# --- init ------------------------------------------------------------------------------


def test_init_creates_config_and_owner_only_folders(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    res = CliRunner().invoke(app, ["init", str(root)])
    assert res.exit_code == 0, res.output
    assert res.stdout.strip() == str(root / "aidctl.toml")
    assert files_in(root) == ["aidctl.toml", "archive", "inbox", "outbox"]
    for folder in ("", "inbox", "outbox", "archive"):
        assert stat.S_IMODE((root / folder).stat().st_mode) == 0o700, folder
    assert stat.S_IMODE((root / "aidctl.toml").stat().st_mode) == 0o600
    ws = load_workspace(root / "aidctl.toml")
    assert (ws.register, ws.policy, ws.lang, ws.lock_wait_seconds) == (
        root.resolve() / "register.sqlite3",
        None,
        "zh",
        60,
    )


def test_init_keeps_an_existing_config(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert CliRunner().invoke(app, ["init", str(root)]).exit_code == 0
    edited = config(root).read_text(encoding="utf-8").replace('lang = "zh"', 'lang = "en"')
    config(root).write_text(edited, encoding="utf-8")
    assert CliRunner().invoke(app, ["init", str(root)]).exit_code == 0
    assert config(root).read_text(encoding="utf-8") == edited
    assert load_workspace(config(root)).lang == "en"


# --- one run ---------------------------------------------------------------------------


@both_backends
def test_batch_run_processes_units_then_claims_and_files_everything(
    tmp_path: Path, register_db: Any
) -> None:
    ws = workspace(tmp_path / "ws", register=register_db)
    units_sha, claims_sha = sha256(ws / "inbox" / UNITS), sha256(ws / "inbox" / CLAIMS)
    originals = {n: (ws / "inbox" / n).read_bytes() for n in (UNITS, CLAIMS)}
    res = batch(ws)
    assert res.exit_code == 0, res.output
    # units first: the claims found the cover it recorded (else NO_COVERAGE)
    assert query(ws, LIVE) == EXPECTED_DECISIONS
    assert query(ws, "SELECT sum(amount) FROM decisions") == [(EXPECTED_TOTAL,)]
    assert query(ws, "SELECT unit_code, term_start, term_end, first_time FROM contracts") == [
        ("U001", "2026-01-01", "2026-12-31", 1)
    ]
    assert query(ws, "SELECT count(*) FROM spells") == [(5,)]
    assert query(
        ws, "SELECT sha256, name, kind, period, outcome FROM batch_files ORDER BY name"
    ) == [
        (units_sha, UNITS, "units", PERIOD, "done"),
        (claims_sha, CLAIMS, "claims", PERIOD, "done"),
    ]
    batch_run = query(ws, "SELECT run_id FROM runs WHERE command = 'batch'")[0][0]
    assert json.loads(query(ws, "SELECT counts FROM batch_files WHERE kind = 'claims'")[0][0]) == {
        "approved": 4,
        "rejected": 1,
        "pending": 0,
        "amount": EXPECTED_TOTAL,
        "batch_run": batch_run,  # 10.3: the run its money is counted in
    }
    # reports in outbox/PERIOD/, inputs archived under their SHA-256, inbox empty
    outbox = ws / "outbox" / PERIOD
    names = files_in(outbox)
    summaries = [n for n in names if n.startswith("batch-") and n.endswith(".xlsx")]
    assert len(summaries) == 1
    assert [n for n in names if n not in summaries] == EXPECTED_REPORTS
    assert files_in(ws / "archive") == sorted([f"{units_sha}.xlsx", f"{claims_sha}.xlsx"])
    assert (ws / "archive" / f"{units_sha}.xlsx").read_bytes() == originals[UNITS]
    assert (ws / "archive" / f"{claims_sha}.xlsx").read_bytes() == originals[CLAIMS]
    assert files_in(ws / "inbox") == []
    # the same reports the single commands write
    sheets = {
        n: openpyxl.load_workbook(outbox / n, read_only=True).sheetnames
        for n in EXPECTED_REPORTS
        if n.endswith(".xlsx")
    }
    assert sheets == {
        "01-units.enroll.批注.xlsx": ["参保单位", "参保职工"],
        "01-units.enroll.xlsx": ["汇总", "单位", "问题明细"],
        "02-claims.decisions.xlsx": ["汇总", "支付明细", "拒付明细", "待处理"],
        "02-claims.decisions.批注.xlsx": ["理赔申请"],
        "month-2026-11.xlsx": ["月度汇总", "按单位"],  # the units by name (L185)
        "open-items-2026-11.xlsx": ["汇总", "待处理"],
        "payments-2026-11.xlsx": ["汇总", "支付明细", "单位小计"],
        "renewals-20261128.xlsx": ["汇总", "续保"],
    }
    assert files_in(outbox / "statements") == ["U001.xlsx"]  # the one unit with claims
    summary = openpyxl.load_workbook(outbox / summaries[0], read_only=True)
    assert summary.sheetnames == ["汇总", "文件"]
    log = (ws / "aidctl.log").read_text(encoding="utf-8")
    assert f"{UNITS}: units done" in log and f"{CLAIMS}: claims done" in log
    assert f"paid {EXPECTED_TOTAL} yuan" in res.stdout


@pytest.mark.parametrize(
    "names",
    [("01-claims.xlsx", "02-units.xlsx"), ("--help.xlsx", "00-units.xlsx")],
    ids=["claims_named_first", "dash_name_first"],
)
def test_batch_takes_every_units_file_before_any_claims_file_l140(
    tmp_path: Path, names: tuple[str, str]
) -> None:
    """11.4, L140: a claims file whose name sorts before its roster's is decided after it,
    so its members have cover (else NO_COVERAGE for good)."""
    claims_name, units_name = names
    ws = workspace(tmp_path / "ws", units=False, claims=False)
    claims_book(ws / "inbox" / claims_name)
    units_book(ws / "inbox" / units_name)
    res = batch(ws)
    assert res.exit_code == 0, res.output
    assert query(ws, LIVE) == EXPECTED_DECISIONS
    assert query(ws, "SELECT name, kind FROM batch_files ORDER BY processed_at, rowid") == [
        (units_name, "units"),
        (claims_name, "claims"),
    ]


def test_batch_order_is_units_then_claims_each_by_name_l140() -> None:
    from aidctl.batch.run import batch_order

    kinds = {
        Path("b-claims.xlsx"): "claims",
        Path("a-claims.xlsx"): "claims",
        Path("z-units.xlsx"): "units",
        Path("c-units.xlsx"): "units",
    }
    assert [p.name for p in batch_order(kinds)] == [
        "c-units.xlsx",
        "z-units.xlsx",
        "a-claims.xlsx",
        "b-claims.xlsx",
    ]


@pytest.mark.parametrize(
    ("non_compliant", "pending", "outcomes"),
    [
        (True, False, [(UNITS, "done"), (CLAIMS, "done")]),
        (False, True, [(UNITS, "done"), (CLAIMS, "done")]),
    ],
    ids=["non_compliant_unit", "pending_claim"],
)
@both_backends
def test_batch_exit_0_for_the_clerks_ordinary_work_l142(
    tmp_path: Path,
    non_compliant: bool,
    pending: bool,
    outcomes: list[tuple[str, str]],
    register_db: Any,
) -> None:
    """11.5, L142: pending claims and non-compliant units go to the worklists: exit 0."""
    ws = workspace(tmp_path / "ws", units=False, claims=False, register=register_db)
    units_book(ws / "inbox" / UNITS, non_compliant=non_compliant)
    claims_book(ws / "inbox" / CLAIMS, pending=pending)
    res = batch(ws, "--json")
    assert res.exit_code == 0, res.output
    doc = json.loads(res.stdout)
    assert (doc["exit_code"], doc["operator_must_act"]) == (0, False)
    assert query(ws, "SELECT name, outcome FROM batch_files ORDER BY name") == outcomes
    # E5: a non-compliant unit records nothing; a pending claim is not recorded (L1)
    assert query(ws, "SELECT unit_code FROM contracts") == [("U001",)]
    assert query(ws, LIVE) == EXPECTED_DECISIONS
    assert files_in(ws / "inbox") == []
    book = openpyxl.load_workbook(ws / "outbox" / PERIOD / "open-items-2026-11.xlsx")
    rows = list(book["待处理"].iter_rows(values_only=True))
    assert len(rows) == (2 if pending else 1)  # the header, and the pending claim P1
    if pending:
        assert "P1" in rows[1]


def test_batch_exit_1_when_member_rows_of_an_enrolled_unit_were_refused_l142(
    tmp_path: Path,
) -> None:
    """11.5, L142: people left without cover in a unit that was enrolled: the operator
    must act (exit 1, "needs_action", the same in --json)."""
    ws = workspace(tmp_path / "ws", units=False, claims=False)
    units_book(ws / "inbox" / UNITS, refused_member=True)
    res = batch(ws, "--json")
    assert res.exit_code == 1, res.output
    doc = json.loads(res.stdout)
    assert (doc["exit_code"], doc["operator_must_act"]) == (1, True)
    assert [(f["name"], f["outcome"], f["counts"]["members_refused"]) for f in doc["files"]] == [
        (UNITS, "needs_action", 1)
    ]
    assert query(ws, "SELECT unit_code FROM contracts ORDER BY 1") == [("U001",), ("U003",)]


@both_backends
def test_second_run_processes_nothing_and_copies_are_only_archived(
    tmp_path: Path, register_db: Any
) -> None:
    ws = workspace(tmp_path / "ws", register=register_db)
    keep = tmp_path / "copies"
    keep.mkdir()
    for name in (UNITS, CLAIMS):
        shutil.copy2(ws / "inbox" / name, keep / name)
    assert batch(ws).exit_code == 0
    before = state(ws)

    empty = batch(ws)
    assert empty.exit_code == 0, empty.output
    assert "0 files" in empty.stdout

    # the same bytes again, one under another name: recognised by SHA-256, only archived
    shutil.copy2(keep / UNITS, ws / "inbox" / UNITS)
    shutil.copy2(keep / CLAIMS, ws / "inbox" / "03-claims-again.xlsx")
    again = batch(ws)
    assert again.exit_code == 0, again.output
    assert again.stdout.count("already processed") == 2
    assert state(ws) == before  # same decisions, totals, reports, archive; inbox empty
    assert query(ws, "SELECT count(*) FROM batch_files") == [(2,)]
    # a dry run of the claims file pays nothing new (L14)
    db = str(load_workspace(config(ws)).register)
    args = ["adjudicate", str(keep / CLAIMS), "--dry-run", "--json", "--as-of", AS_OF]
    dry = CliRunner().invoke(app, [*args, "--db", db, "--out", str(tmp_path / "dry.xlsx")])
    assert dry.exit_code == 0, dry.output
    doc = json.loads(dry.stdout)
    assert {c["reason_code"] for c in doc["claims"]} == {"ALREADY_DECIDED"}
    assert doc["totals"] == {"approved": 4, "rejected": 1, "pending": 0, "amount": 0}


def test_garbage_goes_to_rejected_with_the_reason(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws", claims=False)
    (ws / "inbox" / "03-garbage.xlsx").write_bytes(b"this is not a workbook\n")
    res = batch(ws, "--lang", "en")
    assert res.exit_code == 1, res.output
    rejected = ws / "inbox" / "rejected"
    assert files_in(rejected) == ["03-garbage.xlsx", "03-garbage.xlsx.why.txt"]
    assert (rejected / "03-garbage.xlsx").read_bytes() == b"this is not a workbook\n"
    why = (rejected / "03-garbage.xlsx.why.txt").read_text(encoding="utf-8")
    assert len(why.strip().splitlines()) == 1
    assert "03-garbage.xlsx" in why
    # the good file beside it was processed; the garbage was not recorded as processed
    assert query(ws, "SELECT name, outcome FROM batch_files") == [(UNITS, "done")]
    assert files_in(ws / "inbox") == ["rejected"]
    assert len(files_in(ws / "archive")) == 1
    assert "03-garbage.xlsx: rejected" in res.stdout


def test_claims_file_without_required_columns_is_rejected(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws", units=False, claims=False)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "理赔申请"
    sheet.append(["理赔编号", "备注"])
    sheet.append(["X1", "缺少身份证号等列"])
    book.save(ws / "inbox" / "01-claims.xlsx")
    res = batch(ws)
    assert res.exit_code == 1, res.output
    assert files_in(ws / "inbox" / "rejected") == ["01-claims.xlsx", "01-claims.xlsx.why.txt"]
    assert query(ws, "SELECT count(*) FROM decisions") == [(0,)]
    assert query(ws, "SELECT count(*) FROM batch_files") == [(0,)]
    # nothing of the file recorded: only the batch run and its renewals list (L66)
    assert query(ws, "SELECT command FROM runs ORDER BY command") == [("batch",), ("renewals",)]
    assert [p for p in (ws / "outbox").rglob(".staging-*")] == []


def test_batch_status_lists_runs_with_counts(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    (ws / "inbox" / "09-garbage.xlsx").write_bytes(b"\x00garbage")
    assert batch(ws).exit_code == 1
    assert batch(ws).exit_code == 0
    res = CliRunner().invoke(app, ["batch", "status", "--config", str(config(ws)), "--json"])
    assert res.exit_code == 0, res.output
    runs = json.loads(res.stdout)
    assert {r["command"] for r in runs} == {"batch"}
    assert all(r["as_of"] == AS_OF and r["finished_at"] for r in runs)
    assert sorted((r["counts"] for r in runs), key=lambda c: -c["files"]) == [
        {
            "period": PERIOD,
            "files": 3,
            "done": 2,
            "rejected": 1,
            "amount": EXPECTED_TOTAL,
            "voided": 0,
            "exit_code": 1,
        },
        {"period": PERIOD, "files": 0, "amount": 0, "voided": 0, "exit_code": 0},
    ]


def test_no_workspace_exits_2_with_one_line(tmp_path: Path) -> None:
    res = CliRunner().invoke(app, ["batch", "run", "--as-of", AS_OF, "--lang", "en"])
    assert res.exit_code == 2
    assert res.stdout == ""
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and "aidctl init" in lines[0]
    assert files_in(tmp_path) == []  # nothing created

    missing = tmp_path / "nowhere" / "aidctl.toml"
    for command in (["batch", "run", "--as-of", AS_OF], ["batch", "status"]):
        res = CliRunner().invoke(app, [*command, "--config", str(missing), "--lang", "en"])
        assert res.exit_code == 2, command
        lines = res.stderr.strip().splitlines()
        assert len(lines) == 1 and str(missing) in lines[0]
    assert not (tmp_path / "nowhere").exists()


# --- crash safety: SIGKILL at each checkpoint, then a rerun ----------------------------

CHECKPOINTS = ["before_reports", "before_commit", "after_commit", "after_reports"]


@pytest.fixture(scope="module")
def twin_state(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The state after one uninterrupted run of the units and the claims file."""
    with pytest.MonkeyPatch.context() as mp:
        for var in AIDCTL_VARS:
            mp.delenv(var, raising=False)
        mp.setenv("AIDCTL_QUIET", "1")
        ws = workspace(tmp_path_factory.mktemp("twin") / "ws")
        mp.chdir(ws)
        res = batch(ws)
        assert res.exit_code == 0, res.output
        got = state(ws)
    assert got["decisions"] == EXPECTED_DECISIONS
    assert got["total"] == EXPECTED_TOTAL
    assert got["reports"] == EXPECTED_REPORTS
    assert got["summaries"] is True
    assert got["staging"] == [] and got["inbox"] == []
    return got


def killed(proc: subprocess.Popen[str]) -> None:
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, out, err)


@pytest.mark.parametrize("checkpoint", CHECKPOINTS)
def test_crash_on_the_first_file_then_rerun_equals_an_uninterrupted_run(
    tmp_path: Path, checkpoint: str, twin_state: dict[str, Any]
) -> None:
    ws = workspace(tmp_path / "ws")
    expected_archive = inputs_sha(ws)
    killed(batch_process(ws, checkpoint))
    # where it died: the units file (first by name) was committed or not, nothing more
    committed = checkpoint in ("after_commit", "after_reports")
    assert query(ws, "SELECT name FROM batch_files") == ([(UNITS,)] if committed else [])
    assert query(ws, "SELECT count(*) FROM decisions") == [(0,)]
    assert query(ws, "SELECT count(*) FROM contracts") == [(1 if committed else 0,)]
    staged = list((ws / "outbox").rglob(".staging-*"))
    assert len(staged) == (1 if checkpoint in ("before_commit", "after_commit") else 0)

    res = batch(ws)
    assert res.exit_code == 0, res.output
    final = state(ws)
    assert final == twin_state
    assert files_in(ws / "archive") == expected_archive


@pytest.fixture(scope="module")
def enrolled_workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace whose units file an earlier batch already processed; inbox empty."""
    with pytest.MonkeyPatch.context() as mp:
        for var in AIDCTL_VARS:
            mp.delenv(var, raising=False)
        mp.setenv("AIDCTL_QUIET", "1")
        ws = workspace(tmp_path_factory.mktemp("enrolled") / "ws", claims=False)
        mp.chdir(ws)
        res = batch(ws)
        assert res.exit_code == 0, res.output
    return ws


@pytest.mark.parametrize("checkpoint", CHECKPOINTS)
def test_crash_in_the_claims_file_pays_nothing_twice(
    tmp_path: Path, checkpoint: str, twin_state: dict[str, Any], enrolled_workspace: Path
) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(enrolled_workspace, ws)
    claims_book(ws / "inbox" / CLAIMS)
    expected_archive = sorted(files_in(ws / "archive") + inputs_sha(ws))
    killed(batch_process(ws, checkpoint))
    committed = checkpoint in ("after_commit", "after_reports")
    assert query(ws, "SELECT count(*) FROM decisions") == [(5 if committed else 0,)]

    res = batch(ws)
    assert res.exit_code == 0, res.output
    final = state(ws)
    assert final == twin_state  # same decisions, each once, same total, reports, archive
    assert files_in(ws / "archive") == expected_archive


# --- one run at a time -----------------------------------------------------------------


def test_a_run_while_another_holds_the_lock_exits_2_and_processes_nothing(
    tmp_path: Path,
) -> None:
    ws = workspace(tmp_path / "ws")
    text = config(ws).read_text(encoding="utf-8")
    config(ws).write_text(
        text.replace("lock_wait_seconds = 60", "lock_wait_seconds = 1"), encoding="utf-8"
    )
    assert load_workspace(config(ws)).lock_wait_seconds == 1
    with workspace_lock(ws / ".aidctl.lock", 0):
        proc = batch_process(ws, None, "--lang", "en")
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 2, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1
    assert "Another batch run is still working" in lines[0]
    assert files_in(ws / "inbox") == [UNITS, CLAIMS]
    assert not (ws / "register.sqlite3").exists()
    assert files_in(ws / "archive") == [] and files_in(ws / "outbox") == []
    # the lock is free again once its holder is gone
    assert batch(ws).exit_code == 0
    assert query(ws, LIVE) == EXPECTED_DECISIONS


@both_backends
def test_two_runs_started_together_process_each_file_once(
    tmp_path: Path, twin_state: dict[str, Any], register_db: Any
) -> None:
    ws = workspace(tmp_path / "ws", register=register_db)
    first, second = batch_process(ws), batch_process(ws)
    outs = [p.communicate(timeout=120) for p in (first, second)]
    assert [p.returncode for p in (first, second)] == [0, 0], outs
    assert sorted("2 files" in out for out, _ in outs) == [False, True]  # one did the work
    assert query(ws, "SELECT name, count(*) FROM batch_files GROUP BY name ORDER BY name") == [
        (UNITS, 1),
        (CLAIMS, 1),
    ]
    assert query(
        ws, "SELECT claim_id, count(*) FROM decisions GROUP BY claim_id ORDER BY claim_id"
    ) == [(c, 1) for c, *_ in EXPECTED_DECISIONS]
    assert query(ws, "SELECT count(*) FROM runs WHERE command = 'batch'") == [(2,)]
    # (the number of batch-*.xlsx summaries is not checked here: see the known defect below)
    assert state(ws) == twin_state


# --- known defects ---------------------------------------------------------------------


@pytest.mark.parametrize("checkpoint", ["after_commit", "after_reports"])
def test_rerun_after_a_crash_still_exits_1_for_a_committed_file_that_needs_action(
    tmp_path: Path, checkpoint: str
) -> None:
    ws = workspace(tmp_path / "ws", units=False)
    units_book(ws / "inbox" / UNITS, refused_member=True)
    killed(batch_process(ws, checkpoint))
    assert query(ws, "SELECT name, outcome FROM batch_files") == [(UNITS, "needs_action")]
    res = batch(ws)
    assert res.exit_code == 1, res.output  # as an uninterrupted run (see test above)


def test_batch_status_after_a_crash_still_shows_what_was_paid(
    tmp_path: Path, enrolled_workspace: Path
) -> None:
    ws = tmp_path / "ws"
    shutil.copytree(enrolled_workspace, ws)
    claims_book(ws / "inbox" / CLAIMS)
    killed(batch_process(ws, "after_commit"))
    assert batch(ws).exit_code == 0
    assert query(ws, "SELECT sum(amount) FROM decisions") == [(EXPECTED_TOTAL,)]
    res = CliRunner().invoke(app, ["batch", "status", "--config", str(config(ws)), "--json"])
    paid = sum(r["counts"].get("amount", 0) for r in json.loads(res.stdout))
    assert paid == EXPECTED_TOTAL


class _SameSecond(dt.datetime):
    """A clock that stays in one second, as for two runs that end within a second."""

    @classmethod
    def now(cls, tz: dt.tzinfo | None = None) -> _SameSecond:
        return cls(2026, 11, 28, 6, 0, 0)


def test_each_run_keeps_its_own_summary_within_one_second(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # run ids start with the time to the second: freeze it, the ids must still differ
    monkeypatch.setattr(
        register_module, "dt", type("dt", (), {"datetime": _SameSecond, "date": dt.date})
    )
    ws = workspace(tmp_path / "ws")
    assert batch(ws).exit_code == 0
    assert batch(ws).exit_code == 0
    summaries = sorted((ws / "outbox" / PERIOD).glob("batch-*.xlsx"))
    facts = []
    for path in summaries:
        rows = openpyxl.load_workbook(path, read_only=True)["汇总"].iter_rows(values_only=True)
        facts.append({r[0]: r[1] for r in rows if r and r[0] in ("文件数", "给付金额合计")})
    assert sorted(facts, key=lambda f: f["文件数"]) == [
        {"文件数": 0, "给付金额合计": 0},
        {"文件数": 2, "给付金额合计": EXPECTED_TOTAL},
    ]


# ---------------------------------------------------------------- D5: the day a roster arrived


def test_batch_takes_a_roster_without_received_date_as_received_when_it_arrived_d5(
    tmp_path: Path,
) -> None:
    """D5, L51: a roster dropped in the inbox on the 25th, effective the 26th, is not backdated
    because the batch runs on the 1st: its received day is the file's arrival (its
    modification date), recorded in the register."""
    ws = tmp_path / "ws"
    init_workspace(ws)
    effective = dt.date(2026, 11, 26)
    book = write_units_workbook(
        ws / "inbox" / UNITS,
        [unit_row("U001", 5, effective, "甲公司", received_date=None)],
        member_rows("U001", 5),
    )
    arrived = dt.datetime(2026, 11, 25, 9, 30).timestamp()
    os.utime(book, (arrived, arrived))
    res = CliRunner().invoke(
        app, ["batch", "run", "--config", str(config(ws)), "--as-of", "2026-12-01"]
    )
    assert res.exit_code == 0, res.output
    conn = sqlite3.connect(ws / "register.sqlite3")
    try:
        contracts = conn.execute("SELECT term_start, received_date FROM contracts").fetchall()
        counts = json.loads(conn.execute("SELECT counts FROM batch_files").fetchone()[0])
    finally:
        conn.close()
    assert contracts == [("2026-11-26", "2026-11-25")]
    assert counts["received_default"] == "2026-11-25"


def test_batch_arrival_after_the_as_of_day_counts_as_the_as_of_day_d5(tmp_path: Path) -> None:
    """D5, L51: a batch run as of an earlier day cannot have received a file later than that."""
    ws = tmp_path / "ws"
    init_workspace(ws)
    book = write_units_workbook(
        ws / "inbox" / UNITS,
        [unit_row("U001", 5, dt.date(2026, 11, 20), "甲公司", received_date=None)],
        member_rows("U001", 5),
    )
    later = dt.datetime(2026, 12, 20, 9, 30).timestamp()
    os.utime(book, (later, later))
    res = CliRunner().invoke(
        app, ["batch", "run", "--config", str(config(ws)), "--as-of", "2026-11-20"]
    )
    assert res.exit_code == 0, res.output
    conn = sqlite3.connect(ws / "register.sqlite3")
    try:
        assert conn.execute("SELECT received_date FROM contracts").fetchall() == [("2026-11-20",)]
    finally:
        conn.close()
