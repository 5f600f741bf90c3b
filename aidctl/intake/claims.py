"""The claims workbook: one row per claim, read for `adjudicate`.

Besides the typed columns, each claim gets `content`: a plain text of the fields that
decide it. The register keeps it with the decision, and a later run compares it to tell a
rerun of the same claim (ALREADY_DECIDED) from a changed one (CLAIM_CONFLICT, L3). It is a
string built from fixed formats — not a hash that a library version could change — so the
same row gives the same content in every run and every release.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from aidctl.intake.read import ROW, Book
from aidctl.intake.sheet import BAD_FIELDS, SHEET, Field, SheetSpec, find_sheet, read_sheet
from aidctl.intake.values import (
    CLAIM_TYPE,
    DATE,
    EXCLUSION,
    GRADE,
    ID_NUMBER,
    TEXT,
    YES_NO_FLAG,
)

CLAIMS = SheetSpec(
    what_en="claims",
    what_zh="理赔申请",
    sheet_names=("claims", "理赔申请", "申请"),
    fields=(
        Field("claim_id", TEXT, "理赔编号", ("申请编号", "案件号"), required=True),
        Field(
            "id_number",
            ID_NUMBER,
            "身份证号",
            ("身份证号码", "证件号码", "公民身份号码", "身份证"),
            required=True,
        ),
        Field("name", TEXT, "姓名", ("职工姓名",), required=True),
        Field("unit_code", TEXT, "单位编码", ("统一社会信用代码", "单位代码")),
        Field("claim_type", CLAIM_TYPE, "申请类型", ("保障类型", "类别"), required=True),
        Field("disease", TEXT, "病种", ("疾病名称", "病种名称", "诊断")),
        # D10: an ICD-10 code beside the name, read first when present
        Field("diagnosis_code", TEXT, "诊断编码", ("疾病编码", "ICD-10", "ICD编码", "ICD10")),
        Field("diagnosis_date", DATE, "确诊日期"),
        Field("accident_date", DATE, "事故日期", ("出险日期",)),
        Field("disability_grade", GRADE, "伤残等级"),
        Field("treatment_end_date", DATE, "治疗终结日期"),
        Field("death_date", DATE, "死亡日期"),
        Field("brave_act", YES_NO_FLAG, "见义勇为"),
        Field("exclusion", EXCLUSION, "除外情形", ("出险原因",)),
        Field("preexisting_undisclosed", YES_NO_FLAG, "既往症未告知"),
        Field("fraud", YES_NO_FLAG, "欺诈", ("材料造假",)),
        Field("note", TEXT, "备注"),
    ),
    id_key="id_number",
)

# The fields whose change makes a decided claim a CLAIM_CONFLICT (L3), in content order.
# `claim_id` is the key the content is compared under; `note` changes nothing.
CONTENT_FIELDS: tuple[str, ...] = (
    "claim_type",
    "id_number",
    "name",
    "unit_code",
    "disease",
    "diagnosis_date",
    "accident_date",
    "disability_grade",
    "treatment_end_date",
    "death_date",
    "brave_act",
    "exclusion",
    "preexisting_undisclosed",
    "fraud",
)
CONTENT_SEPARATOR = "|"
# Fields added after registers already held contents: written only when filled in, so that
# a claim decided before they existed, sent again unchanged, is still ALREADY_DECIDED (L3).
CONTENT_FIELDS_WHEN_FILLED: tuple[str, ...] = ("diagnosis_code",)

CLAIMS_SCHEMA: dict[str, pl.DataType] = {
    **{key: dtype for key, dtype in CLAIMS.schema.items() if not key.startswith("_")},
    "content": pl.Utf8(),
    SHEET: pl.Utf8(),
    ROW: pl.Int64(),
    BAD_FIELDS: pl.Utf8(),
}


@dataclass(frozen=True)
class ClaimsIntake:
    """The claims frame of docs/architecture.md, its findings, and the sheet as read."""

    claims: pl.DataFrame
    findings: pl.DataFrame
    raw: pl.DataFrame


def content_expr() -> pl.Expr:
    """`claim_type=…|id_number=…|…`: each field in a fixed text form, null as empty."""
    dtypes = CLAIMS.schema
    parts: list[pl.Expr] = []
    for key in CONTENT_FIELDS:
        column = pl.col(key)
        dtype = dtypes[key]
        if dtype == pl.Date:
            text = column.dt.strftime("%Y-%m-%d")
        elif dtype == pl.Boolean:
            text = pl.when(column).then(pl.lit("true")).when(~column).then(pl.lit("false"))
        else:
            text = column.cast(pl.Utf8)
        parts.append(pl.concat_str([pl.lit(f"{key}="), text.fill_null("")]))
    extra = [
        pl.when(pl.col(key).is_not_null())
        .then(pl.lit(f"{CONTENT_SEPARATOR}{key}=") + pl.col(key).cast(pl.Utf8))
        .otherwise(pl.lit(""))
        for key in CONTENT_FIELDS_WHEN_FILLED
    ]
    content = pl.concat_str([pl.concat_str(parts, separator=CONTENT_SEPARATOR), *extra])
    return content


def read_claims(path: str | Path, *, max_rows: int | None = None) -> ClaimsIntake:
    """Read the sheet named claims/理赔申请/申请 of `path`, or its first sheet.

    Raises `InputError` (exit 2) when the file or a required column is missing or
    unreadable, or the sheet has more than `max_rows` data rows. Columns needed only by
    some claim types (disease, dates, grade) may be absent: they are then all null and
    the core says MISSING_FIELD per claim (L1).
    """
    book = Book(path)
    sheet = find_sheet(book.sheet_names, CLAIMS.sheet_names)
    if sheet is None:
        sheet = book.sheet_names[0] if book.sheet_names else ""
    read = read_sheet(book, sheet, CLAIMS, max_rows)
    claims = read.typed.with_columns(content_expr().alias("content")).select(
        pl.col(key).cast(dtype) for key, dtype in CLAIMS_SCHEMA.items()
    )
    return ClaimsIntake(claims=claims, findings=read.findings, raw=read.raw)
