"""A PostgreSQL register another session holds: the busy sentence SQLite gives (L152, L190).

Why these tests: a clerk whose command waited for a colleague's schema upgrade, or for a
table an administrator locked, was told "the register cannot be read (canceling statement
due to lock timeout)" — which sounds like a broken register — or got an "unexpected error"
from a command that only reads. The true sentence is SQLite's: the register is busy, who
holds it, how long this command waited (lock_wait_seconds), nothing was recorded, run it
again when the holder has finished. A statement the server cancels for another reason
(statement_timeout) is not called busy (L191). Each case holds a real lock on a throwaway
server while aidctl runs, then checks exit code, sentence (zh and en) and the register.
They need a PostgreSQL server (AIDCTL_TEST_PG, scripts/pg-throwaway); without one they skip
locally and fail under CI.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cli_workbooks import common, members, run_cli, unit, write_units_workbook
from conftest import fresh_pg_database

from aidctl.register import Register
from aidctl.register import postgres as pg_register

WAIT = {"AIDCTL_LOCK_WAIT_SECONDS": "0.3"}
GATE = (7, 7)  # an advisory key outside aidctl's lock space: the test's own gate


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AIDCTL_LOCK_WAIT_SECONDS", raising=False)


@pytest.fixture
def units_book(tmp_path: Path) -> Path:
    return write_units_workbook(tmp_path / "units.xlsx", [unit("U1", 3)], members("U1", 0, 3))


@pytest.fixture
def url() -> Iterator[str]:
    with fresh_pg_database() as location:
        yield location


def _run_count(location: str) -> int:
    with psycopg.connect(location, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM runs").fetchone()
    assert row is not None
    return int(row[0])


def _waiting_pid(admin: psycopg.Connection[Any]) -> int:
    """The backend that waits at the test's gate (polled until it does)."""
    for _ in range(200):
        row = admin.execute(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND classid = %s AND objid = %s",
            GATE,
        ).fetchone()
        if row is not None:
            return int(row[0])
        threading.Event().wait(0.05)
    raise AssertionError("the upgrade never reached the gate")


def test_an_upgrade_in_progress_is_the_busy_sentence_naming_it_l190(
    url: str, units_book: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A colleague's aidctl is upgrading an empty database's schema (it holds the migration
    lock, its last migration waits at the test's gate): enroll waits 0.3 s, then says the
    register is busy, a schema upgrade holds it (its process), exit 2 — in English and in
    Chinese. Once the upgrade has finished, the same enroll runs (the other side)."""
    from aidctl.register.postgres_schema import MIGRATIONS

    gated = (max(m[0] for m in MIGRATIONS) + 1, "gate", "SELECT pg_advisory_xact_lock(7, 7)")
    monkeypatch.setattr(pg_register, "MIGRATIONS", [*MIGRATIONS, gated])
    failures: list[BaseException] = []

    def upgrade() -> None:
        try:
            Register.open(url).close()  # lock_timeout 30 s: it outwaits the test's gate
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_advisory_lock(%s, %s)", GATE)
        holder = threading.Thread(target=upgrade)
        holder.start()
        try:
            pid = _waiting_pid(admin)
            en = run_cli("enroll", units_book, *common(url, "--lang", "en"), env=WAIT)
            zh = run_cli("enroll", units_book, *common(url), env=WAIT)
        finally:
            admin.execute("SELECT pg_advisory_unlock(%s, %s)", GATE)
            holder.join(timeout=60)
    assert not failures, failures
    assert en.exit_code == 2 and zh.exit_code == 2
    assert f"is busy: an aidctl schema upgrade (process {pid}, since " in en.stderr
    assert "is writing to it; waited 0.3 s (lock_wait_seconds" in en.stderr
    assert "nothing was recorded: run the command again when it has finished" in en.stderr
    assert "cannot be read" not in en.stderr and "unexpected error" not in en.stderr
    assert f"正被占用：aidctl 的结构升级（进程 {pid}，自 " in zh.stderr
    assert "已等待 0.3 秒" in zh.stderr and "未登记任何内容" in zh.stderr
    assert _run_count(url) == 0
    again = run_cli("enroll", units_book, *common(url), env=WAIT)
    assert again.exit_code == 0, again.stderr
    assert _run_count(url) == 1


def test_a_table_another_program_locks_is_the_busy_sentence_for_writes_and_reads_l190(
    url: str, units_book: Path
) -> None:
    """An administrator's psql holds ACCESS EXCLUSIVE on `runs`: a recording command and a
    command that only reads both wait lock_wait_seconds, then name that session (its
    application, user, process) in one sentence, exit 2; nothing is recorded. After the
    lock is released both run (the other side of the boundary)."""
    assert run_cli("enroll", units_book, *common(url)).exit_code == 0
    with psycopg.connect(url, application_name="psql") as holder:
        holder.execute("LOCK TABLE runs IN ACCESS EXCLUSIVE MODE")
        row = holder.execute("SELECT pg_backend_pid(), current_user").fetchone()
        assert row is not None
        pid, user = row
        write_en = run_cli("enroll", units_book, *common(url, "--lang", "en"), env=WAIT)
        write_zh = run_cli("enroll", units_book, *common(url), env=WAIT)
        read_en = run_cli("runs", "--db", url, "--lang", "en", env=WAIT)
        read_zh = run_cli("runs", "--db", url, env=WAIT)
        holder.rollback()
    who_en = f"is busy: another session (application psql, user {user}, process {pid}, since "
    who_zh = f"正被占用：另一个会话（应用 psql，用户 {user}，进程 {pid}，自 "
    for result in (write_en, read_en):
        assert result.exit_code == 2, result.stderr
        assert who_en in result.stderr
        assert ") holds a lock on it; waited 0.3 s (lock_wait_seconds" in result.stderr
        assert "unexpected error" not in result.stderr and "cannot be read" not in result.stderr
    for result in (write_zh, read_zh):
        assert result.exit_code == 2, result.stderr
        assert who_zh in result.stderr and "）持有其锁；已等待 0.3 秒" in result.stderr
    assert _run_count(url) == 1
    assert run_cli("runs", "--db", url, env=WAIT).exit_code == 0
    assert run_cli("enroll", units_book, *common(url), env=WAIT).exit_code == 0
    assert _run_count(url) == 2


def test_register_check_and_backup_of_a_locked_table_are_busy_not_stuck_l190(
    tmp_path: Path, url: str, units_book: Path
) -> None:
    """An administrator holds ACCESS EXCLUSIVE on `decisions`: `register check` (its reads)
    and `register backup` (pg_dump's table locks, --lock-wait-timeout) wait 0.3 s, then say
    the register is busy, exit 2, and no backup is left behind — neither waits forever.
    Released, both run."""
    assert run_cli("enroll", units_book, *common(url)).exit_code == 0
    copy = tmp_path / "copy.pgdump"
    with psycopg.connect(url, application_name="psql") as holder:
        holder.execute("LOCK TABLE decisions IN ACCESS EXCLUSIVE MODE")
        check = run_cli("register", "check", "--db", url, "--lang", "en", env=WAIT)
        backup = run_cli("register", "backup", copy, "--db", url, "--lang", "en", env=WAIT)
        holder.rollback()
    for result in (check, backup):
        assert result.exit_code == 2, result.stderr
        assert "is busy: another session (application psql, user " in result.stderr
        assert "waited 0.3 s (lock_wait_seconds" in result.stderr
    assert list(tmp_path.glob("*copy.pgdump*")) == []
    assert run_cli("register", "check", "--db", url, env=WAIT).exit_code == 0
    assert run_cli("register", "backup", copy, "--db", url, env=WAIT).exit_code == 0
    assert copy.exists()


def test_a_lock_released_within_the_wait_is_no_busy_register_l190(
    url: str, units_book: Path
) -> None:
    """The boundary's other side: the holder lets go after 0.3 s, the command waits up to
    5 s — it simply runs, and its run is recorded."""
    assert run_cli("enroll", units_book, *common(url)).exit_code == 0
    holder = psycopg.connect(url)
    try:
        holder.execute("LOCK TABLE runs IN ACCESS EXCLUSIVE MODE")
        release = threading.Timer(0.3, holder.rollback)
        release.start()
        result = run_cli("enroll", units_book, *common(url), env={"AIDCTL_LOCK_WAIT_SECONDS": "5"})
        release.join()
    finally:
        holder.close()
    assert result.exit_code == 0, result.stderr
    assert _run_count(url) == 2


def test_a_migration_waiting_for_a_table_is_busy_not_cannot_be_read_l190(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening a register whose schema_migrations another session locks (a migration of a
    colleague's aidctl, or an administrator's): the opener's RegisterError is the busy
    sentence, for a recording and a read-only opener alike — never "cannot be read"."""
    from aidctl.errors import RegisterError

    Register.open(url).close()
    monkeypatch.setenv("AIDCTL_LOCK_WAIT_SECONDS", "0.2")
    with psycopg.connect(url) as holder:
        holder.execute("LOCK TABLE schema_migrations IN ACCESS EXCLUSIVE MODE")
        for opener in (Register.open, Register.open_read_only):
            with pytest.raises(RegisterError) as busy:
                opener(url)
            assert "is busy: another session (" in busy.value.en
            assert "waited 0.2 s" in busy.value.en
            assert "cannot be read" not in busy.value.en
            assert "正被占用" in busy.value.zh and "已等待 0.2 秒" in busy.value.zh
        holder.rollback()
    Register.open_read_only(url).close()  # released: it opens


def test_a_statement_the_server_cancels_is_said_as_it_is_not_busy_l191(
    url: str, units_book: Path
) -> None:
    """statement_timeout (200 ms, set for the session as a DBA would for a role) fires
    while enroll waits for a locked table, before lock_wait_seconds (5 s): the sentence
    names the cancel and statement_timeout, not a busy register (the tool cannot know the
    statement was waiting for a lock); exit 2, nothing recorded."""
    assert run_cli("enroll", units_book, *common(url)).exit_code == 0
    env = {"AIDCTL_LOCK_WAIT_SECONDS": "5", "PGOPTIONS": "-c statement_timeout=200"}
    with psycopg.connect(url) as holder:
        holder.execute("LOCK TABLE runs IN ACCESS EXCLUSIVE MODE")
        en = run_cli("enroll", units_book, *common(url, "--lang", "en"), env=env)
        zh = run_cli("enroll", units_book, *common(url), env=env)
        holder.rollback()
    assert en.exit_code == 2 and zh.exit_code == 2
    assert "the server cancelled a statement (canceling statement due to statement timeout)" in (
        en.stderr
    )
    assert "statement_timeout" in en.stderr and "nothing was recorded" in en.stderr
    assert "is busy" not in en.stderr and "unexpected error" not in en.stderr
    assert "服务器取消了一条语句" in zh.stderr and "未登记任何内容" in zh.stderr
    assert _run_count(url) == 1


def test_the_holder_is_named_in_words_l190() -> None:
    """Each kind of holder in its words (no server needed): an aidctl run by its run id and
    command, a schema upgrade, another program's session by application and user, a session
    of another role without its start (hidden from us), and none found."""
    run = pg_register._holder_words(("aidctl enroll 20261130-040000-abc123", 41, "04:00:00", "u"))
    assert run == (
        "run 20261130-040000-abc123 (enroll, process 41, since 04:00:00) is writing to it",
        "运行 20261130-040000-abc123（enroll，进程 41，自 04:00:00 起）正在写入",
    )
    upgrade = pg_register._holder_words((pg_register.UPGRADE_NAME, 42, "04:00:01", "u"))
    assert upgrade[0] == "an aidctl schema upgrade (process 42, since 04:00:01) is writing to it"
    psql = pg_register._holder_words(("psql", 43, "04:00:02", "dba"))
    assert psql == (
        "another session (application psql, user dba, process 43, since 04:00:02) holds a "
        "lock on it",
        "另一个会话（应用 psql，用户 dba，进程 43，自 04:00:02 起）持有其锁",
    )
    hidden = pg_register._holder_words(("", 44, None, "clerk2"))
    assert hidden == (
        "another session (user clerk2, process 44) holds a lock on it",
        "另一个会话（用户 clerk2，进程 44）持有其锁",
    )
    assert pg_register._holder_words(None) == (
        "another session held a lock on it",
        "另一个会话持有其锁",
    )
