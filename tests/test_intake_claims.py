"""The claims workbook: sheet choice, typed columns, findings, `content`, exit-2 failures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from aidctl.errors import InputError
from aidctl.intake import CLAIMS_SCHEMA, read_claims

HEADER = ["理赔编号", "身份证号", "姓名", "申请类型", "病种", "确诊日期"]
ID_A = "320706198001010012"


def write_xlsx(path: Path, sheets: Mapping[str, Sequence[Sequence[Any]]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def claims_of(
    tmp_path: Path, rows: Sequence[Sequence[Any]], name: str = "claims.xlsx"
) -> pl.DataFrame:
    return read_claims(write_xlsx(tmp_path / name, {"理赔申请": rows})).claims


def test_claims_frame_has_the_documented_columns(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        {"理赔申请": [HEADER, ["C1", ID_A, "张三", "重大疾病", "C1-01", dt.date(2026, 3, 1)]]},
    )
    got = read_claims(path)
    assert dict(got.claims.schema) == CLAIMS_SCHEMA
    assert got.claims.columns == [
        "claim_id",
        "id_number",
        "name",
        "unit_code",
        "claim_type",
        "disease",
        "diagnosis_code",
        "diagnosis_date",
        "accident_date",
        "disability_grade",
        "treatment_end_date",
        "death_date",
        "brave_act",
        "exclusion",
        "preexisting_undisclosed",
        "fraud",
        "note",
        "content",
        "_sheet",
        "_row",
        "_bad_fields",
    ]
    row = got.claims.row(0, named=True)
    assert (row["claim_type"], row["disease"], row["diagnosis_date"]) == (
        "critical_illness",
        "C1-01",
        dt.date(2026, 3, 1),
    )
    assert (row["_sheet"], row["_row"], row["_bad_fields"]) == ("理赔申请", 2, "")
    assert got.findings.height == 0
    assert got.raw.columns == [*HEADER, "_row"]


def test_the_sheet_named_claims_wins_over_the_first_sheet(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        {
            "说明": [["请在“申请”工作表填写"]],
            "申请": [HEADER, ["C9", ID_A, "张三", "大病", "尿毒症", "2026-04-01"]],
        },
    )
    assert read_claims(path).claims["claim_id"].to_list() == ["C9"]


def test_without_a_named_sheet_the_first_sheet_is_read(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx",
        {
            "Sheet1": [HEADER, ["C1", ID_A, "张三", "大病", "癌症", "2026-04-01"]],
            "Sheet2": [HEADER, ["C2", ID_A, "张三", "大病", "癌症", "2026-04-01"]],
        },
    )
    got = read_claims(path)
    assert got.claims["claim_id"].to_list() == ["C1"]
    assert got.claims["_sheet"].to_list() == ["Sheet1"]


def test_type_specific_columns_may_be_absent_and_are_null(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["理赔编号", "身份证号", "姓名", "申请类型"],
        ["C1", ID_A, "张三", "意外身故"],
    ]
    got = read_claims(write_xlsx(tmp_path / "c.xlsx", {"claims": rows}))
    row = got.claims.row(0, named=True)
    for key in ("disease", "diagnosis_date", "accident_date", "disability_grade", "death_date"):
        assert row[key] is None
    # Yes/no columns that are absent read as "no", like a blank cell.
    assert (row["brave_act"], row["preexisting_undisclosed"], row["fraud"]) == (
        False,
        False,
        False,
    )
    assert row["_bad_fields"] == ""
    assert got.findings.height == 0


def test_accident_columns_words_grades_flags_and_exclusions(tmp_path: Path) -> None:
    header = [
        "案件号",
        "证件号码",
        "姓名",
        "单位编码",
        "保障类型",
        "出险日期",
        "伤残等级",
        "治疗终结日期",
        "死亡日期",
        "见义勇为",
        "出险原因",
        "既往症未告知",
        "材料造假",
        "备注",
    ]
    cells: dict[str, list[Any]] = {
        "A1": [
            "伤残",
            "2026/5/1",
            "伤残五级",
            "2026.8.1",
            None,
            "√",
            "斗殴、自杀",
            "否",
            "N",
            "急",
        ],
        "A2": ["意外伤残", 46143, "十一级", None, None, "是", "无", "", None, None],
        "A3": ["身故", "2026年6月1日", None, None, "20260615", None, "酒驾", "有", "Y", None],
    }
    rows: list[list[Any]] = [
        header,
        *([claim_id, ID_A, "张三", "U1", *rest] for claim_id, rest in cells.items()),
    ]
    claims = claims_of(tmp_path, rows)
    assert claims["claim_type"].to_list() == [
        "accident_disability",
        "accident_disability",
        "accident_death",
    ]
    assert claims["accident_date"].to_list() == [
        dt.date(2026, 5, 1),
        dt.date(2026, 5, 1),
        dt.date(2026, 6, 1),
    ]
    assert claims["disability_grade"].to_list() == [5, 11, None]
    assert claims["treatment_end_date"].to_list() == [dt.date(2026, 8, 1), None, None]
    assert claims["death_date"].to_list() == [None, None, dt.date(2026, 6, 15)]
    assert claims["brave_act"].to_list() == [True, True, False]
    # 酒驾 (drink-driving below 醉酒) is driving in breach of traffic rules (causes.toml)
    assert claims["exclusion"].to_list() == ["suicide;fighting", None, "traffic_violation"]
    assert claims["preexisting_undisclosed"].to_list() == [False, False, True]
    assert claims["fraud"].to_list() == [False, False, True]
    assert claims["note"].to_list() == ["急", None, None]
    assert claims["unit_code"].to_list() == ["U1"] * 3


def test_english_headers_and_values(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["Claim ID", "ID Number", "Name", "Claim Type", "Disease", "Diagnosis Date", "Fraud"],
        ["E1", "32070619800101002x", "Zhang", "critical_illness", "C2-04", "2026-02-01", "no"],
    ]  # fmt: skip
    claims = claims_of(tmp_path, rows)
    row = claims.row(0, named=True)
    assert (row["id_number"], row["claim_type"]) == ("32070619800101002X", "critical_illness")
    assert claims["fraud"].to_list() == [False]


def test_bad_cells_are_findings_and_listed_in_bad_fields(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        [*HEADER, "伤残等级", "见义勇为", "除外情形"],
        ["C1", ID_A, "张三", "住院", None, "2026-13-01", "重度", "也许", "自杀、外星人"],
        ["C2", ID_A, "张三", "大病", "恶性肿瘤", "2026-03-01", None, None, None],
    ]
    path = write_xlsx(tmp_path / "c.xlsx", {"claims": rows})
    got = read_claims(path)
    assert got.claims["_bad_fields"].to_list() == [
        "claim_type,diagnosis_date,disability_grade,brave_act,exclusion",
        "",
    ]
    bad = got.claims.row(0, named=True)
    assert [bad[k] for k in ("claim_type", "diagnosis_date", "brave_act", "exclusion")] == [
        None
    ] * 4
    assert got.findings.select("file", "sheet", "row", "column", "code", "value").rows() == [
        (str(path), "claims", 2, "申请类型", "INVALID_VALUE", "住院"),
        (str(path), "claims", 2, "确诊日期", "INVALID_VALUE", "2026-13-01"),
        (str(path), "claims", 2, "伤残等级", "INVALID_VALUE", "重度"),
        (str(path), "claims", 2, "见义勇为", "INVALID_VALUE", "也许"),
        (str(path), "claims", 2, "除外情形", "INVALID_VALUE", "自杀、外星人"),
    ]
    # The good row is untouched by the bad one.
    assert got.claims.row(1, named=True)["diagnosis_date"] == dt.date(2026, 3, 1)


def test_id_stored_as_number_in_claims_is_reported(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        HEADER,
        ["C1", 320706198001010012, "张三", "大病", "癌症", "2026-03-01"],
    ]
    got = read_claims(write_xlsx(tmp_path / "c.xlsx", {"claims": rows}))
    assert got.findings.select("row", "column", "code").rows() == [
        (2, "身份证号", "ID_STORED_AS_NUMBER")
    ]
    # The float nearest to the id, as calamine prints it: the last digits are gone.
    assert got.claims["id_number"].to_list() == ["320706198001009984"]


def test_duplicate_claim_ids_are_all_kept_for_the_core_to_decide(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        HEADER,
        ["C1", ID_A, "张三", "大病", "癌症", "2026-03-01"],
        [],
        ["C1", ID_A, "张三", "大病", "癌症", "2026-03-01"],
    ]
    claims = claims_of(tmp_path, rows)
    assert claims.select("claim_id", "_row").rows() == [("C1", 2), ("C1", 4)]


# --- content --------------------------------------------------------------------------


def test_content_is_a_plain_canonical_text_of_the_deciding_fields(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        [*HEADER, "单位编码", "伤残等级", "见义勇为", "除外情形", "备注"],
        ["C1", ID_A, "张三", "重大疾病", "C1-01", "2026/3/1", "U1", None, "否", "斗殴,自杀", "x"],
    ]
    content = claims_of(tmp_path, rows)["content"].item()
    assert content == (
        "claim_type=critical_illness|id_number=320706198001010012|name=张三|unit_code=U1|"
        "disease=C1-01|diagnosis_date=2026-03-01|accident_date=|disability_grade=|"
        "treatment_end_date=|death_date=|brave_act=false|exclusion=suicide;fighting|"
        "preexisting_undisclosed=false|fraud=false"
    )


def test_content_is_the_same_whatever_the_spelling_position_or_note(tmp_path: Path) -> None:
    first: list[list[Any]] = [
        [*HEADER, "备注"],
        ["C1", ID_A, "张三", "大病", "癌症", dt.date(2026, 3, 1), "初次"],
    ]
    second: list[list[Any]] = [
        ["标题"],
        ["备注", "确诊日期", "病种", "申请类型", "姓名", "身份证号", "理赔编号"],
        ["补充材料", "2026年3月1日", " 癌症 ", "重大疾病", "张三", ID_A, "C1"],
    ]
    a = claims_of(tmp_path, first, "a.xlsx")["content"].item()
    b = claims_of(tmp_path, second, "b.xlsx")["content"].item()
    assert a == b


def test_content_changes_when_a_deciding_field_changes(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        HEADER,
        ["C1", ID_A, "张三", "大病", "癌症", "2026-03-01"],
        ["C1", ID_A, "张三", "大病", "癌症", "2026-03-02"],
        ["C1", ID_A, "张三", "大病", "尿毒症", "2026-03-01"],
    ]
    contents = claims_of(tmp_path, rows)["content"].to_list()
    assert len(set(contents)) == 3


# --- exit-2 failures ------------------------------------------------------------------


def test_missing_required_claim_columns_are_named(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "c.xlsx", {"claims": [["理赔编号", "姓名", "病种"], ["C1", "张三", "癌症"]]}
    )
    with pytest.raises(InputError) as caught:
        read_claims(path)
    assert caught.value.en == (
        f"The sheet 'claims' of {path} lacks the required columns "
        "身份证号 (id_number), 申请类型 (claim_type)."
    )
    assert "身份证号（id_number）、申请类型（claim_type）" in caught.value.zh


def test_csv_claims_in_gb18030(tmp_path: Path) -> None:
    path = tmp_path / "理赔.csv"
    text = "理赔编号,身份证号,姓名,申请类型,伤残等级\nC1,32070619800101002x,张三,伤残,三级\n"
    path.write_bytes(text.encode("gb18030"))
    claims = read_claims(path).claims
    assert claims.select("id_number", "claim_type", "disability_grade", "_sheet").rows() == [
        ("32070619800101002X", "accident_disability", 3, "理赔")
    ]


def test_missing_claims_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="does not exist"):
        read_claims(tmp_path / "none.xlsx")


def test_corrupt_workbook_is_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "c.xlsx"
    path.write_bytes(b"PK\x03\x04 truncated zip")
    with pytest.raises(InputError) as caught:
        read_claims(path)
    assert "cannot be read as a spreadsheet" in caught.value.en


@pytest.mark.parametrize("header", ["诊断编码", "疾病编码", "ICD-10", "ICD编码", "ICD10", "icd-10"])
def test_D10_diagnosis_code_is_read_as_text_under_each_header(tmp_path: Path, header: str) -> None:
    """D10 / formats.md: the ICD-10 code beside the name is read as text; the content
    carries it only when filled in, so that a claim decided before the column existed is
    still the same claim on a rerun (L3)."""
    rows = [
        [*HEADER, header],
        ["C1", ID_A, "张三", "重大疾病", "胃癌", dt.date(2026, 3, 1), "C16.9"],
        ["C2", ID_A, "张三", "重大疾病", "胃癌", dt.date(2026, 3, 1), None],
    ]
    claims = claims_of(tmp_path, rows)
    assert claims["diagnosis_code"].to_list() == ["C16.9", None]
    first, second = claims["content"].to_list()
    assert first == second + "|diagnosis_code=C16.9"
    assert "diagnosis_code" not in second
