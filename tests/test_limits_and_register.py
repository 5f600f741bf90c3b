"""Input limits (zip bombs, huge files, too many rows) and a register that stays sound.

Why these tests: a workbook is a zip archive, and a few hundred kilobytes can expand to
gigabytes of sheet XML that the reader would try to hold; a monthly batch must refuse such
a file without opening it, and without taking the machine down. `AIDCTL_MAX_FILE_MB`,
`AIDCTL_MAX_EXPANDED_MB` and `AIDCTL_MAX_ROWS` set the limits; a bad value of one of them
is a bad option (exit 2). The register holds every member's id number: it and the
workspace are owner-only, a backup must be a sound copy, and a file given as `--db` that
is not an aidctl register (cut short, another program's database, a text file) is refused
in one sentence and left byte for byte as it was — whatever the command.

The zip bombs are built with zipfile's streaming writer: about 60 MB of sheet XML in
under 200 KB on disk, refused under a 50 MB limit, so the tests stay fast.
"""

from __future__ import annotations

import gc
import os
import re
import sqlite3
import stat
import struct
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from cli_workbooks import (
    AS_OF,
    CLEAN_ENV,
    claim,
    file_bytes,
    members,
    unit,
    write_claims_workbook,
    write_units_workbook,
)
from typer.testing import CliRunner

from aidctl.cli import app
from aidctl.errors import RegisterError
from aidctl.intake import read
from aidctl.register import Register

MB = 1 << 20
PROGRESS = re.compile(r"aidctl: (read|check|decide|record|write) \d+\.\d+s \(total .*\)")


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Default report paths land in the working folder: keep them in the test's folder."""
    monkeypatch.chdir(tmp_path)


def cli(*args: Any, env: Mapping[str, str | None] | None = None) -> tuple[int, str, str]:
    """`aidctl ARGS` in-process: (exit code, stdout, stderr).

    Only texts are kept: the result object holds the exception chain of a refused command,
    whose frames may keep a register connection open (see
    test_a_refused_register_leaves_no_wal_behind); collecting them first makes the
    byte-for-byte comparisons below compare what stays on disk."""
    result = CliRunner().invoke(
        app, [str(a) for a in args], env={**CLEAN_ENV, **(env or {})}, catch_exceptions=False
    )
    out = (result.exit_code, result.stdout, result.stderr)
    del result
    gc.collect()
    return out


def one_line(code: int, stdout: str, stderr: str) -> str:
    """The single sentence of a refused command (exit 2, no traceback, nothing on stdout)."""
    assert code == 2, stdout + stderr
    assert "Traceback" not in stderr + stdout
    assert stdout == ""
    lines = [line for line in stderr.splitlines() if not PROGRESS.fullmatch(line)]
    assert len(lines) == 1, stderr
    return lines[0]


def rows_of(db: Path) -> list[str]:
    """Schema and rows of the register, read from a copy of its bytes in memory: opening
    the file itself, even read-only, would create -wal/-shm files beside it."""
    conn = sqlite3.connect(":memory:")
    try:
        data = bytearray(db.read_bytes())
        data[18:20] = b"\x01\x01"  # as a rollback-journal file: WAL cannot live in memory
        conn.deserialize(bytes(data))
        return list(conn.iterdump())
    finally:
        conn.close()


def snapshot(db: Path) -> tuple[dict[str, bytes | None], list[str]]:
    """The register's file and write-ahead log byte for byte, and its rows."""
    return file_bytes(db), rows_of(db)


@pytest.fixture(scope="module")
def register_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A register with unit U1 (3 members) and one approved claim, built once."""
    folder = tmp_path_factory.mktemp("register")
    path = folder / "reg.sqlite3"
    book = write_units_workbook(folder / "u.xlsx", [unit("U1", 3)], members("U1", 0, 3))
    out = ["--out", folder / "r.xlsx"]
    assert cli("enroll", book, "--db", path, "--as-of", AS_OF, *out)[0] == 0
    claims = write_claims_workbook(
        folder / "c.xlsx", [claim("LP1", 0, 病种="恶性肿瘤", 确诊日期="2026-08-01")]
    )
    assert cli("adjudicate", claims, "--db", path, "--as-of", AS_OF, *out)[0] == 0
    return path.read_bytes()


@pytest.fixture
def db(tmp_path: Path, register_bytes: bytes) -> Path:
    """This test's own copy of that register."""
    path = tmp_path / "reg.sqlite3"
    path.write_bytes(register_bytes)
    path.chmod(0o600)
    return path


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every path the spreadsheet reader (calamine, via fastexcel) is asked to open."""
    calls: list[str] = []
    real = read.fastexcel.read_excel

    def spy(source: Any) -> Any:
        calls.append(str(source))
        return real(source)

    monkeypatch.setattr(read.fastexcel, "read_excel", spy)
    return calls


# ---------------------------------------------------------------- zip bombs

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    "</Relationships>"
)
SHEET = "xl/worksheets/sheet1.xml"


def _row(number: int, cells: list[str]) -> bytes:
    inline = "".join(f'<c t="inlineStr"><is><t>{text}</t></is></c>' for text in cells)
    return f'<row r="{number}">{inline}</row>'.encode()


def zip_bomb(path: Path, expanded_mb: int, sheet: str = "理赔申请") -> Path:
    """A valid one-sheet .xlsx: a claims header and one claim, then empty rows until the
    sheet XML is `expanded_mb` MB. Deflate turns the repeated rows into almost nothing,
    and zipfile's streaming writer never holds them in memory."""
    workbook = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{sheet}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        with archive.open(SHEET, "w") as xml:
            xml.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<sheetData>"
            )
            xml.write(_row(1, ["理赔编号", "身份证号", "姓名", "申请类型"]))
            xml.write(_row(2, ["LP1", "320705199001010004", "张三", "重大疾病"]))
            chunk = b"<row></row>" * 50_000  # empty rows: cheap to read under the limit
            written = 0
            while written < expanded_mb * MB:
                xml.write(chunk)
                written += len(chunk)
            xml.write(b"</sheetData></worksheet>")
    return path


def understate(path: Path, claimed: int = 4096) -> Path:
    """Rewrite the sheet's sizes in the zip headers (local and central) to `claimed`: the
    archive's own directory then lies about how far the sheet expands."""
    data = bytearray(path.read_bytes())
    name = SHEET.encode()
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] == name:
            struct.pack_into("<I", data, at + 24, claimed)  # central directory
            local = struct.unpack_from("<I", data, at + 42)[0]
            struct.pack_into("<I", data, local + 22, claimed)  # local file header
        at += 4
    path.write_bytes(bytes(data))
    return path


def expanded_mb(path: Path) -> str:
    """How the refusal states the archive's expanded size."""
    with zipfile.ZipFile(path) as archive:
        return f"{sum(i.file_size for i in archive.infolist()) / MB:,.0f}"


def test_the_bomb_is_small_on_disk_and_large_expanded(tmp_path: Path) -> None:
    bomb = zip_bomb(tmp_path / "bomb.xlsx", 60)
    assert bomb.stat().st_size < 400 * 1024
    with zipfile.ZipFile(bomb) as archive:
        assert archive.getinfo(SHEET).file_size > 60 * MB


LIMIT_50 = {"AIDCTL_MAX_EXPANDED_MB": "50"}


@pytest.mark.parametrize("command", ["adjudicate", "validate-enrollment", "enroll"])
def test_a_zip_bomb_is_refused_before_it_is_opened(
    command: str, tmp_path: Path, db: Path, opened: list[str]
) -> None:
    sheet = "理赔申请" if command == "adjudicate" else "参保单位"
    bomb = zip_bomb(tmp_path / "bomb.xlsx", 60, sheet)
    before = snapshot(db)
    line = one_line(*cli(command, bomb, "--db", db, "--as-of", AS_OF, "--lang", "en", env=LIMIT_50))
    assert line == (
        f"aidctl: {bomb} would expand to {expanded_mb(bomb)} MB when opened, more than the limit of 50 MB "
        "(AIDCTL_MAX_EXPANDED_MB); it was not opened."
    )
    assert opened == []
    assert snapshot(db) == before


def test_a_zip_bomb_sentence_in_chinese(tmp_path: Path, db: Path, opened: list[str]) -> None:
    bomb = zip_bomb(tmp_path / "bomb.xlsx", 60)
    line = one_line(*cli("adjudicate", bomb, "--db", db, "--as-of", AS_OF, env=LIMIT_50))
    assert line == (
        f"aidctl: {bomb} 解压后将达 {expanded_mb(bomb)} MB，超过上限 50 MB（AIDCTL_MAX_EXPANDED_MB），未打开。"
    )
    assert opened == []


def test_a_zip_bomb_given_as_members_file_is_refused(
    tmp_path: Path, db: Path, opened: list[str]
) -> None:
    units = write_units_workbook(tmp_path / "u.xlsx", [unit("U1", 3)], members("U1", 0, 3))
    bomb = zip_bomb(tmp_path / "members.xlsx", 60, "参保职工")
    before = snapshot(db)
    line = one_line(
        *cli("enroll", units, "--members", bomb, "--db", db, "--as-of", AS_OF, env=LIMIT_50)
    )
    assert line.startswith(f"aidctl: {bomb} 解压后将达 {expanded_mb(bomb)} MB")
    assert str(bomb) not in opened
    assert snapshot(db) == before


def test_under_the_limit_the_same_workbook_is_read(tmp_path: Path, db: Path) -> None:
    """The bomb is a valid workbook: with the limit above its size it is read (slowly)
    and its one claim decided — the refusal above is the limit, not a broken file."""
    bomb = zip_bomb(tmp_path / "small.xlsx", 2)
    code, out, err = cli("adjudicate", bomb, "--db", db, "--as-of", AS_OF, "--dry-run", "--json")
    assert code in (0, 1), err
    assert '"claim_id": "LP1"' in out


def test_a_zip_bomb_in_the_batch_inbox_is_rejected_unopened(
    tmp_path: Path, opened: list[str]
) -> None:
    ws = tmp_path / "ws"
    assert cli("init", ws)[0] == 0
    good = write_units_workbook(
        ws / "inbox" / "01-units.xlsx", [unit("U1", 3)], members("U1", 0, 3)
    )
    bomb = zip_bomb(ws / "inbox" / "02-claims.xlsx", 60)
    code, out, err = cli(
        "batch",
        "run",
        "--config",
        ws / "aidctl.toml",
        "--as-of",
        AS_OF,
        "--lang",
        "en",
        env=LIMIT_50,
    )
    assert code == 1, out + err
    assert "Traceback" not in out + err
    assert not bomb.exists()
    why = (ws / "inbox" / "rejected" / "02-claims.xlsx.why.txt").read_text(encoding="utf-8")
    assert "AIDCTL_MAX_EXPANDED_MB" in why and "it was not opened" in why
    assert not any(p.endswith("02-claims.xlsx") for p in opened)
    assert not good.exists()  # the good file went through: archived
    assert len(list((ws / "archive").iterdir())) == 1


def test_a_zip_whose_directory_understates_its_size_is_still_refused(
    tmp_path: Path, db: Path, opened: list[str]
) -> None:
    liar = understate(zip_bomb(tmp_path / "liar.xlsx", 60))
    with zipfile.ZipFile(liar) as archive:  # what check_file sees
        assert archive.getinfo(SHEET).file_size == 4096
    before = snapshot(db)
    code, out, err = cli(
        "adjudicate", liar, "--db", db, "--as-of", AS_OF, "--dry-run", "--lang", "en", env=LIMIT_50
    )
    assert snapshot(db) == before
    assert opened == [], "the reader opened the archive"
    assert "AIDCTL_MAX_EXPANDED_MB" in one_line(code, out, err)


def test_a_refused_enroll_creates_no_register(tmp_path: Path) -> None:
    bomb = zip_bomb(tmp_path / "bomb.xlsx", 60, "参保单位")
    new = tmp_path / "new.sqlite3"
    one_line(*cli("enroll", bomb, "--db", new, "--as-of", AS_OF, env=LIMIT_50))
    assert not new.exists()


# ---------------------------------------------------------------- file size and rows


def test_a_file_over_the_size_limit_is_refused_unopened(
    tmp_path: Path, db: Path, opened: list[str]
) -> None:
    big = tmp_path / "big.xlsx"
    with big.open("wb") as fh:  # sparse: 2 MB on paper, nothing on disk
        fh.truncate(2 * MB + 1)
    before = snapshot(db)
    for command in ("adjudicate", "validate-enrollment", "enroll"):
        line = one_line(
            *cli(
                command,
                big,
                "--db",
                db,
                "--as-of",
                AS_OF,
                "--lang",
                "en",
                env={"AIDCTL_MAX_FILE_MB": "1"},
            )
        )
        assert line == (f"aidctl: {big} is 2 MB, more than the limit of 1 MB (AIDCTL_MAX_FILE_MB).")
    assert opened == []
    assert snapshot(db) == before


def test_a_csv_over_the_size_limit_is_refused(tmp_path: Path, db: Path) -> None:
    csv = tmp_path / "claims.csv"
    lines = ["理赔编号,身份证号,姓名,申请类型,备注"]
    lines += [f"LP{n},320705199001010004,张三,重大疾病,{'备' * 200}" for n in range(2000)]
    csv.write_text("\n".join(lines), encoding="utf-8")
    assert csv.stat().st_size > MB
    line = one_line(
        *cli("adjudicate", csv, "--db", db, "--as-of", AS_OF, env={"AIDCTL_MAX_FILE_MB": "1"})
    )
    assert line.startswith(f"aidctl: {csv} 有 ") and line.endswith("（AIDCTL_MAX_FILE_MB）。")


def _claims(tmp_path: Path, n: int, blank_rows: int = 0) -> Path:
    path = write_claims_workbook(
        tmp_path / f"claims-{n}.xlsx",
        [claim(f"LP{i}", i, 病种="恶性肿瘤", 确诊日期="2026-08-01") for i in range(n)],
    )
    if blank_rows:
        import openpyxl

        book = openpyxl.load_workbook(path)
        sheet = book.active
        sheet.cell(row=n + 2 + blank_rows, column=16, value=" ")  # blank rows, then a space
        book.save(path)
    return path


def test_more_rows_than_the_limit_are_refused(tmp_path: Path, db: Path) -> None:
    book = _claims(tmp_path, 6)
    before = snapshot(db)
    line = one_line(
        *cli(
            "adjudicate",
            book,
            "--db",
            db,
            "--as-of",
            AS_OF,
            "--lang",
            "en",
            env={"AIDCTL_MAX_ROWS": "5"},
        )
    )
    assert line == (
        f"aidctl: The sheet '理赔申请' of {book} has 6 data rows, more than the limit of 5."
    )
    assert snapshot(db) == before


def test_rows_up_to_the_limit_run_and_blank_rows_do_not_count(tmp_path: Path, db: Path) -> None:
    book = _claims(tmp_path, 5, blank_rows=3000)
    code, _out, err = cli(
        "adjudicate",
        book,
        "--db",
        db,
        "--as-of",
        AS_OF,
        "--dry-run",
        env={"AIDCTL_MAX_ROWS": "5"},
    )
    assert code in (0, 1), err


def test_a_members_sheet_over_the_row_limit_is_refused(tmp_path: Path, db: Path) -> None:
    book = write_units_workbook(tmp_path / "u.xlsx", [unit("U2", 6)], members("U2", 10, 6))
    before = snapshot(db)
    line = one_line(
        *cli("enroll", book, "--db", db, "--as-of", AS_OF, env={"AIDCTL_MAX_ROWS": "5"})
    )
    assert line == f"aidctl: {book} 的工作表“参保职工”有 6 行数据，超过上限 5 行。"
    assert snapshot(db) == before


@pytest.mark.parametrize(
    ("name", "value", "sentence"),
    [
        ("AIDCTL_MAX_ROWS", "abc", "AIDCTL_MAX_ROWS must be a whole number, not 'abc'."),
        ("AIDCTL_MAX_ROWS", "1.5", "AIDCTL_MAX_ROWS must be a whole number, not '1.5'."),
        ("AIDCTL_MAX_FILE_MB", "0", "AIDCTL_MAX_FILE_MB must be above 0."),
        ("AIDCTL_MAX_EXPANDED_MB", "-5", "AIDCTL_MAX_EXPANDED_MB must be above 0."),
        (
            "AIDCTL_MAX_EXPANDED_MB",
            "50MB",
            "AIDCTL_MAX_EXPANDED_MB must be a whole number, not '50MB'.",
        ),
    ],
)
@pytest.mark.parametrize("command", ["adjudicate", "enroll"])
def test_a_bad_limit_value_exits_2(
    name: str, value: str, sentence: str, command: str, tmp_path: Path, db: Path
) -> None:
    if command == "adjudicate":
        book = _claims(tmp_path, 1)
    else:
        book = write_units_workbook(tmp_path / "u.xlsx", [unit("U2", 1)], members("U2", 10, 1))
    before = snapshot(db)
    line = one_line(
        *cli(command, book, "--db", db, "--as-of", AS_OF, "--lang", "en", env={name: value})
    )
    assert line == f"aidctl: {sentence}"
    assert snapshot(db) == before


def test_a_bad_limit_value_stops_the_batch_before_anything(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    cli("init", ws)
    units = write_units_workbook(ws / "inbox" / "u.xlsx", [unit("U1", 3)], members("U1", 0, 3))
    line = one_line(
        *cli(
            "batch",
            "run",
            "--config",
            ws / "aidctl.toml",
            "--as-of",
            AS_OF,
            "--lang",
            "en",
            env={"AIDCTL_MAX_ROWS": "lots"},
        )
    )
    assert line == "aidctl: AIDCTL_MAX_ROWS must be a whole number, not 'lots'."
    assert units.exists()
    assert not (ws / "register.sqlite3").exists()


# ---------------------------------------------------------------- the register's file


@pytest.fixture
def permissive_umask() -> Iterator[None]:
    """umask 000: what is owner-only must be so by the tool's own doing."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_register_and_its_journal_files_are_owner_only(
    tmp_path: Path, permissive_umask: None
) -> None:
    db = tmp_path / "new" / "reg.sqlite3"
    book = write_units_workbook(tmp_path / "u.xlsx", [unit("U1", 3)], members("U1", 0, 3))
    assert cli("enroll", book, "--db", db, "--as-of", AS_OF)[0] == 0
    assert mode(db) == 0o600
    with Register.open(db):  # while open, SQLite's -wal and -shm files exist beside it
        for suffix in ("-wal", "-shm"):
            assert mode(Path(f"{db}{suffix}")) == 0o600, suffix


def test_a_workspace_is_owner_only(tmp_path: Path, permissive_umask: None) -> None:
    ws = tmp_path / "ws"
    assert cli("init", ws)[0] == 0
    assert mode(ws) == 0o700
    for sub in ("inbox", "outbox", "archive"):
        assert mode(ws / sub) == 0o700, sub
    assert mode(ws / "aidctl.toml") == 0o600
    write_units_workbook(ws / "inbox" / "u.xlsx", [unit("U1", 3)], members("U1", 0, 3))
    code, out, err = cli("batch", "run", "--config", ws / "aidctl.toml", "--as-of", AS_OF)
    assert code == 0, out + err
    assert mode(ws / "register.sqlite3") == 0o600
    # everything else the batch wrote (reports, archive, log) is inside the 0700 folder
    assert mode(ws) == 0o700


def test_backup_is_a_sound_owner_only_copy_with_the_same_rows(
    tmp_path: Path, db: Path, permissive_umask: None
) -> None:
    copy = tmp_path / "backup" / "reg-2026-11.sqlite3"
    copy.parent.mkdir()
    code, out, err = cli("register", "backup", copy, "--db", db, "--lang", "en")
    assert code == 0, err
    assert out.startswith(f"Backed up {db} to {copy} (")
    assert mode(copy) == 0o600
    assert rows_of(copy) == rows_of(db)
    assert rows_of(db)  # not two empty dumps
    with sqlite3.connect(copy) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == 0x41494443
    code, out, _err = cli("register", "check", "--db", copy, "--lang", "en")
    assert (code, out) == (0, f"Register {copy}: sound.\n")
    # a folder as target: the copy takes the register's name
    code, _out, err = cli("register", "backup", copy.parent, "--db", db)
    assert code == 0, err
    assert rows_of(copy.parent / db.name) == rows_of(db)


def test_register_check_on_a_good_register(db: Path) -> None:
    before = snapshot(db)
    code, out, err = cli("register", "check", "--db", db, "--lang", "en")
    assert (code, out, err) == (0, f"Register {db}: sound.\n", "")
    code, out, _err = cli("register", "check", "--db", db)
    assert (code, out) == (0, f"登记库 {db}：完好。\n")
    assert snapshot(db) == before


# ---------------------------------------------------------------- files that are not registers


def _truncated(tmp_path: Path, db: Path) -> Path:
    path = tmp_path / "truncated.sqlite3"
    data = db.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _foreign(tmp_path: Path, _db: Path) -> Path:
    path = tmp_path / "contacts.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
        conn.execute("INSERT INTO contacts VALUES ('张三', '13800000000')")
    conn.close()
    return path


def _text(tmp_path: Path, _db: Path) -> Path:
    path = tmp_path / "notes.sqlite3"
    path.write_text("客户名单\n张三 13800000000\n", encoding="utf-8")
    return path


NOT_REGISTERS = {
    "truncated": (
        _truncated,
        "cannot be read (database disk image is malformed); it was left untouched.",
    ),
    "foreign": (_foreign, "is another program's database; it was left untouched."),
    "text": (_text, "is not an aidctl register (not an SQLite file); it was left untouched."),
}


def _commands(tmp_path: Path) -> dict[str, list[Any]]:
    units = write_units_workbook(tmp_path / "u.xlsx", [unit("U9", 1)], members("U9", 50, 1))
    claims = _claims(tmp_path, 1)
    return {
        "enroll": ["enroll", units, "--as-of", AS_OF],
        "validate-enrollment": ["validate-enrollment", units, "--as-of", AS_OF],
        "adjudicate": ["adjudicate", claims, "--as-of", AS_OF],
        "adjudicate --dry-run": ["adjudicate", claims, "--as-of", AS_OF, "--dry-run"],
        "register check": ["register", "check"],
        "register backup": ["register", "backup", tmp_path / "copy.sqlite3"],
        "renewals": ["renewals", "--as-of", AS_OF],
        "payments": ["payments", "--period", "2026-11"],
    }


@pytest.mark.parametrize("kind", list(NOT_REGISTERS))
@pytest.mark.parametrize(
    "command",
    [
        "enroll",
        "validate-enrollment",
        "adjudicate",
        "adjudicate --dry-run",
        "register check",
        "register backup",
        "renewals",
        "payments",
    ],
)
def test_a_file_that_is_not_a_register_is_refused_and_left_as_it_was(
    kind: str, command: str, tmp_path: Path, db: Path
) -> None:
    make, sentence = NOT_REGISTERS[kind]
    target = make(tmp_path, db)
    content = target.read_bytes()
    args = _commands(tmp_path)[command]
    line = one_line(*cli(*args, "--db", target, "--lang", "en", env={"AIDCTL_QUIET": "1"}))
    assert line == f"aidctl: Register {target}: {sentence}"
    assert target.read_bytes() == content
    for suffix in ("-wal", "-shm", "-journal"):
        assert not Path(f"{target}{suffix}").exists(), suffix
    assert not (tmp_path / "copy.sqlite3").exists()


def test_a_folder_given_as_register(tmp_path: Path) -> None:
    folder = tmp_path / "reg.sqlite3"
    folder.mkdir()
    claims = _claims(tmp_path, 1)
    for args in (["adjudicate", claims, "--as-of", AS_OF], ["register", "check"]):
        line = one_line(*cli(*args, "--db", folder, "--lang", "en"))
        assert line == f"aidctl: Register {folder}: is a folder, not a file."
    assert list(folder.iterdir()) == []


def test_a_missing_register_is_not_created_by_check_or_backup(tmp_path: Path) -> None:
    missing = tmp_path / "nope.sqlite3"
    for args in (["register", "check"], ["register", "backup", tmp_path / "copy.sqlite3"]):
        line = one_line(*cli(*args, "--db", missing, "--lang", "en"))
        assert line.startswith(f"aidctl: Register {missing}: does not exist")
    assert not missing.exists()
    assert not (tmp_path / "copy.sqlite3").exists()


def test_a_refused_register_leaves_no_wal_behind(tmp_path: Path, db: Path) -> None:
    damaged = _truncated(tmp_path, db)
    with pytest.raises(RegisterError):
        Register.open(damaged, create=False)
    leftovers = sorted(p.name for p in tmp_path.glob(f"{damaged.name}-*"))
    assert leftovers == []
