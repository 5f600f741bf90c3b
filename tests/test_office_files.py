"""Workbooks saved by an office suite, not by openpyxl: the intake reads what clerks send.

Why these tests: every other test writes its workbooks with openpyxl, which stores cells
the way openpyxl does. Clerks' files come out of Excel, WPS or LibreOffice: `.xls` (binary
BIFF8), `.ods`, an `.xlsx` with shared strings, number formats and cached formula values,
and "CSV" in GB18030. The files in tests/fixtures/office/ were converted by LibreOffice
from two small source workbooks (tests/fixtures/office/make_fixtures.py rebuilds them;
these tests never call LibreOffice). Each is read here and every typed value is checked:
ids stay text (leading zeros and a final X kept), dates are dates whatever their style,
a formula is read by its value, and an id typed into a number cell is a finding, never a
guessed id.
"""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from cli_workbooks import run_cli

from aidctl.core.findings import FINDING_SCHEMA
from aidctl.intake import CLAIMS_SCHEMA, MEMBERS_SCHEMA, UNITS_SCHEMA, read_claims
from aidctl.intake import read_units_workbook as read_units

FIXTURES = Path(__file__).parent / "fixtures" / "office"
SPREADSHEETS = ("xlsx", "xls", "ods")
CLAIMS_FILES = ("claims.xlsx", "claims.xls", "claims.ods", "claims.csv", "claims-gb18030.csv")

ID_1 = "320705199001010004"
ID_2 = "32070519850315007X"
ID_3 = "320706198001010014"
# 320705199001010020 typed into a number cell: a float64 holds 320705199001009984.
ID_AS_NUMBER_READ = "320705199001009984"

EXPECTED_UNITS: list[dict[str, Any]] = [
    {
        "unit_code": "00123",
        "unit_name": "连云港甲公司",
        "total_staff": 12,
        "effective_date": dt.date(2026, 1, 1),
        "contract_no": None,
        "individual_share_pct": 20.0,
        "total_payroll": 1234567.89,
        "contact": "王芳",
        "phone": "0518-85800000",
        "received_date": None,
        "enrolment_kind": None,
        "_sheet": "参保单位",
        "_row": 3,
        "_bad_fields": "",
    },
    {
        "unit_code": "U002",
        # text is NFKC-normalised on reading: full-width brackets become ASCII ones
        "unit_name": "乙公司(海州)",
        "total_staff": 3,
        "effective_date": dt.date(2026, 3, 1),  # written as the text 2026年3月1日
        "contract_no": None,
        "individual_share_pct": 15.0,  # 15% in a percentage cell is the number 0.15
        "total_payroll": None,
        "contact": "李四",
        "phone": "13800000000",
        "received_date": None,
        "enrolment_kind": None,
        "_sheet": "参保单位",
        "_row": 4,
        "_bad_fields": "",
    },
]
EXPECTED_MEMBERS: list[dict[str, Any]] = [
    {
        "unit_code": "00123",
        "id_number": ID_1,
        "name": "张三",
        "employment_type": "formal",
        "engagement_months": None,
        "join_date": None,
        "_sheet": "参保职工",
        "_row": 3,
        "_bad_fields": "",
    },
    {
        "unit_code": "00123",
        "id_number": ID_2,
        "name": "李梅",
        "employment_type": "temporary",
        "engagement_months": 24,
        "join_date": dt.date(2026, 3, 1),
        "_sheet": "参保职工",
        "_row": 4,
        "_bad_fields": "",
    },
    {
        "unit_code": "U002",
        "id_number": ID_3,
        "name": "王五",
        "employment_type": "contract",
        "engagement_months": None,
        "join_date": dt.date(2026, 4, 15),  # the text 2026/04/15
        "_sheet": "参保职工",
        "_row": 5,
        "_bad_fields": "",
    },
    {
        "unit_code": "U002",
        "id_number": ID_AS_NUMBER_READ,
        "name": "赵六",
        "employment_type": "contract",
        "engagement_months": None,
        "join_date": None,
        "_sheet": "参保职工",
        "_row": 6,
        "_bad_fields": "id_number",
    },
]

EXPECTED_CLAIMS: list[dict[str, Any]] = [
    {
        "claim_id": "LP2026-0001",
        "id_number": ID_1,
        "name": "张三",
        "unit_code": "00123",
        "claim_type": "critical_illness",
        "disease": "恶性肿瘤",
        "diagnosis_code": None,
        "diagnosis_date": dt.date(2026, 8, 1),
        "accident_date": None,
        "disability_grade": None,
        "treatment_end_date": None,
        "death_date": None,
        "brave_act": False,
        "exclusion": None,
        "preexisting_undisclosed": False,
        "fraud": False,  # blank means no
        "note": "=SUM(A1:A9)",  # text that looks like a formula stays text
        "_row": 3,
        "_bad_fields": "",
    },
    {
        "claim_id": "LP2026-0002",
        "id_number": ID_2,
        "name": "李梅",
        "unit_code": "00123",
        "claim_type": "accident_disability",
        "disease": None,
        "diagnosis_code": None,
        "diagnosis_date": None,
        "accident_date": dt.date(2026, 3, 5),  # the text 2026/03/05
        "disability_grade": 5,  # 五级
        "treatment_end_date": dt.date(2026, 6, 30),
        "death_date": None,
        "brave_act": True,  # 是
        "exclusion": None,  # 无
        "preexisting_undisclosed": False,
        "fraud": False,  # N
        "note": "工伤",
        "_row": 4,
        "_bad_fields": "",
    },
    {
        "claim_id": "LP2026-0003",
        "id_number": ID_3,
        "name": "王五",
        "unit_code": "U002",
        "claim_type": "accident_death",
        "disease": None,
        "diagnosis_code": None,
        "diagnosis_date": None,
        "accident_date": dt.date(2026, 4, 1),  # a date with a time of day, 14:30
        "disability_grade": 7,  # the formula =10-3, read by its stored value
        "treatment_end_date": None,
        "death_date": dt.date(2026, 4, 2),  # the text 20260402
        "brave_act": False,  # ×
        "exclusion": "fighting;drunkenness",  # 醉酒、斗殴, in canonical order
        "preexisting_undisclosed": True,  # √
        "fraud": False,  # 否
        "note": None,
        "_row": 5,
        "_bad_fields": "",
    },
]


def _rows(frame: pl.DataFrame, drop: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    return frame.drop(list(drop)).to_dicts()


# ---------------------------------------------------------------- the files are office files


def test_every_fixture_is_there_and_small() -> None:
    names = {p.name for p in FIXTURES.iterdir() if p.suffix != ".py"}
    damaged = {"damaged-panic.xls", "damaged-alloc.xls"}  # for tests/test_fuzz_intake.py
    assert names == {f"units.{ext}" for ext in SPREADSHEETS} | set(CLAIMS_FILES) | damaged
    assert all((FIXTURES / name).stat().st_size < 64 * 1024 for name in names)


@pytest.mark.parametrize("stem", ["units", "claims"])
def test_the_fixtures_were_written_by_libreoffice(stem: str) -> None:
    """Not openpyxl files renamed: each carries LibreOffice's own structure."""
    with zipfile.ZipFile(FIXTURES / f"{stem}.xlsx") as xlsx:
        assert "LibreOffice" in xlsx.read("docProps/app.xml").decode()
        # LibreOffice stores text in a shared-strings table, as Excel does
        assert "xl/sharedStrings.xml" in xlsx.namelist()
    with zipfile.ZipFile(FIXTURES / f"{stem}.ods") as ods:
        assert ods.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
        assert "LibreOffice" in ods.read("meta.xml").decode()
    # .xls is BIFF8 inside an OLE2 compound file
    assert (FIXTURES / f"{stem}.xls").read_bytes()[:8] == bytes.fromhex("D0CF11E0A1B11AE1")


def test_the_gb18030_csv_is_not_utf8() -> None:
    data = (FIXTURES / "claims-gb18030.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert "理赔编号" in data.decode("gb18030")
    assert (FIXTURES / "claims.csv").read_bytes().decode("utf-8").startswith("2026年")


# ---------------------------------------------------------------- units workbooks


@pytest.mark.parametrize("ext", SPREADSHEETS)
def test_units_workbook_values(ext: str) -> None:
    intake = read_units(FIXTURES / f"units.{ext}")
    assert intake.units.schema == pl.Schema(UNITS_SCHEMA)
    assert intake.members.schema == pl.Schema(MEMBERS_SCHEMA)
    assert _rows(intake.units) == EXPECTED_UNITS
    assert _rows(intake.members) == EXPECTED_MEMBERS


@pytest.mark.parametrize("ext", SPREADSHEETS)
def test_units_workbook_findings(ext: str) -> None:
    """The percentage cell (15% typed, the number 0.15 stored) is read as 15 without a
    hint (L183: it was typed as a percent); the id in a number cell is an error naming its
    cell — and the id read is not the id typed."""
    path = FIXTURES / f"units.{ext}"
    intake = read_units(path)
    assert intake.findings.schema == pl.Schema(FINDING_SCHEMA)
    assert intake.findings.to_dicts() == [
        {
            "file": str(path),
            "sheet": "参保职工",
            "row": 6,
            "column": "身份证号",
            "code": "ID_STORED_AS_NUMBER",
            "severity": "error",
            "value": ID_AS_NUMBER_READ,
            "unit_code": "U002",
            "id_number": ID_AS_NUMBER_READ,
        },
    ]


@pytest.mark.parametrize("ext", SPREADSHEETS)
def test_units_raw_copy_keeps_the_headers_as_written(ext: str) -> None:
    intake = read_units(FIXTURES / f"units.{ext}")
    assert intake.members_raw.columns == [
        "单位编码",
        "身份证号",
        "姓名",
        "用工性质",
        "聘用期限（月）",
        "增员日期",
        "_row",
    ]
    assert intake.members_raw["身份证号"].to_list()[:3] == [ID_1, ID_2, ID_3]


# ---------------------------------------------------------------- claims workbooks


@pytest.mark.parametrize("name", CLAIMS_FILES)
def test_claims_values(name: str) -> None:
    intake = read_claims(FIXTURES / name)
    assert intake.claims.schema == pl.Schema(CLAIMS_SCHEMA)
    assert _rows(intake.claims, drop=("content", "_sheet")) == EXPECTED_CLAIMS
    assert intake.findings.height == 0
    expected_sheet = "理赔申请" if name.endswith(SPREADSHEETS) else Path(name).stem
    assert intake.claims["_sheet"].unique().to_list() == [expected_sheet]


def test_every_format_gives_the_same_claim_content() -> None:
    """`content` decides whether a resent claim changed (L3): the same rows saved in another
    format must not look like changed claims."""
    contents = {
        name: read_claims(FIXTURES / name).claims["content"].to_list() for name in CLAIMS_FILES
    }
    first = contents[CLAIMS_FILES[0]]
    assert all(value == first for value in contents.values())
    assert first[0].startswith(f"claim_type=critical_illness|id_number={ID_1}|name=张三|")


# ---------------------------------------------------------------- end to end


@pytest.mark.parametrize("ext", SPREADSHEETS)
def test_validate_enrollment_runs_on_office_files(ext: str, tmp_path: Path) -> None:
    result = run_cli(
        "validate-enrollment",
        FIXTURES / f"units.{ext}",
        "--db",
        tmp_path / "reg.sqlite3",
        "--as-of",
        "2026-11-28",
        "--out",
        tmp_path / "check.xlsx",
        "--json",
    )
    assert result.exit_code == 1, result.stderr  # 00123 has 12 staff and 2 members
    doc = json.loads(result.stdout)
    by_code = {u["unit_code"]: u for u in doc["units"]}
    assert set(by_code) == {"00123", "U002"}
    assert (by_code["00123"]["total_staff"], by_code["00123"]["eligible"]) == (12, 2)
    issues = {(i["row"], i["code"]) for i in doc["member_issues"]}
    assert (6, "ID_STORED_AS_NUMBER") in issues
    assert not (tmp_path / "reg.sqlite3").exists()  # validation never creates a register


@pytest.mark.parametrize("name", CLAIMS_FILES)
def test_adjudicate_dry_run_on_office_files(name: str, tmp_path: Path) -> None:
    result = run_cli(
        "adjudicate",
        FIXTURES / name,
        "--db",
        tmp_path / "reg.sqlite3",
        "--as-of",
        "2026-11-28",
        "--dry-run",
        "--out",
        tmp_path / "decisions.xlsx",
        "--json",
    )
    assert result.exit_code in (0, 1), result.stderr
    doc = json.loads(result.stdout)
    assert [c["claim_id"] for c in doc["claims"]] == ["LP2026-0001", "LP2026-0002", "LP2026-0003"]
    assert not (tmp_path / "reg.sqlite3").exists()
