"""The commands that look after a PostgreSQL register, and the ways it can be out of reach.

Why these tests (issue 14): a clerk who points `--db` at a server must get what a file
register gives — a backup that can be restored (L89), a check that says "sound" or names
the problem without SQLite's pages and file sizes (L100) — and, when the server cannot be
reached or the database is someone else's, one sentence and exit 2, with nothing written
anywhere (L88, L101). They need a PostgreSQL server (AIDCTL_TEST_PG, scripts/pg-throwaway);
without one they skip locally and fail under CI.
"""

from __future__ import annotations

import shutil
import stat
import subprocess
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from backends import query, table
from cli_workbooks import claim, members, unit, write_claims_workbook, write_units_workbook
from conftest import _with_database, fresh_pg_database, pg_server
from typer.testing import CliRunner

from aidctl.cli import app
from aidctl.register import Register

AS_OF = "2026-11-28"
TABLES = ("runs", "units", "contracts", "spells", "decisions", "voids", "live_claims")
CLEAN_ENV: Mapping[str, str | None] = {
    "AIDCTL_DB": None,
    "AIDCTL_CONFIG": None,
    "AIDCTL_POLICY": None,
    "AIDCTL_QUIET": "1",
}


def cli(*args: Any) -> tuple[int, str, str]:
    """`aidctl ARGS` in-process: (exit code, stdout, stderr)."""
    result = CliRunner().invoke(app, [str(a) for a in args], env=dict(CLEAN_ENV))
    return result.exit_code, result.stdout, result.stderr


def one_line(code: int, stdout: str, stderr: str) -> str:
    """The single sentence of a refused command: exit 2, nothing on stdout, no traceback."""
    assert code == 2, stdout + stderr
    assert "Traceback" not in stdout + stderr
    assert stdout == ""
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def rows(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the register's tables, sorted: what a backup must bring back."""
    return {name: sorted(table(url, name), key=repr) for name in TABLES}


@pytest.fixture
def pg_register(tmp_path: Path) -> Iterator[str]:
    """A PostgreSQL register with unit U1 (3 members) and one approved claim."""
    with fresh_pg_database() as url:
        book = write_units_workbook(tmp_path / "u.xlsx", [unit("U1", 3)], members("U1", 0, 3))
        out = ["--out", tmp_path / "r.xlsx"]
        assert cli("enroll", book, "--db", url, "--as-of", AS_OF, *out)[0] == 0
        claims = write_claims_workbook(
            tmp_path / "c.xlsx", [claim("LP1", 0, 病种="恶性肿瘤", 确诊日期="2026-08-01")]
        )
        assert cli("adjudicate", claims, "--db", url, "--as-of", AS_OF, *out)[0] == 0
        yield url


# ---------------------------------------------------------------- register check (L100)


def test_l100_register_check_on_postgresql_says_sound_in_both_languages(pg_register: str) -> None:
    """L100: a sound PostgreSQL register is "sound", the same sentence as a sound file."""
    code, out, err = cli("register", "check", "--db", pg_register, "--lang", "en")
    assert (code, out, err) == (0, f"Register {pg_register}: sound.\n", "")
    code, out, _err = cli("register", "check", "--db", pg_register)
    assert (code, out) == (0, f"登记库 {pg_register}：完好。\n")


def test_l100_register_check_names_a_claim_whose_live_decision_is_out_of_step(
    pg_register: str,
) -> None:
    """L100, L86: the check reads what PostgreSQL does not enforce by itself — the live
    decisions kept by triggers — and exits 1 naming the claim; sound again once mended."""
    with psycopg.connect(pg_register, autocommit=True) as conn:
        conn.execute("DELETE FROM live_claims WHERE claim_id = 'LP1'")
    code, out, _err = cli("register", "check", "--db", pg_register, "--lang", "en")
    assert code == 1
    assert out.splitlines() == [
        "live decisions: claim LP1 is out of step",
        f"Register {pg_register}: 1 problems.",
    ]
    with psycopg.connect(pg_register, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO live_claims SELECT claim_id, decision_id FROM decisions "
            "WHERE claim_id = 'LP1'"
        )
    assert cli("register", "check", "--db", pg_register)[0] == 0


# ---------------------------------------------------------------- register backup (L89, L100)


def test_l89_backup_is_an_owner_only_pg_dump_that_restores_the_same_rows(
    pg_register: str, tmp_path: Path
) -> None:
    """L89: `register backup` writes pg_dump's custom format, owner-only, renamed into
    place (no temporary file left); pg_restore into an empty database gives back every
    row. L100: the message says bytes and how to restore, not SQLite's pages."""
    copy = tmp_path / "backup" / "register-2026-11.pgdump"
    copy.parent.mkdir()
    code, out, err = cli("register", "backup", copy, "--db", pg_register, "--lang", "en")
    assert code == 0, err
    size = copy.stat().st_size
    assert out == (
        f"Backed up {pg_register} to {copy} with pg_dump ({size} bytes); "
        "restore it with pg_restore into an empty database.\n"
    )
    assert "pages" not in out
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert copy.read_bytes()[:5] == b"PGDMP"  # pg_dump's custom format
    assert sorted(p.name for p in copy.parent.iterdir()) == [copy.name]
    # restored into an empty database it is the same register, and a sound one
    pg_restore = shutil.which("pg_restore")
    assert pg_restore is not None, "pg_restore (PostgreSQL's client tools) is needed"
    with fresh_pg_database() as restored:
        done = subprocess.run(
            [pg_restore, "--no-owner", "--exit-on-error", "--dbname", restored, str(copy)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert rows(restored) == rows(pg_register)
        assert rows(restored)["decisions"]  # not two empty registers
        assert cli("register", "check", "--db", restored)[0] == 0
    # in Chinese, and into a folder: the copy is named register.pgdump there
    code, out, err = cli("register", "backup", copy.parent, "--db", pg_register)
    assert code == 0, err
    assert out.startswith(f"已用 pg_dump 备份 {pg_register} → {copy.parent}（")
    assert "页" not in out
    assert (copy.parent / "register.pgdump").stat().st_size > 0


def test_l89_backup_of_an_empty_database_is_refused_and_writes_nothing(tmp_path: Path) -> None:
    """L88, L89: an empty database is no register yet: nothing to back up, no file."""
    with fresh_pg_database() as empty:
        line = one_line(*cli("register", "backup", tmp_path / "x.pgdump", "--db", empty))
        assert line.startswith(f"aidctl: 登记库 {empty}：不存在")
        assert query(empty, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == [(0,)]
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------- out of reach (L88, L101)


def _unreachable() -> str:
    """The test server's address with a socket folder where no server listens."""
    pg_server()  # skip (locally) or fail (CI) without a server, as every PostgreSQL test
    return "postgresql://aidctl@/aidctl_test?host=/nonexistent-aidctl-socket&port=5999"


def _commands(tmp_path: Path) -> dict[str, list[Any]]:
    units = write_units_workbook(tmp_path / "u.xlsx", [unit("U9", 1)], members("U9", 50, 1))
    claims = write_claims_workbook(
        tmp_path / "c.xlsx", [claim("LP9", 0, 病种="恶性肿瘤", 确诊日期="2026-08-01")]
    )
    return {
        "enroll": ["enroll", units, "--as-of", AS_OF],
        "adjudicate": ["adjudicate", claims, "--as-of", AS_OF],
        "adjudicate --dry-run": ["adjudicate", claims, "--as-of", AS_OF, "--dry-run"],
        "register check": ["register", "check"],
        "register backup": ["register", "backup", tmp_path / "copy.pgdump"],
        "payments": ["payments", "--period", "2026-11"],
    }


COMMANDS = [
    "enroll",
    "adjudicate",
    "adjudicate --dry-run",
    "register check",
    "register backup",
    "payments",
]


@pytest.mark.parametrize("command", COMMANDS)
def test_l101_an_unreachable_server_is_one_sentence_and_exit_2(
    command: str, tmp_path: Path
) -> None:
    """L101: no server at the address: one sentence saying what to check, exit 2; nothing
    falls back to a file and no report or copy is written."""
    url = _unreachable()
    args = _commands(tmp_path)[command]
    before = sorted(p.name for p in tmp_path.iterdir())
    line = one_line(*cli(*args, "--db", url, "--lang", "en"))
    assert line.startswith(
        f"aidctl: Register {url}: the PostgreSQL server cannot be reached or the database "
        "does not exist ("
    )
    assert line.endswith(
        "check the address, that the server runs and that the database was created (createdb)."
    )
    zh = one_line(*cli(*args, "--db", url))
    assert zh.startswith(f"aidctl: 登记库 {url}：无法连接 PostgreSQL 服务器")
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_l101_a_password_in_the_address_is_not_shown(tmp_path: Path) -> None:
    """L101: the sentence names the address without its password."""
    url = _unreachable().replace("aidctl@", "aidctl:s3cret@")
    line = one_line(*cli("register", "check", "--db", url, "--lang", "en"))
    assert "s3cret" not in line
    assert "aidctl:***@" in line


@pytest.mark.parametrize("command", COMMANDS)
def test_l88_a_database_that_is_not_a_register_is_one_sentence_and_left_as_it_was(
    command: str, tmp_path: Path
) -> None:
    """L88: a database holding another program's tables is refused by every command, one
    sentence and exit 2, and not one table or row of it changes."""
    args = _commands(tmp_path)[command]
    with fresh_pg_database() as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
            conn.execute("INSERT INTO contacts VALUES ('张三', '13800000000')")
        tables = "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
        line = one_line(*cli(*args, "--db", url, "--lang", "en"))
        assert line == (
            f"aidctl: Register {url}: is not an aidctl register (the database holds other "
            "tables); it was left untouched."
        )
        assert query(url, tables) == [("contacts",)]
        assert query(url, "SELECT * FROM contacts") == [("张三", "13800000000")]
    assert not (tmp_path / "copy.pgdump").exists()


# ---------------------------------------------------------------- the order of rows (L102)


@contextmanager
def icu_database() -> Iterator[str]:
    """A database whose default collation is ICU's en-US, as a server set up for people
    sorts (u1 before U2); SQLite sorts text by its bytes (U2 before u1)."""
    server = pg_server()
    name = f"aidctl_icu_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(
            f'CREATE DATABASE "{name}" TEMPLATE template0 LOCALE_PROVIDER icu '
            "ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'"
        )
    try:
        yield _with_database(server, name)
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _month_of_payments(db: Any, tmp_path: Path) -> list[tuple[str, str, int]]:
    """Claims lp1 and LP2 paid, LP2 voided in the same month: the payments export's rows."""
    book = write_units_workbook(tmp_path / "u.xlsx", [unit("U1", 2)], members("U1", 0, 2))
    assert cli("enroll", book, "--db", db, "--as-of", AS_OF, "--out", tmp_path / "e.xlsx")[0] == 0
    claims = write_claims_workbook(
        tmp_path / "c.xlsx",
        [
            claim("LP2", 1, 病种="恶性肿瘤", 确诊日期="2026-08-01"),
            claim("lp1", 0, 病种="恶性肿瘤", 确诊日期="2026-08-01"),
        ],
    )
    code, _out, err = cli("adjudicate", claims, "--db", db, "--as-of", AS_OF, "--out", "d.xlsx")
    assert code == 0, err
    code, _out, err = cli("void", "LP2", "--reason", "材料有误", "--db", db, "--as-of", AS_OF)
    assert code == 0, err
    with Register.open(db, create=False) as reg:
        frame = reg.payments_in_period("2026-11")
    return [tuple(r) for r in frame.select("claim_id", "kind", "amount").rows()]


def test_l102_payments_come_in_the_files_order_on_a_server_that_sorts_for_people(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """L102: the finance export lists rows by unit and claim id by their bytes (LP2 before
    lp1, as SQLite does), and a claim's payment before its reversal, even when the
    database's own collation would sort lp1 first."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "file").mkdir()
    on_file = _month_of_payments(tmp_path / "file" / "reg.sqlite3", tmp_path / "file")
    assert on_file == [
        ("LP2", "payment", 15000),
        ("LP2", "reversal", -15000),
        ("lp1", "payment", 15000),
    ]
    (tmp_path / "icu").mkdir()
    with icu_database() as url:
        assert query(url, "SELECT 'lp1' < 'LP2'") == [(True,)]  # the server sorts for people
        assert _month_of_payments(url, tmp_path / "icu") == on_file
