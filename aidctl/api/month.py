"""The month of the association, read from the register (11.6, 10.3).

One definition of the period: the as-of month (L140). Everything here is counted from what
the register keeps — runs, decisions, voids and the frames each adjudication run kept —
never from log lines or from what a batch run believed it did, so the month summary, the
batch summaries, `batch status` and the payments export agree whatever happened to a run
(killed, re-sent file, archive rotated).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from aidctl.api.commands import payments, renewals
from aidctl.api.outcomes import BatchOutcome
from aidctl.api.reporting import default_report_path, write_report
from aidctl.errors import AidctlError
from aidctl.pipeline import Settings
from aidctl.register import Register, as_location, shown
from aidctl.reports.month import (
    month_by_unit,
    write_month_summary,
    write_statements,
    write_worklist,
)

ALREADY_DECIDED = "ALREADY_DECIDED"
# every run a month can hold, listed at once (the register lists the latest first)
_ALL_RUNS = 1_000_000


@dataclass
class MonthData:
    """What the month summary, the worklist and the statements are written from."""

    period: str
    as_of: dt.date
    rows: pl.DataFrame  # every claim row of the period's adjudication runs (run frames)
    claim_texts: pl.DataFrame  # their texts, keyed by run_id and _row
    payments: pl.DataFrame  # the payments export of the period (payments and reversals)
    voids: int  # voids recorded in the period (any decision)
    reopens: int  # reopens recorded in the period (when the register has them)
    open_items: pl.DataFrame  # the worklist on the as-of day (pending rows, latest each)

    def counts(self) -> dict[str, int]:
        """The month summary's figures (L144)."""
        rows = self.rows
        already = rows["reason_code"] == ALREADY_DECIDED
        opened_before = self.open_items.filter(
            pl.col("opened") < pl.lit(dt.date.fromisoformat(f"{self.period}-01"))
        ).height
        payments = self.payments
        paid = payments.filter(pl.col("kind") == "payment")["amount"].sum()
        reversed_ = payments.filter(pl.col("kind") == "reversal")["amount"].sum()
        return {
            "new_approved": int(((rows["status"] == "approved") & ~already).sum()),
            "new_rejected": int(((rows["status"] == "rejected") & ~already).sum()),
            "already_decided": int(already.sum()),
            "pending_rows": int((rows["status"] == "pending").sum()),
            "voids": self.voids,
            "reopens": self.reopens,
            "paid": int(paid or 0),
            "reversed": int(reversed_ or 0),
            "net_paid": int(payments["amount"].sum() or 0),
            "open_items": self.open_items.height,
            "open_carried_over": opened_before,
            "open_new": self.open_items.height - opened_before,
        }


def _month_of(value: Any) -> str:
    return str(value)[:7]


def _run_rows(reg: Register, runs: list[dict[str, Any]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The decisions frames (pending rows included) and claim texts of these runs, each
    row tagged with its run and the run's as-of day."""
    rows: list[pl.DataFrame] = []
    texts: list[pl.DataFrame] = []
    for run in runs:
        frames = reg.run_frames(run["run_id"])
        decisions = frames.get("decisions")
        if decisions is None or decisions.height == 0:
            continue
        day = dt.date.fromisoformat(str(run["as_of"])[:10])
        tag = [pl.lit(run["run_id"]).alias("run_id"), pl.lit(day).alias("run_as_of")]
        rows.append(decisions.with_columns(tag))
        claims = frames.get("claims")
        if claims is not None:
            texts.append(claims.with_columns(tag[0]))
    return (
        pl.concat(rows, how="diagonal_relaxed") if rows else pl.DataFrame(),
        pl.concat(texts, how="diagonal_relaxed") if texts else pl.DataFrame(),
    )


# What the explanation of a decision reads besides the item's own columns (a pending
# claim has no amount, day of cover or cap room yet).
_DECISION_FIGURES: dict[str, Any] = {
    "status": pl.Utf8,
    "amount": pl.Int64,
    "cover_day": pl.Int64,
    "base_amount": pl.Int64,
    "cap_room": pl.Int64,
    "pct": pl.Int64,
}


def items_as_worklist(items: pl.DataFrame, as_of: dt.date) -> pl.DataFrame:
    """The register's open items (Register.open_items, OPEN_ITEM_COLUMNS of
    aidctl/register/frames.py: opened_on, last_on, last_run …) in the worklist's shape: age in days on the
    as-of day, and the decision figures a pending reason's sentence is built from."""
    figures = [
        (pl.lit("pending") if k == "status" else pl.lit(None, dtype=t)).alias(k)
        for k, t in _DECISION_FIGURES.items()
        if k not in items.columns
    ]
    return (
        items.with_columns(
            *figures,
            pl.col("opened_on").alias("opened"),
            pl.col("last_on").alias("last_seen"),
            pl.col("last_run").alias("run_id"),
            (pl.lit(as_of) - pl.col("opened_on")).dt.total_days().alias("age_days"),
        )
        .filter(pl.col("opened_on") <= pl.lit(as_of))
        .sort("opened", "unit_code", "claim_id")
    )


def _open_items(reg: Register, as_of: dt.date) -> pl.DataFrame:
    """The pending claims still open on the as-of day, oldest first: the register's open
    items (L130; a withdrawal or a decision closes them), in the worklist's shape."""
    return items_as_worklist(reg.open_items(), as_of)


def month_data(db: Path | str, period: str, as_of: dt.date) -> MonthData:
    """Read the period's month from the register (see the module docstring)."""
    with Register.open(as_location(db), create=False) as reg:
        adjudications = [
            r for r in reg.runs(_ALL_RUNS, command="adjudicate") if _month_of(r["as_of"]) == period
        ]
        rows, texts = _run_rows(reg, list(reversed(adjudications)))
        payments = reg.payments_in_period(period)
        voids = sum(
            1 for r in reg.runs(_ALL_RUNS, command="void") if _month_of(r["as_of"]) == period
        )
        reopens = sum(
            1 for r in reg.runs(_ALL_RUNS, command="reopen") if _month_of(r["as_of"]) == period
        )
        items = _open_items(reg, as_of)
    if rows.height == 0:
        rows = pl.DataFrame(
            schema={
                "claim_id": pl.Utf8,
                "status": pl.Utf8,
                "reason_code": pl.Utf8,
                "unit_code": pl.Utf8,
                "amount": pl.Int64,
                "run_id": pl.Utf8,
                "run_as_of": pl.Date,
            }
        )
    return MonthData(period, as_of, rows, texts, payments, voids, reopens, items)


def _t(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def write_month(
    ctx: Settings,
    result: BatchOutcome,
    window: str | None,
    all_lapsed: bool,
    log: Callable[[str], None],
    statement_name: Callable[[str], str],
) -> None:
    """Write the month's workbooks into `result.outbox` and note them on `result` (11.6;
    aidctl/batch/month.py lists them). Every figure is read from the register."""
    out = result.outbox
    period, lang, unmask = result.period, ctx.lang, ctx.unmask
    facts: list[tuple[str, Any]] = [
        (_t(lang, "期间", "Period"), period),
        (_t(lang, "业务日期", "As of"), ctx.as_of),
        (_t(lang, "登记库", "Register"), shown(ctx.db_path)),
        (_t(lang, "批处理运行", "Batch run"), result.run_id or ""),
    ]
    pay = payments(period, db=ctx.db_path)
    result.payments_path = write_report(pay, out / f"payments-{period}.xlsx", lang, unmask)[0]
    log(f"payments: {pay.payments.height} rows, {int(pay.payments['amount'].sum() or 0)} yuan")
    # L145: last month's export again, final — voids and single adjudications recorded after
    # last month's run (dated in that month) reach the finance office in its own month
    first = ctx.as_of.replace(day=1)
    previous = f"{first - dt.timedelta(days=1):%Y-%m}"
    before = payments(previous, db=ctx.db_path)
    earlier = out.parent / previous
    if before.payments.height or earlier.exists():
        earlier.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_report(before, earlier / f"payments-{previous}.xlsx", lang, unmask)
    try:
        listed = renewals(
            window, db=ctx.db_path, as_of=ctx.as_of, policy=ctx.policy, all_lapsed=all_lapsed
        )
        result.renewals_path = write_report(listed, default_report_path(listed, out), lang, unmask)[
            0
        ]
        log(f"renewals: {listed.due.height} units listed (window {listed.window})")
    except AidctlError as exc:
        log(f"renewals: {exc.message('en')}")
    month = month_data(ctx.db_path, period, ctx.as_of)
    catalogue = ctx.policy.catalogue
    result.worklist_path = write_worklist(
        out / f"open-items-{period}.xlsx",
        month.open_items,
        _all_texts(ctx),
        catalogue,
        facts,
        lang,
        unmask,
    )
    counts = month.counts()
    result.month = counts
    with Register.open(ctx.db_path, create=False) as reg:
        units = reg.units_info()
    # L185: the month per unit, each named as the register holds it
    by_unit = month_by_unit(month.rows, month.open_items, units)
    result.month_path = write_month_summary(
        out / f"month-{period}.xlsx", counts, facts, lang, by_unit
    )
    result.statements = write_statements(
        out / "statements",
        month.rows,
        month.claim_texts,
        catalogue,
        units,
        facts,
        lang,
        unmask,
        statement_name,
    )
    log(
        f"month {period}: {counts['new_approved']} approved, {counts['new_rejected']} rejected, "
        f"{counts['already_decided']} already decided, {counts['voids']} voids; "
        f"net paid {counts['net_paid']} yuan; {counts['open_items']} open items "
        f"({counts['open_carried_over']} carried over); "
        f"{len(result.statements)} unit statements"
    )


def _all_texts(ctx: Settings) -> Any:
    """The claim texts of every adjudication run (the worklist's items may be from any
    month); read through month_data's helper."""
    with Register.open(ctx.db_path, create=False) as reg:
        runs = reg.runs(_ALL_RUNS, command="adjudicate")
        return _run_rows(reg, runs)[1]
