"""Every exit-2 message is true of the register it describes (issue 10 items 1 and 2).

Why these tests: a clerk told "nothing was recorded" reruns the file and is then told "0 yuan
to pay" — and no report with those amounts ever exists. So a report that cannot be written
must roll the run back (L155: reports are staged beside their targets inside the
transaction), and a failure after the commit must say what WAS recorded and how to get the
report. Each case below runs the command, reads the message, then reads the register the
message talks about. The register file itself: created atomically (L150), a newer schema
refused and a read-only command never migrating (L151), a busy register named (L152), a
write that fails rolled back (L154).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from cli_workbooks import (
    claim,
    common,
    count,
    members,
    run_cli,
    unit,
    write_claims_workbook,
    write_units_workbook,
)

from aidctl.register import Register
from aidctl.register import sqlite as sqlite_register
from aidctl.register.sqlite_schema import MIGRATIONS

LATEST = max(m[0] for m in MIGRATIONS)


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def units_book(tmp_path: Path) -> Path:
    return write_units_workbook(tmp_path / "units.xlsx", [unit("U1", 3)], members("U1", 0, 3))


@pytest.fixture
def claims_book(tmp_path: Path) -> Path:
    rows = [
        claim("LP1", 0, 病种="C1-01", 确诊日期=dt.date(2026, 8, 1)),  # approved, 15,000
        claim("LP3", 500, 病种="C1-01", 确诊日期=dt.date(2026, 8, 1)),  # no cover: rejected
    ]
    return write_claims_workbook(tmp_path / "claims.xlsx", rows)


@pytest.fixture
def db(tmp_path: Path, units_book: Path) -> Path:
    path = tmp_path / "reg.sqlite3"
    assert run_cli("enroll", units_book, *common(path, "--out", tmp_path / "e.xlsx")).exit_code == 0
    return path


def _runs(db: Path, command: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT run_id, counts FROM runs WHERE command = ? ORDER BY rowid", (command,)
        ).fetchall()
    finally:
        conn.close()


def _hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".*"))


# ---------------------------------------------------------------- L155: before the commit


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
def test_adjudicate_report_that_cannot_be_written_rolls_the_run_back_l155(
    tmp_path: Path, db: Path, claims_book: Path, code: int
) -> None:
    """A full disk / a refused folder while the report is written: exit 2, the message says
    nothing was recorded, and the register indeed holds no adjudication run or decision."""
    out = tmp_path / "decisions.xlsx"
    env = {"AIDCTL_FAIL_WRITE": f"report:{code}"}
    result = run_cli("adjudicate", claims_book, *common(db, "--out", out, "--lang", "en"), env=env)
    assert result.exit_code == 2
    assert "nothing was recorded" in result.stderr
    assert _runs(db, "adjudicate") == []
    assert count(db, "decisions") == 0
    assert not out.exists()
    assert _hidden(tmp_path) == []  # no staged file, no scratch folder left
    # the rerun, once the disk has room, pays what the first attempt would have
    again = run_cli("adjudicate", claims_book, *common(db, "--out", out, "--json"))
    assert again.exit_code == 0
    assert '"amount": 15000' in again.stdout


def test_enroll_report_into_a_missing_folder_records_nothing_l155(
    tmp_path: Path, units_book: Path
) -> None:
    """A real OSError (the --out folder does not exist), before the commit: nothing is
    recorded, as the message says."""
    reg = tmp_path / "new.sqlite3"
    out = tmp_path / "no-such-folder" / "units.enroll.xlsx"
    result = run_cli("enroll", units_book, *common(reg, "--out", out, "--lang", "en"))
    assert result.exit_code == 2
    assert "nothing was recorded" in result.stderr
    assert _runs(reg, "enroll") == []
    assert count(reg, "spells") == 0


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
def test_enroll_annotated_copy_that_cannot_be_written_rolls_back_l155(
    tmp_path: Path, units_book: Path, code: int
) -> None:
    reg = tmp_path / "new.sqlite3"
    env = {"AIDCTL_FAIL_WRITE": f"report:{code}"}
    result = run_cli("enroll", units_book, *common(reg, "--lang", "en"), env=env)
    assert result.exit_code == 2
    assert "nothing was recorded" in result.stderr
    assert _runs(reg, "enroll") == []
    assert count(reg, "contracts") == 0


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
def test_register_write_that_fails_is_rolled_back_and_said_so_l154(
    tmp_path: Path, db: Path, claims_book: Path, code: int
) -> None:
    """The register cannot be written at the commit: one sentence, nothing recorded, and no
    report of a run that does not exist is left in place."""
    out = tmp_path / "decisions.xlsx"
    env = {"AIDCTL_FAIL_WRITE": f"register:{code}"}
    result = run_cli("adjudicate", claims_book, *common(db, "--out", out, "--lang", "en"), env=env)
    assert result.exit_code == 2
    assert "could not be written" in result.stderr and "nothing was" in result.stderr
    assert "unexpected error" not in result.stderr
    assert _runs(db, "adjudicate") == []
    assert not out.exists()
    assert _hidden(tmp_path) == []


# ---------------------------------------------------------------- L155: after the commit


def test_rename_that_fails_after_the_commit_names_the_recorded_run_l155(
    tmp_path: Path, db: Path, claims_book: Path
) -> None:
    """The report cannot be put in place (the target is a folder): the run IS recorded, and
    the message says so with its id, counts and amount, and how to get the report — which
    `aidctl report RUN_ID` then writes with the same amounts."""
    out = tmp_path / "decisions.xlsx"
    out.mkdir()
    result = run_cli("adjudicate", claims_book, *common(db, "--out", out, "--lang", "en"))
    assert result.exit_code == 2
    runs = _runs(db, "adjudicate")
    assert len(runs) == 1
    run_id = runs[0][0]
    assert f"Run {run_id} IS recorded" in result.stderr
    assert "1 approved, 1 rejected, 0 pending; 15000 yuan to pay" in result.stderr
    assert f"`aidctl report {run_id}`" in result.stderr
    assert "nothing was recorded" not in result.stderr
    assert count(db, "decisions") == 2
    assert _hidden(tmp_path) == []
    again = run_cli("report", run_id, "--db", db, "--out", tmp_path / "again.xlsx", "--json")
    assert again.exit_code in (0, 1), again.stderr
    assert (tmp_path / "again.xlsx").exists()


def test_rename_that_fails_after_an_enrolment_commit_names_its_run_l155(
    tmp_path: Path, units_book: Path
) -> None:
    reg = tmp_path / "new.sqlite3"
    out = tmp_path / "units.enroll.xlsx"
    out.mkdir()
    result = run_cli("enroll", units_book, *common(reg, "--out", out))
    assert result.exit_code == 2
    (run_id, _), *_ = _runs(reg, "enroll")
    assert f"运行 {run_id} 已登记" in result.stderr
    assert "新增合同 1 份、参保记录 3 条" in result.stderr
    assert f"`aidctl report {run_id}`" in result.stderr
    assert "未登记任何内容" not in result.stderr
    assert count(reg, "spells") == 3


def test_a_written_report_lands_only_under_its_own_name_l155(
    tmp_path: Path, db: Path, claims_book: Path
) -> None:
    """The ordinary case: the staged file is renamed, nothing hidden stays beside it."""
    out = tmp_path / "decisions.xlsx"
    result = run_cli("adjudicate", claims_book, *common(db, "--out", out, "--json"))
    assert result.exit_code == 0
    assert out.exists()
    assert str(out) in result.stdout
    assert _hidden(tmp_path) == []


# ---------------------------------------------------------------- L150: creating the register


def test_a_creator_killed_mid_build_leaves_nothing_refused_l150(tmp_path: Path) -> None:
    """What a `kill -9` leaves while a register is being built is a hidden temporary file of
    a dead process, never the register itself; the next creator removes it and succeeds."""
    reg = tmp_path / "reg.sqlite3"
    leftover = tmp_path / f".{reg.name}.999999999.deadbeef{sqlite_register.BUILD_SUFFIX}"
    leftover.write_bytes(b"half a register")
    with Register.open(reg) as opened:
        assert opened.runs() == []
    assert not leftover.exists()
    assert reg.stat().st_mode & 0o777 == 0o600


def test_a_half_built_register_of_an_older_aidctl_is_finished_not_refused_l150(
    tmp_path: Path,
) -> None:
    """An older aidctl killed after creating `schema_migrations` and before its first
    migration left a file with no application id: ours to finish, not another program's."""
    reg = tmp_path / "reg.sqlite3"
    conn = sqlite3.connect(reg)
    conn.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at TEXT NOT NULL DEFAULT (datetime('now')))"
    )
    conn.commit()
    conn.close()
    with Register.open(reg) as opened:
        assert opened.runs() == []
    other = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    with pytest.raises(Exception, match="another program"):
        Register.open(other)


# ---------------------------------------------------------------- L151: schema versions


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_newer_register_is_refused_by_every_command_naming_both_versions_l151(
    tmp_path: Path, db: Path, claims_book: Path, units_book: Path
) -> None:
    conn = sqlite3.connect(db)
    conn.execute("INSERT INTO schema_migrations (version, name) VALUES (?, 'future')", (99,))
    conn.commit()
    conn.close()
    before = _sha(db)
    for args in (
        ("adjudicate", claims_book, *common(db)),
        ("enroll", units_book, *common(db)),
        ("validate-enrollment", units_book, *common(db)),
        ("runs", "--db", db),
    ):
        result = run_cli(*args, "--lang", "en")
        assert result.exit_code == 2, args
        assert f"schema version 99, newer than the version {LATEST}" in result.stderr, args
        said = [line for line in result.stderr.splitlines() if "schema version" in line]
        assert len(said) == 1 and said[0].count(". ") == 0, said  # one sentence
    assert _sha(db) == before


def test_read_only_commands_never_migrate_an_older_register_l151(
    tmp_path: Path, units_book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """validate-enrollment, runs and payments only read: an older register is left byte for
    byte as it was, with one sentence naming both versions; `enroll` then upgrades it."""
    reg = tmp_path / "old.sqlite3"
    with monkeypatch.context() as m:
        m.setattr(sqlite_register, "MIGRATIONS", MIGRATIONS[:-1])
        Register.open(reg).close()
    older = MIGRATIONS[-2][0]
    before = _sha(reg)
    for args in (
        ("validate-enrollment", units_book, *common(reg)),
        ("runs", "--db", reg),
        ("payments", "--period", "2026-11", "--db", reg),
    ):
        result = run_cli(*args, "--lang", "en")
        assert result.exit_code == 2, args
        assert f"schema version {older}, older than the version {LATEST}" in result.stderr
        assert _sha(reg) == before, args
    # register check and backup take it as it is, without migrating it
    assert run_cli("register", "check", "--db", reg).exit_code == 0
    assert run_cli("register", "backup", tmp_path / "copy.sqlite3", "--db", reg).exit_code == 0
    assert _sha(reg) == before
    assert run_cli("enroll", units_book, *common(reg)).exit_code == 0
    with Register.open_read_only(reg) as opened:
        assert len(opened.runs()) == 1


# ---------------------------------------------------------------- L152: a busy register


def test_a_busy_register_names_the_run_that_holds_it_and_the_wait_l152(
    tmp_path: Path, db: Path, claims_book: Path
) -> None:
    holder = Register.open(db)
    try:
        with holder.transaction():
            run_id = holder.start_run("enroll", dt.date(2026, 11, 28), "x.xlsx", None, None)
            env = {"AIDCTL_LOCK_WAIT_SECONDS": "0.2"}
            result = run_cli("adjudicate", claims_book, *common(db, "--lang", "en"), env=env)
            assert result.exit_code == 2
            assert f"run {run_id} (enroll" in result.stderr
            assert "waited 0.2 s" in result.stderr
            assert "unexpected error" not in result.stderr
            assert "nothing was recorded" in result.stderr
            raise KeyError("roll the holder back")
    except KeyError:
        pass
    finally:
        holder.close()
    assert _runs(db, "adjudicate") == []
    assert not (tmp_path / ("reg.sqlite3" + sqlite_register.HOLDER_SUFFIX)).exists()


def test_lock_wait_seconds_setting_boundaries_l152(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(sqlite_register.LOCK_WAIT_ENV, raising=False)
    assert sqlite_register.lock_wait_seconds() == 30.0
    monkeypatch.setenv(sqlite_register.LOCK_WAIT_ENV, "0")
    assert sqlite_register.lock_wait_seconds() == 0.0
    monkeypatch.setenv(sqlite_register.LOCK_WAIT_ENV, "-1")
    assert sqlite_register.lock_wait_seconds() == 0.0
    monkeypatch.setenv(sqlite_register.LOCK_WAIT_ENV, "not a number")
    assert sqlite_register.lock_wait_seconds() == 30.0


def test_a_newer_schema_is_refused_on_both_back_ends_l151(register_location: str) -> None:
    """SQLite and PostgreSQL alike: a register whose schema a newer aidctl wrote is refused,
    for writing and for reading, in one sentence naming both versions."""
    from aidctl.errors import RegisterError

    Register.open(register_location).close()
    if register_location.startswith("postgres"):
        import psycopg

        with psycopg.connect(register_location, autocommit=True) as conn:
            conn.execute("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')")
        from aidctl.register.postgres_schema import MIGRATIONS as PG_MIGRATIONS

        known = max(m[0] for m in PG_MIGRATIONS)
    else:
        with sqlite3.connect(register_location) as conn:
            conn.execute("INSERT INTO schema_migrations (version, name) VALUES (99, 'future')")
        conn.close()
        known = LATEST
    for opener in (Register.open, Register.open_read_only):
        with pytest.raises(RegisterError) as refused:
            opener(register_location)
        assert f"schema version 99, newer than the version {known}" in refused.value.en
        assert "99" in refused.value.zh and str(known) in refused.value.zh


# ---------------------------------------------------------------- the batch (same api)


def _workspace(tmp_path: Path, units_book: Path, claims_book: Path) -> Path:
    import shutil

    ws = tmp_path / "ws"
    assert run_cli("init", ws).exit_code == 0
    shutil.copy(units_book, ws / "inbox" / "01-units.xlsx")
    shutil.copy(claims_book, ws / "inbox" / "02-claims.xlsx")
    return ws


def test_a_batch_whose_register_fills_up_names_the_file_it_recorded_l154_l155(
    tmp_path: Path, units_book: Path, claims_book: Path
) -> None:
    """The disk fills up at the second file's commit: the batch stops (exit 2) with the
    register's sentence — the file is not rejected, it was not its fault — and says which
    run WAS recorded before; the register holds exactly that run, and the rerun finishes.
    The register's first commit is the batch run's own start (10.3: a killed run is still a
    run), the units file's the second, the claims file's the third: that one fails."""
    ws = _workspace(tmp_path, units_book, claims_book)
    env = {"AIDCTL_FAIL_WRITE": "register:28:3"}
    config = ("--config", ws / "aidctl.toml", "--as-of", "2026-11-28", "--lang", "en")
    result = run_cli("batch", "run", *config, env=env)
    assert result.exit_code == 2
    db = ws / "register.sqlite3"
    (enrolled, _), *_ = _runs(db, "enroll")
    assert _runs(db, "adjudicate") == []
    assert "could not be written (No space left on device)" in result.stderr
    assert f"Before this error, run {enrolled} was recorded" in result.stderr
    assert f"`aidctl report {enrolled}`" in result.stderr
    assert (ws / "inbox" / "02-claims.xlsx").exists()
    assert not (ws / "inbox" / "rejected").exists()
    again = run_cli("batch", "run", *config)
    assert again.exit_code in (0, 1), again.stderr
    assert len(_runs(db, "adjudicate")) == 1 and len(_runs(db, "enroll")) == 1


def test_a_batch_report_that_cannot_be_written_records_nothing_of_its_file_l155(
    tmp_path: Path, units_book: Path, claims_book: Path
) -> None:
    """ENOSPC on the first report: nothing recorded, and the message says so."""
    ws = _workspace(tmp_path, units_book, claims_book)
    config = ("--config", ws / "aidctl.toml", "--as-of", "2026-11-28", "--lang", "en")
    result = run_cli("batch", "run", *config, env={"AIDCTL_FAIL_WRITE": "report:28"})
    assert result.exit_code == 2
    assert "nothing was recorded" in result.stderr
    assert _runs(ws / "register.sqlite3", "enroll") == []
    assert (ws / "inbox" / "01-units.xlsx").exists()


def test_a_busy_register_is_named_on_both_back_ends_l152(
    register_location: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two runs want the same member: the second waits lock_wait_seconds, then one
    sentence names the first run and the wait (SQLite: the file's write lock; PostgreSQL:
    the member's advisory lock)."""
    from aidctl.errors import RegisterError

    monkeypatch.setenv("AIDCTL_LOCK_WAIT_SECONDS", "0.3")
    Register.open(register_location).close()
    first = Register.open(register_location)
    second = Register.open(register_location)
    try:
        with first.transaction():
            run_id = first.start_run("adjudicate", dt.date(2026, 11, 28), "c.xlsx", None, None)
            first.lock_members(["320705199001010004"])
            with pytest.raises(RegisterError) as busy, second.transaction():
                second.lock_members(["320705199001010004"])
                second.start_run("adjudicate", dt.date(2026, 11, 28), "d.xlsx", None, None)
            assert f"run {run_id} (adjudicate" in busy.value.en
            assert "waited 0.3 s" in busy.value.en
            assert run_id in busy.value.zh
    finally:
        first.close()
        second.close()
    with Register.open_read_only(register_location) as reg:
        assert [r["input_file"] for r in reg.runs()] == ["c.xlsx"]
