"""The enrolment check report, and the annotated copy of the units workbook.

The report is what the association keeps; the annotated copy is what the clerk sends back
to the unit: its own rows, each with a result and what to fix.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from aidctl.plan.params import Policy, PolicyVersion
from aidctl.reports.findings_text import masked, status_words, with_messages
from aidctl.reports.labels import MEMBER_STATUS, REASONS, header
from aidctl.reports.xlsx import (
    ChartSpec,
    Column,
    Kind,
    Sheet,
    Summary,
    SummaryTable,
    write_report,
)

# Headers of the columns D5 added (reports/labels.py is shared; these live with their report).
_NEW_HEADERS = {
    "term_start": ("保障起始日", "Term start"),
    "received_date": ("受理日期", "Received"),
    "imported": ("导入（接管）", "Imported"),
    "reason_codes": ("原因代码", "Reason codes"),
}


def reason_words(col: str, lang: str) -> pl.Expr:
    """A unit's reason codes in words (L170), "、"-joined; the codes keep their own column."""
    index = 0 if lang == "zh" else 1
    mapping = {k: v[index] for k, v in REASONS.items()}
    return (
        pl.col(col)
        .list.eval(pl.element().replace_strict(mapping, default=pl.element(), return_dtype=pl.Utf8))
        .list.join("、" if lang == "zh" else "; ")
    )


def _header(key: str, lang: str) -> str:
    if key in _NEW_HEADERS:
        return _NEW_HEADERS[key][0 if lang == "zh" else 1]
    return header(key, lang)


def _cols(keys: list[tuple[str, str]], lang: str) -> list[Column]:
    return [Column(key=k, header=_header(k, lang), kind=kind) for k, kind in keys]  # type: ignore[arg-type]


def _yes_no(col: str, zh: bool) -> pl.Expr:
    return (
        pl.when(pl.col(col))
        .then(pl.lit("是" if zh else "yes"))
        .otherwise(pl.lit("否" if zh else "no"))
        .alias(col)
    )


def issues_frame(
    findings: pl.DataFrame,
    lang: str,
    unmask: bool,
    *,
    policy: Policy | None = None,
    units: pl.DataFrame | None = None,
    version: str | PolicyVersion | None = None,
) -> pl.DataFrame:
    """The findings with their sentences, the plan's figures from the version of `policy`
    in force for each row's unit (findings_text.with_messages)."""
    return with_messages(
        findings, lang, unmask, policy=policy, units=units, version=version
    ).select(
        "sheet",
        "row",
        "column",
        "unit_code",
        masked("id_number", unmask).alias("id_number"),
        "code",
        status_words("severity", lang).alias("severity"),
        "message",
    )


def write_enrollment_report(
    path: Path,
    units: pl.DataFrame,
    findings: pl.DataFrame,
    facts: list[tuple[str, Any]],
    lang: str,
    unmask: bool,
    title: str,
    *,
    policy: Policy | None = None,
    version: str | PolicyVersion | None = None,
) -> Path:
    zh = lang == "zh"
    unit_rows = units.with_columns(
        status_words("status", lang).alias("status"),
        reason_words("reasons", lang).alias("reasons"),
        pl.col("reasons").list.join("; ").alias("reason_codes"),
        _yes_no("first_time", zh),
        *([_yes_no("imported", zh)] if "imported" in units.columns else []),
    )
    by_status = (
        units.group_by("status")
        .agg(
            pl.len().alias("count"), pl.col("contribution_total").sum().alias("contribution_total")
        )
        .sort("status")
        .with_columns(status_words("status", lang).alias("status"))
    )
    summary = Summary(
        name="汇总" if zh else "Summary",
        title=title,
        facts=facts,
        tables=[
            SummaryTable(
                title="按结果统计" if zh else "Units by result",
                frame=by_status,
                columns=_cols(
                    [("status", "text"), ("count", "int"), ("contribution_total", "yuan")], lang
                ),
            )
        ],
        chart=ChartSpec(
            title="各结果单位数" if zh else "Units by result",
            table_index=0,
            category_key="status",
            value_key="count",
            y_title="单位数" if zh else "units",
        ),
    )
    sheets = [
        Sheet(
            name="单位" if zh else "Units",
            frame=unit_rows,
            columns=_cols(
                [
                    ("unit_code", "text"),
                    ("unit_name", "text"),
                    ("status", "text"),
                    ("total_staff", "int"),
                    ("eligible", "int"),
                    ("ratio", "ratio"),
                    ("required_ratio", "ratio"),
                    ("shortfall", "int"),
                    ("contribution_total", "yuan"),
                    ("unit_share", "yuan"),
                    ("individual_share", "yuan"),
                    ("deductible", "yuan"),
                    ("effective_date", "date"),
                    *([("term_start", "date")] if "term_start" in units.columns else []),
                    ("term_end", "date"),
                    *([("received_date", "date")] if "received_date" in units.columns else []),
                    ("first_time", "text"),
                    *([("imported", "text")] if "imported" in units.columns else []),
                    ("reasons", "text"),
                    ("reason_codes", "text"),
                    ("contact", "text"),
                    ("phone", "text"),
                ],
                lang,
            ),
        ),
        Sheet(
            name="问题明细" if zh else "Issues",
            frame=issues_frame(findings, lang, unmask, policy=policy, units=units, version=version),
            columns=_cols(
                [
                    ("sheet", "text"),
                    ("row", "int"),
                    ("column", "text"),
                    ("unit_code", "text"),
                    ("id_number", "text"),
                    ("code", "text"),
                    ("severity", "text"),
                    ("message", "text"),
                ],
                lang,
            ),
        ),
    ]
    write_report(path, sheets, summary)
    return path


# Headers of columns that hold codes and numbers that are not quantities: kept as text in
# the annotated copy however digit-like (an id, a phone number, a contract number).
_CODE_HEADERS = ("身份证", "编码", "代码", "编号", "号", "电话", "手机", "code", "id", "phone")
_DATE_TEXT = r"^\d{4}-\d{2}-\d{2}$"
_INT_TEXT = r"^-?(?:0|[1-9]\d{0,14})$"
_NUMBER_TEXT = r"^-?(?:0|[1-9]\d{0,14})(?:\.\d+)?$"


def typed_kind(values: pl.Series, header_text: str) -> Kind:
    """How the annotated copy writes a column of the clerk's cells (L180): dates as dates,
    quantities as numbers, when every filled cell of the column reads so; codes, ids and
    phone numbers, and any column with one cell that does not, as the text it was."""
    if values.dtype != pl.Utf8 or any(k in header_text.lower() for k in _CODE_HEADERS):
        return "text"
    filled = values.drop_nulls()
    if filled.len() == 0:
        return "text"
    if bool(filled.str.contains(_DATE_TEXT).all()) and (
        filled.str.to_date("%Y-%m-%d", strict=False).null_count() == 0
    ):
        return "date"
    if bool(filled.str.contains(_INT_TEXT).all()):
        return "int"
    if bool(filled.str.contains(_NUMBER_TEXT).all()):
        return "int"  # a General number cell, 0.1 shown as 0.1 (a float column)
    return "text"


def typed(col: pl.Expr, kind: Kind) -> pl.Expr:
    """The column cast to what `typed_kind` found."""
    if kind == "date":
        return col.str.to_date("%Y-%m-%d", strict=False)
    whole = col.str.contains(_INT_TEXT).all()
    return (
        pl.when(whole)
        .then(col.cast(pl.Int64, strict=False))
        .otherwise(col.cast(pl.Float64, strict=False))
    )


def sheet_of(frame: pl.DataFrame, default: str) -> str:
    """The sheet the rows of an intake frame came from (its `_sheet` column)."""
    sheets = frame["_sheet"].drop_nulls().unique().to_list() if "_sheet" in frame.columns else []
    return sheets[0] if sheets else default


def write_annotated_copy(
    path: Path,
    units_raw: pl.DataFrame,
    members_raw: pl.DataFrame,
    units: pl.DataFrame,
    members: pl.DataFrame,
    findings: pl.DataFrame,
    lang: str,
    *,
    policy: Policy | None = None,
    version: str | PolicyVersion | None = None,
) -> Path:
    """The clerk's own rows, each with a result and what to fix (all findings of the row),
    on sheets named as the clerk's own; the plan's figures in them from the version of
    `policy` in force for the row's unit."""
    units_sheet = sheet_of(units, "参保单位")
    members_sheet = sheet_of(members, "参保职工")
    msgs = (
        with_messages(findings, lang, policy=policy, units=units, version=version)
        .group_by("sheet", "row")
        .agg(pl.col("message").str.join("；" if lang == "zh" else "; ").alias("annot_reason"))
    )
    status_h, reason_h = header("annot_status", lang), header("annot_reason", lang)

    def annotate(
        raw: pl.DataFrame,
        results: pl.DataFrame,
        status_col: str,
        sheet: str,
        words: dict[str, tuple[str, str]] | None = None,
    ) -> Sheet:
        res = results.select(
            pl.col("_row"), status_words(status_col, lang, words).alias("annot_status")
        )
        frame = raw.join(res, on="_row", how="left", maintain_order="left").join(
            msgs.filter(pl.col("sheet") == sheet).drop("sheet").rename({"row": "_row"}),
            on="_row",
            how="left",
            maintain_order="left",
        )
        data_cols = [c for c in raw.columns if not c.startswith("_")]
        # a real date cell reads as "2026-01-06 00:00:00": show the date as the clerk typed it
        frame = frame.with_columns(
            pl.col(c).str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", "$1") for c in data_cols
        )
        kinds = {c: typed_kind(frame.get_column(c), c) for c in data_cols}
        frame = frame.with_columns(
            typed(pl.col(c), kind) for c, kind in kinds.items() if kind != "text"
        )
        columns = [Column(key=c, header=c, kind=kinds[c]) for c in data_cols] + [
            Column(key="annot_status", header=status_h),
            Column(key="annot_reason", header=reason_h, width=60),
        ]
        return Sheet(name=sheet, frame=frame, columns=columns)

    unit_results = units.select("_row", "status")
    member_results = members.select("_row", "member_status")
    sheets = [
        annotate(units_raw, unit_results, "status", units_sheet),
        annotate(members_raw, member_results, "member_status", members_sheet, MEMBER_STATUS),
    ]
    write_report(path, sheets, None)
    return path
