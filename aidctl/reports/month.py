"""The month's workbooks in the outbox (11.6): the month summary, the open-items worklist and
one statement per unit.

Why: the outbox is what the association's office works from after a run. The summary
tells the month on one page (new decisions vs claims already decided, voids and reopens,
paid in the period, open items carried over); the worklist is what clerks must chase (age,
unit, reason, what to fix); each unit's statement is what the clerk sends to that unit —
its members' decisions, the amount, the reason in words and, for a pending claim, what to
send. Ids are masked unless --unmask: these files leave the office.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from aidctl.plan.catalogue import Catalogue
from aidctl.reports.adjudication import report_frame
from aidctl.reports.labels import header
from aidctl.reports.xlsx import Column, Sheet, Summary, SummaryTable, write_report


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def _shown_rows(
    rows: pl.DataFrame, texts: pl.DataFrame, catalogue: Catalogue, lang: str, unmask: bool
) -> pl.DataFrame:
    """Each run's rows with their sentence and texts (report_frame joins on the run's own
    row numbers, so runs are shown one by one, then put together)."""
    if rows.height == 0:
        return rows
    shown: list[pl.DataFrame] = []
    for run_id in rows["run_id"].unique(maintain_order=True).to_list():
        part = rows.filter(pl.col("run_id") == run_id)
        claims = (
            texts.filter(pl.col("run_id") == run_id).drop("run_id")
            if texts.height and "run_id" in texts.columns
            else pl.DataFrame(schema={"_row": pl.Int64, "disease": pl.Utf8, "note": pl.Utf8})
        )
        if "_row" not in part.columns:
            part = part.with_columns(pl.lit(None, pl.Int64).alias("_row"))
        shown.append(report_frame(part, claims, catalogue, lang, unmask))
    return pl.concat(shown, how="diagonal_relaxed")


def _claim_columns(lang: str) -> list[Column]:
    return [
        Column("claim_id", header("claim_id", lang)),
        Column("name", header("name", lang)),
        Column("id_number", header("id_number", lang)),
        Column("benefit", header("benefit", lang)),
        # L186: the disease and the reason at fixed widths (their text wraps, L184), so the
        # statement prints one page wide (190 units, L179) whatever their length
        Column("disease", header("disease", lang), width=32),
        Column("event_date", header("event_date", lang), kind="date"),
        Column("status_word", header("status", lang)),
        Column("amount", header("amount", lang), kind="yuan"),
        Column("reason", _t(lang, "原因及需补充的材料", "Reason and what to send"), width=50),
        Column("run_as_of", _t(lang, "审核日期", "Decided on"), kind="date"),
    ]


def _status_word(lang: str) -> pl.Expr:
    words = {
        "approved": _t(lang, "给付", "approved"),
        "rejected": _t(lang, "拒付", "rejected"),
        "pending": _t(lang, "待补充", "pending"),
    }
    return pl.col("status").replace_strict(words, default=pl.col("status"), return_dtype=pl.Utf8)


def write_worklist(
    path: Path,
    items: pl.DataFrame,
    texts: pl.DataFrame,
    catalogue: Catalogue,
    facts: list[tuple[str, Any]],
    lang: str,
    unmask: bool,
) -> Path:
    """The open-items worklist: one row per pending claim, oldest first (11.6)."""
    frame = _shown_rows(items, texts, catalogue, lang, unmask)
    if frame.height == 0:
        frame = items.with_columns(
            pl.lit(None, pl.Utf8).alias(k)
            for k in ("name", "id_number", "benefit", "reason_code", "reason", "unit_name")
            if k not in items.columns
        )
    if "unit_name" not in frame.columns:  # L185: open items carry the register's unit name
        frame = frame.with_columns(pl.lit(None, pl.Utf8).alias("unit_name"))
    cols = [
        Column("age_days", _t(lang, "已等待天数", "Age (days)"), kind="int"),
        Column("unit_code", header("unit_code", lang)),
        Column("unit_name", header("unit_name", lang)),  # L185
        Column("claim_id", header("claim_id", lang)),
        Column("name", header("name", lang)),
        Column("id_number", header("id_number", lang)),
        Column("benefit", header("benefit", lang)),
        Column("reason_code", header("reason_code", lang)),
        Column("reason", _t(lang, "原因及需补充的材料", "Reason and what to fix"), width=70),
        Column("opened", _t(lang, "首次待处理", "Pending since"), kind="date"),
        Column("last_seen", _t(lang, "最近一次提交", "Last sent"), kind="date"),
    ]
    summary = Summary(
        name=_t(lang, "汇总", "Summary"),
        title=_t(lang, "待处理事项清单", "Open items"),
        facts=[*facts, (_t(lang, "待处理件数", "Open items"), frame.height)],
    )
    write_report(path, [Sheet(_t(lang, "待处理", "Open items"), frame, cols)], summary)
    return path


def month_by_unit(
    rows: pl.DataFrame, open_items: pl.DataFrame, units: pl.DataFrame
) -> pl.DataFrame:
    """Per unit (L185): the month's new decisions (approved with their amount, rejected;
    ALREADY_DECIDED rows are not new, L144) and its open items on the as-of day, with the
    name the register holds for the unit (empty for a unit it does not know)."""
    new = rows.filter(
        pl.col("status").is_in(["approved", "rejected"])
        & (pl.col("reason_code") != "ALREADY_DECIDED")
        & pl.col("unit_code").is_not_null()
    )
    decided = new.group_by("unit_code").agg(
        (pl.col("status") == "approved").sum().cast(pl.Int64).alias("approved"),
        pl.col("amount").filter(pl.col("status") == "approved").sum().cast(pl.Int64).alias("paid"),
        (pl.col("status") == "rejected").sum().cast(pl.Int64).alias("rejected"),
    )
    open_ = (
        open_items.filter(pl.col("unit_code").is_not_null())
        .group_by("unit_code")
        .agg(pl.len().cast(pl.Int64).alias("open"))
    )
    names = units.select(pl.col("unit_code").cast(pl.Utf8), pl.col("unit_name").cast(pl.Utf8))
    return (
        decided.join(open_, on="unit_code", how="full", coalesce=True)
        .with_columns(pl.col("approved", "paid", "rejected", "open").fill_null(0))
        .join(names.unique("unit_code"), on="unit_code", how="left")
        .select("unit_code", "unit_name", "approved", "paid", "rejected", "open")
        .sort("unit_code")
    )


def month_unit_columns(lang: str) -> list[Column]:
    """The month workbook's 按单位 sheet (L185): the unit's name beside its code."""
    return [
        Column("unit_code", header("unit_code", lang)),
        Column("unit_name", header("unit_name", lang)),
        Column("approved", _t(lang, "本月给付件数", "Approved this month"), kind="int"),
        Column("paid", _t(lang, "本月给付金额", "Paid this month"), kind="yuan"),
        Column("rejected", _t(lang, "本月拒付件数", "Rejected this month"), kind="int"),
        Column("open", _t(lang, "待处理事项", "Open items"), kind="int"),
    ]


def write_month_summary(
    path: Path,
    counts: dict[str, int],
    facts: list[tuple[str, Any]],
    lang: str,
    by_unit: pl.DataFrame | None = None,
) -> Path:
    """The one-page month summary (11.6, L144); every figure is from the register. Counts
    and amounts in tables of their own, so amounts read 1,234元 (L184); `by_unit`
    (`month_by_unit`) on a second sheet, each unit named (L185)."""
    lines = [
        ("new_approved", "本月新给付件数", "New decisions: approved", "int"),
        ("new_rejected", "本月新拒付件数", "New decisions: rejected", "int"),
        ("already_decided", "已决定过（重复提交）件数", "Already decided (sent again)", "int"),
        ("pending_rows", "本月审核为待处理的件数", "Rows found pending this month", "int"),
        ("voids", "本月撤销件数", "Voids this month", "int"),
        ("reopens", "本月重开件数", "Reopens this month", "int"),
        ("paid", "本月给付金额", "Paid this month", "yuan"),
        ("reversed", "本月冲销金额", "Reversed this month", "yuan"),
        ("net_paid", "本月支付净额（与支付清单一致）", "Net paid (= the payments export)", "yuan"),
        ("open_items", "月末待处理事项", "Open items at the run", "int"),
        ("open_carried_over", "其中上月结转", "of which carried over", "int"),
        ("open_new", "其中本月新增", "of which new this month", "int"),
    ]
    groups = [
        (_t(lang, "本月审核件数", "Decisions this month"), lines[:6], _t(lang, "件数", "Count")),
        (_t(lang, "本月金额", "Amounts this month"), lines[6:9], _t(lang, "金额", "Amount")),
        (_t(lang, "待处理事项", "Open items"), lines[9:], _t(lang, "件数", "Count")),
    ]
    tables = [
        SummaryTable(
            title=title,
            frame=pl.DataFrame(
                {
                    "what": [_t(lang, zh, en) for _k, zh, en, _kind in part],
                    "value": [int(counts.get(k, 0)) for k, *_rest in part],
                }
            ),
            columns=[
                Column("what", _t(lang, "项目", "Item"), width=40),
                Column("value", value_header, kind="yuan" if part[0][3] == "yuan" else "int"),
            ],
        )
        for title, part, value_header in groups
    ]
    summary = Summary(
        name=_t(lang, "月度汇总", "Month"),
        title=_t(lang, "本月概况", "The month"),
        facts=facts,
        tables=tables,
    )
    sheets = []
    if by_unit is not None:
        sheets.append(Sheet(_t(lang, "按单位", "By unit"), by_unit, month_unit_columns(lang)))
    write_report(path, sheets, summary)
    return path


def write_statements(
    folder: Path,
    rows: pl.DataFrame,
    texts: pl.DataFrame,
    catalogue: Catalogue,
    units: pl.DataFrame,
    facts: list[tuple[str, Any]],
    lang: str,
    unmask: bool,
    file_name: Any,
) -> list[Path]:
    """One statement per unit with claims decided in the month: its members' decisions and
    its pending claims with what to send (11.6), one page wide, amounts only where paid,
    no register path (L186). `file_name(unit_code)` names each file."""
    decided = rows.filter(
        pl.col("status").is_in(["approved", "rejected"])
        & (pl.col("reason_code") != "ALREADY_DECIDED")
    )
    if decided.height == 0:
        return []
    wanted = decided["unit_code"].drop_nulls().unique().sort()
    mine = rows.filter(
        pl.col("unit_code").is_in(wanted.implode()) & (pl.col("reason_code") != "ALREADY_DECIDED")
    )
    shown = _shown_rows(mine, texts, catalogue, lang, unmask).with_columns(
        _status_word(lang).alias("status_word"),
        # L186: an amount only where one is paid (a pending claim's 0元 read as "nothing due")
        pl.when(pl.col("status") == "approved").then(pl.col("amount")).alias("amount"),
    )
    # L186: the statement leaves the office: not the path of the register on its server
    register = {"登记库", "Register"}
    facts = [f for f in facts if f[0] not in register]
    names = dict(zip(units["unit_code"].to_list(), units["unit_name"].to_list(), strict=True))
    written: list[Path] = []
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)  # L153
    for unit in wanted.to_list():  # one file per unit: a loop over files, not over rows
        part = shown.filter(pl.col("unit_code") == unit).sort("status", "claim_id")
        paid = int(part.filter(pl.col("status") == "approved")["amount"].sum() or 0)
        summary = Summary(
            name=_t(lang, "汇总", "Summary"),
            title=_t(lang, "理赔结果通知", "Claims statement"),
            facts=[
                (header("unit_code", lang), unit),
                (header("unit_name", lang), names.get(unit) or ""),
                *facts,
                (_t(lang, "给付金额合计", "Amount approved"), paid, "yuan"),
            ],
        )
        path = folder / file_name(unit)
        write_report(
            path, [Sheet(_t(lang, "理赔结果", "Claims"), part, _claim_columns(lang))], summary
        )
        written.append(path)
    return written
