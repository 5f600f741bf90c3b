"""The renewals report: due, in grace, lapsed (A7.1, D5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from aidctl.reports.labels import header
from aidctl.reports.xlsx import ChartSpec, Column, Sheet, Summary, SummaryTable, write_report

STATUS_WORDS = {
    "due": ("即将到期", "due"),
    "grace": ("宽限期内", "in grace"),
    "lapsed": ("已脱保", "lapsed"),
}


def status_word(status: str, lang: str) -> str:
    zh, en = STATUS_WORDS.get(status, (status, status))
    return zh if lang == "zh" else en


def write_renewals_report(
    path: Path, frame: pl.DataFrame, facts: list[tuple[str, Any]], lang: str
) -> Path:
    zh = lang == "zh"
    index = 0 if zh else 1
    words = {k: v[index] for k, v in STATUS_WORDS.items()}
    shown = frame.with_columns(pl.col("status").replace_strict(words, default=pl.col("status")))
    if "imported" in shown.columns:  # D5: contracts taken over by `enroll --import`
        shown = shown.with_columns(
            pl.when(pl.col("imported"))
            .then(pl.lit("是" if zh else "yes"))
            .otherwise(pl.lit("否" if zh else "no"))
            .alias("imported")
        )
    counts = (
        frame.group_by("status")
        .agg(pl.len().alias("count"), pl.col("contribution_due").sum().alias("contribution_due"))
        .with_columns(pl.col("status").replace_strict(words, default=pl.col("status")))
        .sort("status")
    )
    columns = [
        Column("unit_code", header("unit_code", lang)),
        Column("unit_name", header("unit_name", lang)),
        Column("contract_no", header("contract_no", lang)),
        Column("expiry_date", "到期日期" if zh else "Expiry date", kind="date"),
        Column("status", header("status", lang)),
        Column("renew_by", "最迟续保日期" if zh else "Renew by", kind="date"),
        Column("members", "参保人数" if zh else "Members", kind="int"),
        Column("contribution_due", "下期应缴" if zh else "Contribution due", kind="yuan"),
        *(
            [Column("imported", "导入（接管）" if zh else "Imported")]
            if "imported" in frame.columns
            else []
        ),
        Column("contact", header("contact", lang)),
        Column("phone", header("phone", lang)),
    ]
    summary = Summary(
        name="汇总" if zh else "Summary",
        title="续保提醒" if zh else "Renewals",
        facts=facts,
        tables=[
            SummaryTable(
                title="按状态" if zh else "By status",
                frame=counts,
                columns=[
                    Column("status", header("status", lang)),
                    Column("count", header("count", lang), kind="int"),
                    Column(
                        "contribution_due", "下期应缴" if zh else "Contribution due", kind="yuan"
                    ),
                ],
            )
        ],
        chart=ChartSpec(
            title="各状态单位数" if zh else "Units by status",
            table_index=0,
            category_key="status",
            value_key="count",
            y_title="单位数" if zh else "units",
        ),
    )
    write_report(
        path, [Sheet(name="续保" if zh else "Renewals", frame=shown, columns=columns)], summary
    )
    return path
