"""The open-items worklist: every claim still pending, its age, unit, reason and what to fix.

`aidctl pending --out FILE` writes it, and the monthly batch writes the month's copy into
the outbox from the same two functions, so a clerk reads one worklist whoever made it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from aidctl.plan.catalogue import Catalogue
from aidctl.reports.adjudication import with_sentences
from aidctl.reports.findings_text import masked
from aidctl.reports.labels import CLAIM_TYPES, header
from aidctl.reports.xlsx import Column, Sheet, Summary, SummaryTable, write_report

# the decision figures a sentence may show; an open item has none of them yet
_FIGURES: dict[str, Any] = {
    "amount": pl.Int64,
    "cover_day": pl.Int64,
    "base_amount": pl.Int64,
    "cap_room": pl.Int64,
    "pct": pl.Int64,
}


def worklist_frame(
    items: pl.DataFrame, catalogue: Catalogue, lang: str, unmask: bool
) -> pl.DataFrame:
    """The open items (`Register.open_items` plus `age_days`) with `what_to_fix` — the
    sentence of the item's reason, which says what to send (L130) — and the claim type in
    words; id numbers masked unless `unmask`."""
    index = 0 if lang == "zh" else 1
    figures = items.with_columns(
        [pl.lit(None).cast(t).alias(k) for k, t in _FIGURES.items() if k not in items.columns]
    )
    done = with_sentences(figures, catalogue, lang).drop(
        [k for k in _FIGURES if k not in items.columns]
    )
    return done.with_columns(
        masked("id_number", unmask).alias("id_number"),
        pl.col("message").alias("what_to_fix"),
        pl.col("claim_type")
        .replace_strict(
            {k: v[index] for k, v in CLAIM_TYPES.items()},
            default=pl.col("claim_type"),
            return_dtype=pl.Utf8,
        )
        .alias("benefit"),
    ).drop("message")


def worklist_columns(lang: str) -> list[Column]:
    zh = lang == "zh"
    return [
        Column("age_days", "已等待天数" if zh else "Days open", kind="int"),
        Column("unit_code", header("unit_code", lang)),
        Column("unit_name", header("unit_name", lang)),
        Column("claim_id", header("claim_id", lang)),
        Column("name", header("name", lang)),
        Column("id_number", header("id_number", lang)),
        Column("benefit", header("benefit", lang)),
        Column("event_date", header("event_date", lang), kind="date"),
        Column("reason_code", header("reason_code", lang)),
        Column("what_to_fix", "需补正事项" if zh else "What to fix", width=60),
        Column("opened_on", "首次待处理日期" if zh else "Open since", kind="date"),
        Column("last_on", "最近提交日期" if zh else "Last sent", kind="date"),
        Column("times_seen", "提交次数" if zh else "Times sent", kind="int"),
        Column("opened_run", "首次运行" if zh else "Opened by run"),
    ]


def write_worklist(
    path: Path, frame: pl.DataFrame, facts: list[tuple[str, Any]], lang: str
) -> Path:
    """The worklist workbook: a summary by unit, then one row per open item, oldest first."""
    zh = lang == "zh"
    by_unit = (
        frame.group_by("unit_code", "unit_name")
        .agg(pl.len().alias("count"), pl.col("age_days").max().alias("oldest"))
        .sort(["count", "unit_code"], descending=[True, False])
    )
    summary = Summary(
        name="汇总" if zh else "Summary",
        title="待处理事项" if zh else "Open items",
        facts=facts,
        tables=[
            SummaryTable(
                title="按单位" if zh else "By unit",
                frame=by_unit,
                columns=[
                    Column("unit_code", header("unit_code", lang)),
                    Column("unit_name", header("unit_name", lang)),
                    Column("count", header("count", lang), kind="int"),
                    Column("oldest", "最长等待天数" if zh else "Oldest (days)", kind="int"),
                ],
            )
        ],
        chart=None,
    )
    sheet = Sheet(
        name="待处理" if zh else "Open items", frame=frame, columns=worklist_columns(lang)
    )
    write_report(path, [sheet], summary)
    return path
