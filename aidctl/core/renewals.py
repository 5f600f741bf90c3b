"""Which contracts must renew, which are in the 20-day grace, which lapsed (A7.1, D5).

Pure: the register's contracts and the as-of day in, one row per unit's latest contract out.
A unit whose latest contract already has a successor is not listed: only each unit's latest
contract is looked at.
"""

from __future__ import annotations

import datetime as dt
import re

import polars as pl

from aidctl.core.dates import months_later
from aidctl.core.enrollment import attach_params
from aidctl.plan.params import Policy

DUE = "due"
GRACE = "grace"
LAPSED = "lapsed"

_DURATION = re.compile(r"^\s*(\d+)\s*([dwmDWM天周月])\s*$")


def window_end(as_of: dt.date, duration: str) -> dt.date | None:
    """The last day of a window such as `30d`, `2w` or `1m` from `as_of` (None if unreadable).

    Months are calendar months, clamped to the month's end (as D7).
    """
    match = _DURATION.match(duration)
    if not match:
        return None
    n, unit = int(match.group(1)), match.group(2).lower()
    if unit in ("d", "天"):
        return as_of + dt.timedelta(days=n)
    if unit in ("w", "周"):
        return as_of + dt.timedelta(weeks=n)
    frame = pl.DataFrame({"d": [as_of]})
    value = frame.select(months_later(pl.col("d"), n)).item()
    assert isinstance(value, dt.date)
    return value


def default_window_end(as_of: dt.date, policy: Policy) -> dt.date:
    """L143 (11.7): the default window reaches the next monthly run plus the grace period.

    A run on the 1st lists a contract expiring on the 5th as due (with its renew_by), and
    the next run on the 1st then shows it in grace: every contract is shown before it lapses,
    whatever day of the month it expires. The parameters are those in force on the as-of day.
    """
    version = policy.at(as_of)
    frame = pl.DataFrame({"d": [as_of]})
    next_run = frame.select(months_later(pl.col("d"), int(version.renewal_notice_months))).item()
    assert isinstance(next_run, dt.date)
    return next_run + dt.timedelta(days=int(version.renewal_grace_days))


def default_window(as_of: dt.date, policy: Policy) -> str:
    """`default_window_end` as a duration in days (how `--due` is written), e.g. "50d"."""
    return f"{(default_window_end(as_of, policy) - as_of).days}d"


def renewals(
    contracts: pl.DataFrame,
    policy: Policy,
    as_of: dt.date,
    until: dt.date,
    *,
    all_lapsed: bool = False,
) -> pl.DataFrame:
    """Contracts to list, with status, renew_by and the contribution due for the next term.

    contracts: contract_no, unit_code, term_start, term_end, members (count of spells).
    due: expiring between as_of and `until` (both included); grace: expired at most the
    grace days ago (renew_by = expiry + grace, D5); lapsed: expired longer ago, listed
    while renew_by is at most `lapsed_listed_days` before as_of (L143: the list does not
    grow for ever), every lapsed unit with `all_lapsed`.
    """
    listed_days = int(policy.at(as_of).lapsed_listed_days)
    oldest_renew_by = as_of - dt.timedelta(days=listed_days)
    latest = contracts.sort("term_start").group_by("unit_code").agg(pl.all().last())
    # the grace of the contract's own version; the fee of the version of the next term (D9)
    with_grace = attach_params(latest, "term_start", policy).select(
        *latest.columns, pl.col("renewal_grace_days").alias("_grace")
    )
    nxt = with_grace.with_columns((pl.col("term_end") + pl.duration(days=1)).alias("_next_start"))
    out = attach_params(nxt, "_next_start", policy).with_columns(
        renew_by=pl.col("term_end") + pl.duration(days=pl.col("_grace")),
        contribution_due=pl.col("members") * pl.col("contribution_per_member"),
    )
    status = (
        pl.when((pl.col("term_end") >= pl.lit(as_of)) & (pl.col("term_end") <= pl.lit(until)))
        .then(pl.lit(DUE))
        .when((pl.col("term_end") < pl.lit(as_of)) & (pl.col("renew_by") >= pl.lit(as_of)))
        .then(pl.lit(GRACE))
        .when(pl.col("renew_by") < pl.lit(as_of))
        .then(pl.lit(LAPSED))
    )
    return (
        out.with_columns(status=status)
        .filter(pl.col("status").is_not_null())
        .filter(
            pl.lit(all_lapsed)
            | (pl.col("status") != LAPSED)
            | (pl.col("renew_by") >= pl.lit(oldest_renew_by))
        )
        .with_columns(
            pl.col("status").replace_strict({DUE: 0, GRACE: 1, LAPSED: 2}).alias("_order")
        )
        .sort("_order", "term_end", "unit_code")
        .select(
            "unit_code",
            "contract_no",
            "term_start",
            pl.col("term_end").alias("expiry_date"),
            "status",
            "renew_by",
            "members",
            "contribution_due",
            # D5: a contract taken over by `enroll --import` says so wherever it is shown
            pl.col("imported") if "imported" in out.columns else pl.lit(False).alias("imported"),
        )
    )
