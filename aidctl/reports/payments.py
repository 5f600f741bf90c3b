"""The finance office's export: one row per payment (reversals negative), per-unit subtotals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from aidctl.reports.findings_text import masked
from aidctl.reports.labels import CLAIM_TYPES, REASONS, header
from aidctl.reports.xlsx import Column, Sheet, Summary, SummaryTable, write_report


def write_payments_report(
    path: Path, frame: pl.DataFrame, facts: list[tuple[str, Any]], lang: str, unmask: bool
) -> Path:
    zh = lang == "zh"
    index = 0 if zh else 1
    kinds = {"payment": ("支付", "payment"), "reversal": ("冲销", "reversal")}
    shown = frame.with_columns(
        masked("id_number", unmask).alias("id_number"),
        pl.col("kind").replace_strict(
            {k: v[index] for k, v in kinds.items()}, default=pl.col("kind")
        ),
        pl.col("claim_type").replace_strict(
            {k: v[index] for k, v in CLAIM_TYPES.items()}, default=pl.col("claim_type")
        ),
        # the reason in words beside its code (L170)
        pl.col("reason_code")
        .replace_strict(
            {k: v[index] for k, v in REASONS.items()},
            default=pl.col("reason_code"),
            return_dtype=pl.Utf8,
        )
        .alias("reason_words"),
    )
    by_unit = (
        frame.group_by("unit_code", "unit_name")
        .agg(pl.len().alias("count"), pl.col("amount").sum().alias("amount"))
        .sort("unit_code")
    )
    cols = [
        Column("unit_code", header("unit_code", lang)),
        Column("unit_name", header("unit_name", lang)),
        Column("claim_id", header("claim_id", lang)),
        Column("kind", "类别" if zh else "Kind"),
        Column("name", header("name", lang)),
        Column("id_number", header("id_number", lang)),
        Column("claim_type", header("benefit", lang)),
        Column("reason_words", "原因" if zh else "Reason"),
        Column("reason_code", header("reason_code", lang)),
        Column("amount", header("amount", lang), kind="yuan"),
        Column("as_of", "业务日期" if zh else "Date", kind="date"),
        Column("run_id", "运行编号" if zh else "Run"),
        Column("note", header("note", lang)),
    ]
    unit_cols = [
        Column("unit_code", header("unit_code", lang)),
        Column("unit_name", header("unit_name", lang)),
        Column("count", header("count", lang), kind="int"),
        Column("amount", header("amount", lang), kind="yuan"),
    ]
    summary = Summary(
        name="汇总" if zh else "Summary",
        title="支付清单" if zh else "Payments",
        facts=[*facts, ("合计" if zh else "Total", int(frame["amount"].sum()), "yuan")],
        tables=[
            SummaryTable(
                title="各单位小计" if zh else "Subtotal per unit", frame=by_unit, columns=unit_cols
            )
        ],
        chart=None,
    )
    sheets = [
        Sheet(name="支付明细" if zh else "Payments", frame=shown, columns=cols),
        Sheet(name="单位小计" if zh else "Per unit", frame=by_unit, columns=unit_cols),
    ]
    write_report(path, sheets, summary)
    return path
